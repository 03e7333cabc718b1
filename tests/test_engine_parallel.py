"""The local engine on several processes gives exactly the one-process result.

A small synthetic network (with campaigns, so campaign re-scoring runs) is scanned with one
process and with three workers over byte ranges small enough that every file is cut into several
pieces; bad lines are planted in both files so that error line numbers are checked across the
cuts. Both scans store into their own SQLite file, which must hold the same assessments.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import orjson
import pytest

from spycatcher.engine.local import ScanOptions, scan
from spycatcher.engine.parallel import default_workers, segments
from spycatcher.store import Store
from spycatcher.synth import generate


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("net")
    generate(out, 1500, seed=3, events_per_profile=6)
    # plant bad records in the middle of both files
    for name, bad in (
        ("profiles.jsonl", [b'{"id": ', b'{"name": "no id"}', b"[1, 2]"]),
        ("events.jsonl", [b'{"type": "message", "actor": "x"}', b"not json", b""]),
    ):
        lines = (out / name).read_bytes().splitlines(keepends=True)
        mid = len(lines) // 2
        lines[mid:mid] = [b + b"\n" for b in bad]
        (out / name).write_bytes(b"".join(lines))
    return out


def _run(net: Path, workers: int, db: Path) -> tuple[list, list, dict, list, list]:
    store = Store(f"sqlite:///{db}")
    opts = ScanOptions(workers=workers, min_segment_bytes=20_000, store=store)
    with scan(net / "profiles.jsonl", net / "events.jsonl", opts) as res:
        rows = list(res.iter_ranked())
        out = (
            rows,
            res.campaigns,
            {k: v for k, v in res.summary().items() if k != "run_id"},
            [str(e) for e in res.profiles_report.errors],
            [str(e) for e in res.events_report.errors],
        )
    store.close()
    return out


def test_workers_give_the_one_process_result(network: Path, tmp_path: Path):
    assert len(segments(network / "events.jsonl", 3, 20_000)) == 3
    one = _run(network, 1, tmp_path / "one.db")
    three = _run(network, 3, tmp_path / "three.db")
    assert one[0] == three[0]  # every assessment, in ranked order
    assert one[1] == three[1] and one[1], "campaigns differ (or none found)"
    assert one[2] == three[2]
    assert one[3] == three[3] and len(one[3]) == 3
    assert one[4] == three[4] and len(one[4]) == 2  # the blank line is not an error
    # file line numbers, not numbers within a worker's byte range
    assert [e.split(":")[1] for e in three[3]] == ["751", "752", "753"]
    assert _stored(tmp_path / "one.db") == _stored(tmp_path / "three.db")


def _stored(db: Path) -> list[tuple[str, float]]:
    from sqlalchemy import select

    from spycatcher.store.models import AssessmentRow

    store = Store(f"sqlite:///{db}")
    with store.session() as s:
        got = sorted((r.profile_id, round(r.score, 9)) for r in s.scalars(select(AssessmentRow)))
    store.close()
    assert got
    return got


def test_segments_cut_at_line_starts_and_cover_the_file(tmp_path: Path):
    path = tmp_path / "x.jsonl"
    lines = [orjson.dumps({"i": i, "pad": "x" * (i % 37)}) + b"\n" for i in range(5000)]
    path.write_bytes(b"".join(lines))
    segs = segments(path, 7, min_bytes=1000)
    assert len(segs) == 7
    data = path.read_bytes()
    got = b"".join(data[s.start : s.end] for s in segs)
    assert got == data
    assert all(s.start == 0 or data[s.start - 1 : s.start] == b"\n" for s in segs)
    gz = tmp_path / "x.jsonl.gz"
    with open(path, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert [(s.start, s.end) for s in segments(gz, 7, min_bytes=1000)] == [(0, None)]


def test_gzipped_inputs_scan_the_same_with_workers(network: Path, tmp_path: Path):
    for name in ("profiles.jsonl", "events.jsonl"):
        with open(network / name, "rb") as src, gzip.open(tmp_path / (name + ".gz"), "wb") as dst:
            shutil.copyfileobj(src, dst)
    plain = scan(network / "profiles.jsonl", network / "events.jsonl", ScanOptions(workers=1))
    gz = scan(
        tmp_path / "profiles.jsonl.gz",
        tmp_path / "events.jsonl.gz",
        ScanOptions(workers=2, min_segment_bytes=20_000),
    )
    with plain, gz:
        assert list(plain.iter_ranked()) == list(gz.iter_ranked())
        assert plain.campaigns == gz.campaigns


def test_auto_workers_use_one_process_for_small_inputs(network: Path):
    assert default_workers(network / "profiles.jsonl", None) == 1
