"""Importing STIX 2.1: bad objects are rejected with id and reason, the rest loads; re-import is a
no-op; markings and PDQ hashes are understood."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from intel_fixtures import AMBER, IND_PHOTO, IND_RACHEL, PHOTO_PDQ, indicator, persona_bundle

from spycatcher.intel.catalogue import load_indicators
from spycatcher.intel.markings import TLP1_IDS, TLP2_IDS, tlp_of_definition
from spycatcher.intel.patterns import PatternError, compile_pattern
from spycatcher.intel.stix_import import import_bundle, import_file, read_bundle
from spycatcher.io.limits import UntrustedFileError
from spycatcher.store import Store
from spycatcher.store.intel import IntelRepository


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'intel.db'}")


def _with_bad_objects() -> dict:
    b = persona_bundle()
    b["objects"] += [
        # not STIX: no pattern_type
        {
            k: v
            for k, v in indicator(
                "indicator--bad00000-0001-4000-8000-000000000001",
                "x",
                "[url:value = 'https://a.example']",
            ).items()
            if k != "pattern_type"
        },
        # a pattern that does not parse
        indicator("indicator--bad00000-0002-4000-8000-000000000002", "x", "[url:value = "),
        # a PDQ hash that is not 64 hex characters
        indicator(
            "indicator--bad00000-0003-4000-8000-000000000003", "x", "[file:hashes.x_pdq = 'abc']"
        ),
        # a bad timestamp
        {
            **indicator(
                "indicator--bad00000-0004-4000-8000-000000000004",
                "x",
                "[url:value = 'https://b.example']",
            ),
            "modified": "yesterday",
        },
        # STIX 2.0 object
        {
            **indicator(
                "indicator--bad00000-0005-4000-8000-000000000005",
                "x",
                "[url:value = 'https://c.example']",
            ),
            "spec_version": "2.0",
        },
        "not an object",
        {"id": "no-type"},
    ]
    return b


def test_bad_objects_are_rejected_with_id_and_reason_and_the_rest_loads(store: Store) -> None:
    report = import_bundle(store, _with_bad_objects(), "file:partner.json")
    good = len(persona_bundle()["objects"])
    assert report.read == good + 7
    assert report.accepted == good
    reasons = {r.id: r.reason for r in report.rejected}
    assert "pattern_type" in reasons["indicator--bad00000-0001-4000-8000-000000000001"]
    assert "pattern" in reasons["indicator--bad00000-0002-4000-8000-000000000002"]
    assert "64 hexadecimal" in reasons["indicator--bad00000-0003-4000-8000-000000000003"]
    assert "modified" in reasons["indicator--bad00000-0004-4000-8000-000000000004"]
    assert "2.1" in reasons["indicator--bad00000-0005-4000-8000-000000000005"]
    assert reasons["object #20"] == "not a JSON object"
    assert "missing" in reasons["no-type"]
    ids = {r.stix_id for r in IntelRepository(store).latest_objects()}
    assert IND_RACHEL in ids and IND_PHOTO in ids
    assert not any(i.startswith("indicator--bad") for i in ids)


def test_reimport_is_idempotent_and_a_new_version_is_added(store: Store) -> None:
    b = persona_bundle()
    first = import_bundle(store, b, "file:a")
    assert first.new == first.accepted and first.unchanged == 0
    repo = IntelRepository(store)
    versions = repo.count_versions()
    added = {r.stix_id: r.added_at for r in repo.latest_objects()}
    again = import_bundle(store, copy.deepcopy(b), "file:a")
    assert again.new == 0 and again.unchanged == again.accepted
    assert repo.count_versions() == versions
    assert {r.stix_id: r.added_at for r in repo.latest_objects()} == added
    # a newer version of one indicator is a new row; the latest is the one matched
    b2 = copy.deepcopy(b)
    ind = next(o for o in b2["objects"] if o["id"] == IND_RACHEL)
    ind["modified"] = "2024-04-01T00:00:00.000Z"
    ind["pattern"] = "[user-account:account_login = 'rachel-li-2']"
    third = import_bundle(store, b2, "file:a")
    assert third.new == 1
    assert repo.count_versions() == versions + 1
    latest = {i.id: i for i in load_indicators(store)}
    assert "rachel-li-2" in str(latest[IND_RACHEL].tree)


def test_revoked_indicator_is_not_matched(store: Store) -> None:
    b = persona_bundle()
    ind = next(o for o in b["objects"] if o["id"] == IND_RACHEL)
    ind.update(modified="2024-05-01T00:00:00.000Z", revoked=True)
    import_bundle(store, b, "file:a")
    assert IND_RACHEL not in {i.id for i in load_indicators(store)}


def test_markings_producer_actor_and_sightings_reach_the_indicator(store: Store) -> None:
    import_bundle(store, persona_bundle(), "taxii:https://partner.example/api1/#coll")
    by_id = {i.id: i for i in load_indicators(store)}
    rachel = by_id[IND_RACHEL]
    assert rachel.marking.tlp == "amber" and AMBER in rachel.marking.refs
    assert rachel.producer == "Example National Authority"
    assert [a["name"] for a in rachel.actors] == ["Nevernight (example)"]
    assert rachel.sightings == 12
    assert rachel.source.startswith("taxii:")
    rows = {r.stix_id: r for r in IntelRepository(store).latest_objects(["indicator"])}
    assert rows[IND_RACHEL].tlp == "amber"


def test_tlp_definitions_both_versions() -> None:
    import stix2

    assert tlp_of_definition(stix2.TLP_RED._inner) == "red"
    assert TLP1_IDS["amber"] == stix2.TLP_AMBER.id
    assert TLP1_IDS["white"] == stix2.TLP_WHITE.id
    custom_red = {
        "type": "marking-definition",
        "id": "marking-definition--00000000-0000-4000-8000-000000000001",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {"tlp_2_0": "red"}
        },
    }
    assert tlp_of_definition(custom_red) == "red"
    assert tlp_of_definition({"id": TLP2_IDS["amber+strict"]}) == "amber+strict"
    # a name alone is not trusted
    assert tlp_of_definition({"id": "marking-definition--x", "name": "TLP:RED"}) is None


def test_pdq_custom_hash_name_and_aliases() -> None:
    for name in ("x_pdq", "'x-pdq'", "pdq", "PDQ"):
        c = compile_pattern(f"[file:hashes.{name} = '{PHOTO_PDQ.upper()}']")
        assert c["facets"] == ["pdq"]
        assert c["tree"]["values"] == [PHOTO_PDQ]
    with pytest.raises(PatternError, match="64 hexadecimal"):
        compile_pattern("[artifact:hashes.x_pdq = 'zz']")


def test_patterns_are_parsed_not_evaluated() -> None:
    hostile = "[user-account:display_name = '__import__(\\'os\\').system(\\'x\\')']"
    c = compile_pattern(hostile)
    assert c["tree"]["values"] == ["__import__('os').system('x')"]
    with pytest.raises(PatternError):
        compile_pattern("[user-account:account_login = 'x'] ; drop table")
    with pytest.raises(PatternError, match="same object type"):
        compile_pattern("[user-account:account_login = 'x' AND url:value = 'y']")


def test_bundle_file_limits_and_shapes(tmp_path: Path, store: Store) -> None:
    p = tmp_path / "b.json"
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(UntrustedFileError, match="not JSON"):
        read_bundle(p)
    p.write_text('{"type": "bundle", "objects": []}', encoding="utf-8")
    with pytest.raises(UntrustedFileError, match="limit of 10"):
        read_bundle(p, max_bytes=10)
    p.write_text('"just a string"', encoding="utf-8")
    with pytest.raises(UntrustedFileError, match="expected a STIX bundle"):
        read_bundle(p)
    import json

    p.write_text(json.dumps(persona_bundle()), encoding="utf-8")
    assert import_file(store, p).source == "file:b.json"


def test_intel_tables_on_sqlite_and_postgresql(db_url: str) -> None:
    """The same imports, versions, exports and TAXII paging on both databases."""
    from datetime import UTC, datetime, timedelta

    store = Store(db_url)
    try:
        b = persona_bundle()
        first = import_bundle(store, b, "file:a")
        again = import_bundle(store, copy.deepcopy(b), "file:a")
        assert again.new == 0 and again.unchanged == first.accepted
        ind = next(o for o in b["objects"] if o["id"] == IND_RACHEL)
        ind["modified"] = "2024-04-01T00:00:00.000Z"
        assert import_bundle(store, b, "file:a").new == 1
        repo = IntelRepository(store)
        latest = {r.stix_id: r for r in repo.latest_objects(["indicator"])}
        assert latest[IND_RACHEL].version == "2024-04-01T00:00:00.000000Z"
        assert len(load_indicators(store)) == 6

        t0 = datetime(2024, 6, 1, tzinfo=UTC)
        rows = [
            {
                "stix_id": f"indicator--{i:08d}-0000-4000-8000-000000000000",
                "type": "indicator",
                "version": "v",
                "spec_version": "2.1",
                "content_hash": str(i),
                "date_added": t0 + timedelta(seconds=i // 2),
                "tlp": "amber",
                "raw": {"n": i},
            }
            for i in range(7)
        ]
        repo.upsert_exports(rows)
        seen: list[str] = []
        cursor = None
        while True:
            page = repo.page_exports(after_key=cursor, limit=3)
            if not page:
                break
            seen += [r.stix_id for r in page]
            cursor = (page[-1].date_added, page[-1].stix_id)
        assert seen == [r["stix_id"] for r in rows]
        after = repo.page_exports(added_after=t0 + timedelta(seconds=1), limit=10)
        assert [r.raw["n"] for r in after] == [4, 5, 6]
    finally:
        store.close()
