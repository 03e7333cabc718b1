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


def test_ordinary_cues_are_worth_knowing_but_do_not_raise_the_score():
    """A stranger's bare "add me on WhatsApp" is not a lure flag (colleagues and recruiters ask
    it too) but the member deciding about the approach hears of it, without a score change."""
    profile = load_profile_json(json.dumps(PERSONA).encode())
    bare = "Hello, please add me on WhatsApp so we can talk more."
    v = check_profile(profile, message=bare)
    assert not any(r["name"].startswith("message.") for r in v["reasons"])
    cues = v["worth_knowing"]
    assert [c["category"] for c in cues] == ["off_platform"]
    assert cues[0]["quote"] == "WhatsApp" and "not a warning sign on its own" in cues[0]["advice"]
    assert v["score"] == check_profile(profile, message="Hello, glad to connect.")["score"]
    # beside a real lure the same request is flagged, so it is a reason, not a cue
    v = check_profile(profile, message=LURE)
    assert any(r["name"] == "message.off_platform" for r in v["reasons"])
    assert all(c["category"] != "off_platform" for c in v["worth_knowing"])


def test_cli_shows_cues_as_text(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps(PERSONA))
    msg = "[bold]Add me on WhatsApp[/bold] <b>please</b>"
    res = CliRunner().invoke(app, ["check", str(f), "--message", msg])
    assert res.exit_code == 0, res.output
    assert "Worth knowing" in res.output and "WhatsApp" in res.output
