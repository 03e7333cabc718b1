"""Each profile red flag fires on the profile it describes and stays quiet on an ordinary one."""

from datetime import UTC, datetime

import pytest

from spycatcher.schema import Profile
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.profile import EmployerStage, ProfileDetector

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)

GENUINE = {
    "id": "g",
    "name": "Priya Raman",
    "headline": "Software engineer at Globex",
    "summary": "I build data pipelines for logistics planning and teach a weekly Python class.",
    "location": "Leeds",
    "created_at": "2013-04-02",
    "experience": [
        {"title": "Engineer", "company": "Acme Ltd", "start": "2012-09", "end": "2017-03"},
        {"title": "Software engineer", "company": "Globex", "start": "2017-04"},
    ],
    "education": [
        {"school": "University of Leeds", "degree": "BSc", "start": "2009", "end": "2012"}
    ],
    "skills": ["python", "sql"],
    "counts": {"connections": 310},
}


def names(profile: dict, ctx: ProfileContext | None = None) -> dict[str, str]:
    ctx = ctx or ProfileContext(as_of=AS_OF)
    return {s.name: s.evidence for s in ProfileDetector().detect(Profile(**profile), ctx)}


def with_(**changes):
    return {**GENUINE, **changes}


def test_genuine_profile_raises_only_reassuring_signals():
    assert set(names(GENUINE)) == {"profile.established"}


@pytest.mark.parametrize(
    "headline, persona",
    [
        ("Headhunter at RiseHR", "headhunter or recruiter"),
        ("Research Fellow, Center for Sino-Europe Development Studies", "think-tank researcher"),
        ("Independent consultant", "consultant"),
        ("Visiting scholar", "scholar"),
    ],
)
def test_persona(headline, persona):
    got = names(with_(headline=headline))
    assert persona in got["profile.persona"]


def test_shell_employer_needs_a_front_like_name_and_no_colleagues():
    prof = with_(
        experience=[
            {
                "title": "Manager",
                "company": "China Center of International Politics and Economy",
                "start": "2015",
            }
        ]
    )
    ctx = ProfileContext(
        as_of=AS_OF,
        extra={"employer_staff": {"china center of international politics and economy": 1}},
    )
    assert "0 other members" in names(prof, ctx)["profile.shell_employer"]
    big = ProfileContext(
        as_of=AS_OF,
        extra={"employer_staff": {"china center of international politics and economy": 400}},
    )
    assert "profile.shell_employer" not in names(prof, big)
    plain = ProfileContext(as_of=AS_OF, extra={"employer_staff": {"globex": 1}})
    assert "profile.shell_employer" not in names(GENUINE, plain)


def test_employer_stage_counts_staff():
    st = EmployerStage()
    for i in range(3):
        st.observe_profile(Profile(id=str(i), experience=[{"company": "Globex "}]))
    ctx = ProfileContext()
    st.annotate(Profile(id="x", experience=[{"company": "globex"}]), ctx)
    assert ctx.extra["employer_staff"] == {"globex": 3}


def test_young_account_with_long_career():
    got = names(
        with_(
            created_at="2026-04-01",
            experience=[{"title": "Partner", "company": "X", "start": "2008"}],
        )
    )
    assert "61 days ago" in got["profile.young_account"]
    assert "profile.young_account" not in names(
        with_(
            created_at="2026-04-01",
            experience=[{"title": "Intern", "company": "X", "start": "2025-09"}],
        )
    )


def test_seniority_mismatch():
    got = names(
        with_(
            headline="Managing Director",
            experience=[{"title": "Managing Director", "company": "Y", "start": "2023"}],
        )
    )
    assert "profile.seniority_mismatch" in got
    assert "profile.seniority_mismatch" not in names(GENUINE)


def test_thin_history_and_incomplete():
    got = names({"id": "t", "name": "A B"})
    assert "profile.thin_history" in got and "profile.incomplete" in got


def test_inconsistent_dates():
    got = names(with_(experience=[{"company": "Z", "start": "2020", "end": "2018"}]))
    assert "ends before it starts" in got["profile.inconsistent_dates"]


def test_connections_mismatch():
    got = names(
        with_(
            created_at="2026-03-01",
            counts={"connections": 500},
            experience=[{"company": "Q", "start": "2024"}],
        )
    )
    assert "500+" in got["profile.connections_mismatch"]
    assert "profile.connections_mismatch" not in names(with_(counts={"connections": 800}))


def test_buzzword_summary():
    s = (
        "Passionate dynamic professional with a global network connecting exceptional talents "
        "with exclusive high-end opportunities for win-win cooperation"
    )
    assert "profile.buzzword_summary" in names(with_(summary=s))
    assert "profile.buzzword_summary" not in names(GENUINE)


def test_verified_lowers_risk():
    assert "profile.verified" in names(with_(verified=True))
