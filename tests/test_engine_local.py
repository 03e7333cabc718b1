"""The local engine end to end on a small handmade population."""

import json
from datetime import UTC, datetime

from spycatcher.engine.local import ScanOptions, scan
from spycatcher.signals.profile import EmployerStage, ProfileDetector
from spycatcher.store import Store
from spycatcher.store.models import AssessmentRow

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)


def write_population(tmp_path, n_genuine=40):
    rows = []
    for i in range(n_genuine):
        rows.append(
            {
                "id": f"g{i}",
                "name": f"Member {i}",
                "headline": "Engineer at Globex",
                "created_at": "2014-01-01",
                "location": "York",
                "summary": "I build bridges.",
                "experience": [
                    {"title": "Engineer", "company": "Acme", "start": "2010", "end": "2014"},
                    {"title": "Engineer", "company": "Globex", "start": "2014"},
                ],
                "education": [{"school": "York"}],
                "skills": ["civil"],
                "label": "genuine",
            }
        )
    for i in range(3):
        rows.append(
            {
                "id": f"f{i}",
                "name": f"Persona {i}",
                "headline": "Headhunter",
                "created_at": "2026-04-01",
                "counts": {"connections": 500},
                "label": "fake",
                "experience": [
                    {"title": "Director", "company": f"Rise HR Consulting {i}", "start": "2009"}
                ],
            }
        )
    f = tmp_path / "profiles.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n{oops\n")
    return f


def test_scan_ranks_fakes_first_and_writes_the_results_contract(tmp_path):
    f = write_population(tmp_path)
    opts = ScanOptions(
        stages=[EmployerStage()], detectors=[ProfileDetector()], as_of=AS_OF, chunk_size=7
    )
    with scan(f, None, opts) as result:
        assert result.profiles_report.summary() == {"read": 44, "accepted": 43, "rejected": 1}
        top = result.top(3)
        assert {r["id"] for r in top} == {"f0", "f1", "f2"}
        out = tmp_path / "r.json"
        result.write_json(out)
    doc = json.loads(out.read_text())
    scores = [p["score"] for p in doc["profiles"]]
    assert scores == sorted(scores, reverse=True)
    assert len(doc["profiles"]) == 43
    first = doc["profiles"][0]
    assert {"id", "score", "level", "signals"} <= set(first)
    assert {"name", "strength", "evidence", "advice"} <= set(first["signals"][0])
    assert doc["summary"]["profiles"]["rejected"] == 1
    assert "campaigns" in doc


def test_scan_stores_assessments(tmp_path):
    f = write_population(tmp_path, n_genuine=5)
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    opts = ScanOptions(
        stages=[EmployerStage()], detectors=[ProfileDetector()], as_of=AS_OF, store=store
    )
    with scan(f, None, opts) as result:
        assert store.count(AssessmentRow) == result.scored == 8
        assert store.latest_run().run_id == result.run_id
        assert store.latest_run().summary["scored"] == 8


def test_memory_is_bounded_by_chunk_not_file(tmp_path):
    """The per-profile stage only ever holds one chunk: detectors see chunks of at most 5."""
    f = write_population(tmp_path, n_genuine=30)
    seen_max = []

    class Spy(ProfileDetector):
        name = "test.spy"

        def detect(self, profile, ctx):
            return []

    import spycatcher.engine.local as local

    original = local._chunks

    def spying(it, size):
        for chunk in original(it, size):
            seen_max.append(len(chunk))
            yield chunk

    local._chunks = spying
    try:
        with scan(f, None, ScanOptions(stages=[], detectors=[Spy()], chunk_size=5)) as r:
            assert r.scored == 33
    finally:
        local._chunks = original
    assert max(seen_max) == 5
