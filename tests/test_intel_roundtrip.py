"""The acceptance round trip: import a bundle naming three fake personas and one photo hash, scan a
small network where they appear, export; the export validates and carries the original marking."""

from __future__ import annotations

import json
from pathlib import Path

import stix2
from intel_fixtures import AMBER, RED, network, persona_bundle, write_json

from spycatcher.engine.local import ScanOptions, scan
from spycatcher.intel.outbox import export_from_store
from spycatcher.intel.stix_export import write_bundle
from spycatcher.intel.stix_import import import_file
from spycatcher.io.records import LoadReport, read_events, read_profiles
from spycatcher.store import Store
from spycatcher.store.intel import IntelRepository

PERSONAS = {"p-rachel": "account", "p-alex": "url", "p-lily": "email", "p-laeticia": "photo"}


def test_import_scan_export_round_trip(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'spycatcher.db'}")
    report = import_file(store, write_json(tmp_path / "partner.json", persona_bundle()))
    assert report.rejected == [] and report.accepted == len(persona_bundle()["objects"])

    profiles, events = network(tmp_path, secret=True)
    store.upsert_profiles(read_profiles(profiles, LoadReport()))
    store.upsert_events(read_events(events, LoadReport()))
    opts = ScanOptions(store=store, stage_options={"store": store})
    with scan(profiles, events, opts) as result:
        rows = {r["id"]: r for r in result.iter_ranked()}
    # every persona is found through the intelligence, with the right kind of match
    for pid, kind in PERSONAS.items():
        intel = [s for s in rows[pid]["signals"] if s["name"].startswith("intel.")]
        assert [s["data"]["kind"] for s in intel] == [kind], pid
        assert "Example National Authority" in intel[0]["evidence"]
        assert "Nevernight (example)" in intel[0]["evidence"]
        assert "TLP:AMBER" in intel[0]["evidence"]
        assert rows[pid]["level"] == "high"
    secret_intel = [s for s in rows["p-secret"]["signals"] if s["name"].startswith("intel.")]
    assert secret_intel[0]["data"]["marking"] == "TLP:RED"
    # genuine members raise no intelligence signal
    genuine = [r for pid, r in rows.items() if pid.startswith("g")]
    assert genuine and not any(
        s["name"].startswith("intel.") for r in genuine for s in r["signals"]
    )

    export = export_from_store(store)
    out = tmp_path / "export.json"
    write_bundle(export.bundle, out)
    bundle = json.loads(out.read_text(encoding="utf-8"))
    stix2.parse(bundle, allow_custom=True)  # validates

    accounts = {o["user_id"]: o for o in bundle["objects"] if o["type"] == "user-account"}
    assert set(accounts) == set(PERSONAS)  # p-secret's only intelligence was TLP:RED
    for o in bundle["objects"]:
        if o["type"] in ("user-account", "indicator", "sighting", "observed-data"):
            assert AMBER in o["object_marking_refs"], o["id"]
    assert RED not in out.read_text(encoding="utf-8")
    assert "p-secret" not in out.read_text(encoding="utf-8")
    assert any(w[0] == "profile p-secret" for w in export.withheld)
    # the photo hash travels under x_pdq
    assert any(o.get("hashes", {}).get("x_pdq") for o in bundle["objects"] if o["type"] == "file")

    # a second export updates nothing and duplicates nothing
    served = IntelRepository(store).count_exports()
    again = export_from_store(store)
    assert again.bundle == export.bundle
    assert IntelRepository(store).count_exports() == served
