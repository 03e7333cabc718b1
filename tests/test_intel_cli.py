"""``spycatcher intel import / export / list`` end to end on a temporary database."""

from __future__ import annotations

import json
from pathlib import Path

import stix2
from intel_fixtures import AMBER, network, persona_bundle, write_json
from test_intel_misp import misp_event
from typer.testing import CliRunner

from spycatcher.cli import app
from spycatcher.engine.local import ScanOptions, scan
from spycatcher.io.records import LoadReport, read_events, read_profiles
from spycatcher.store import Store

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    text = res.output + (res.stderr if res.stderr_bytes is not None else "")
    return res.exit_code, text if "--json" in args else " ".join(text.split())  # Rich wraps


def test_intel_cli(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    bundle = persona_bundle()
    bundle["objects"].append({"type": "indicator", "id": "indicator--bad", "pattern": "["})
    path = write_json(tmp_path / "partner.json", bundle)

    code, text = run("intel", "import", str(path), "--db", db)
    assert code == 0, text
    assert "rejected 1" in text and "indicator--bad" in text

    code, text = run("intel", "import", str(path), "--db", db)
    assert code == 0 and "0 new" in text

    code, text = run(
        "intel", "import", str(write_json(tmp_path / "e.json", misp_event())), "--db", db
    )
    assert code == 0, text
    assert "misp:e.json" in text

    code, text = run("intel", "list", "--db", db, "--json")
    assert code == 0, text
    listed = json.loads(text[text.index("{") :])
    assert listed["matchable_indicators"] >= 10
    assert any(i["marking"] == "TLP:AMBER" and i["actor"] for i in listed["indicators"])

    # neither a file nor a feed, or both: a usage error
    code, _ = run("intel", "import", "--db", db)
    assert code != 0

    # scan with the intelligence, then export in both formats
    store = Store(db)
    profiles, events = network(tmp_path)
    store.upsert_profiles(read_profiles(profiles, LoadReport()))
    store.upsert_events(read_events(events, LoadReport()))
    with scan(profiles, events, ScanOptions(store=store, stage_options={"store": store})):
        pass
    out = tmp_path / "out.json"
    code, text = run("intel", "export", "--format", "stix", "-o", str(out), "--db", db)
    assert code == 0, text
    exported = json.loads(out.read_text(encoding="utf-8"))
    stix2.parse(exported, allow_custom=True)
    assert any(AMBER in o.get("object_marking_refs", []) for o in exported["objects"])
    code, text = run("intel", "export", "--format", "stix", "-o", str(out), "--db", db)
    assert "0 new" in text and "0 updated" in text

    misp_out = tmp_path / "out.misp.json"
    code, text = run("intel", "export", "--format", "misp", "-o", str(misp_out), "--db", db)
    assert code == 0, text
    assert "rachel-li-hr" in misp_out.read_text(encoding="utf-8")

    code, text = run(
        "intel", "export", "--format", "stix", "-o", str(out), "--db", db, "--tlp", "red"
    )
    assert code == 2 and "never exported" in text
