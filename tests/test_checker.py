"""The member's check: plain reasons, a level, the 4 Rs, and hostile text kept inert."""

import json

from typer.testing import CliRunner

from spycatcher.checker import check_profile, load_profile_json
from spycatcher.cli import app

PERSONA = {
    "id": "rachel",
    "name": "Rachel Li [bold]<script>alert(1)</script>",
    "headline": "Headhunter at RiseHR",
    "created_at": "2026-10-01",
    "counts": {"connections": 500},
    "experience": [{"title": "Senior Director", "company": "RiseHR Consulting", "start": "2008"}],
}
LURE = (
    "Your expertise is exactly what our client needs. We pay 2,000 USD for a short report on "
    "your current projects, all expenses paid trip to Shanghai. Add me on WhatsApp please."
)


def test_persona_with_lure_is_high_risk_with_reasons_and_the_four_rs():
    v = check_profile(load_profile_json(json.dumps(PERSONA).encode()), message=LURE)
    assert v["level"] == "high"
    names = {r["name"] for r in v["reasons"]}
    assert "profile.young_account" in names
    assert any(n.startswith("message.") for n in names)
    assert [s["step"] for s in v["what_to_do"]] == ["Recognise", "Realise", "Report", "Remove"]
    assert all(r["title"] and r["evidence"] for r in v["reasons"])


def test_ordinary_profile_is_not_high():
    plain = {
        "id": "p",
        "name": "Sam Roe",
        "headline": "Teacher",
        "created_at": "2012-01-01",
        "verified": True,
        "location": "Hull",
        "skills": ["maths"],
        "experience": [{"title": "Teacher", "company": "Hull College", "start": "2012"}],
        "education": [{"school": "University of Hull", "end": "2011"}],
    }
    v = check_profile(
        load_profile_json(json.dumps(plain).encode()),
        message="Great to meet you at the open day, see you next term.",
    )
    assert v["level"] != "high"


def test_cli_check_escapes_hostile_text_and_rejects_bad_input(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps(PERSONA))
    res = CliRunner().invoke(app, ["check", str(f), "--message", LURE])
    assert res.exit_code == 0, res.output
    assert "<script>alert(1)</script>" in res.output  # shown literally, markup not applied
    assert "[bold]" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "", "name": "x"}')
    res = CliRunner().invoke(app, ["check", str(bad)])
    assert res.exit_code == 2
    assert "id" in res.output
