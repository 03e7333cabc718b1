"""Reasons fire on evidence only: what a platform (and the data about it) cannot show is not held
against a profile: career sections on Twitter, posting on LinkedIn, a photo in a photo-less dataset.
"""

import json
from datetime import UTC, datetime

from spycatcher.engine.local import ScanOptions, scan
from spycatcher.engine.stages import stage_classes
from spycatcher.schema import Profile
from spycatcher.signals.audience import AudienceDetector
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.photo import PhotoDetector
from spycatcher.signals.platforms import (
    POPULATION_KEY,
    PlatformStage,
    PlatformTraits,
    platform_traits,
)
from spycatcher.signals.profile import ProfileDetector

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
CAREER_SIGNALS = {"profile.thin_history", "profile.incomplete", "profile.seniority_mismatch"}


def fired(data: dict, ctx: ProfileContext | None = None) -> set[str]:
    p = Profile.model_validate({"id": "x", **data})
    ctx = ctx or ProfileContext(as_of=AS_OF)
    out: set[str] = set()
    for det in (ProfileDetector(), AudienceDetector(), PhotoDetector()):
        out |= {s.name for s in det.detect(p, ctx)}
    return out


def stage_ctx(profiles: list[dict], who: dict) -> ProfileContext:
    """The context PlatformStage gives ``who`` after observing ``profiles`` (as a scan does)."""
    st = PlatformStage()
    for i, d in enumerate(profiles):
        st.observe_profile(Profile.model_validate({"id": f"p{i}", **d}))
    ctx = ProfileContext(as_of=AS_OF)
    st.annotate(Profile.model_validate({"id": "x", **who}), ctx)
    return ctx


EMPTY_TWEETER = {
    "platform": "twitter",
    "name": "Giulia Rossi",
    "headline": "Managing Director",
    "summary": "Torino.",
    "counts": {"followers": 400, "following": 300, "posts": 3},
}
QUIET_LINKEDIN = {
    "platform": "linkedin",
    "name": "Priya Raman",
    "headline": "Software engineer at Globex",
    "summary": "I build data pipelines for logistics planning.",
    "location": "Leeds",
    "photo": {"pdq": "ab" * 32},
    "experience": [
        {"title": "Engineer", "company": "Acme", "start": "2012-09", "end": "2017-03"},
        {"title": "Software engineer", "company": "Globex", "start": "2017-04"},
    ],
    "education": [{"school": "University of Leeds", "end": "2012"}],
    "counts": {"connections": 310, "followers": 320, "posts": 0},
}


def test_no_career_reasons_on_a_platform_without_career_sections():
    got = fired(EMPTY_TWEETER)
    assert not got & CAREER_SIGNALS
    # the same empty record on LinkedIn is negative evidence: the sections exist and are empty
    assert {"profile.thin_history", "profile.incomplete", "profile.seniority_mismatch"} <= fired(
        {**EMPTY_TWEETER, "platform": "linkedin"}
    )


def test_connections_mismatch_on_a_social_platform_does_not_cite_a_missing_career():
    data = {**EMPTY_TWEETER, "counts": {"connections": 900}}
    assert "profile.connections_mismatch" not in fired(data)
    assert "profile.connections_mismatch" in fired({**data, "platform": "linkedin"})


def test_posting_little_is_evidence_where_members_post_not_on_linkedin():
    assert "profile.inactive" not in fired(QUIET_LINKEDIN)
    assert "profile.inactive" in fired({**QUIET_LINKEDIN, "platform": "instagram"})


def test_empty_photo_object_is_a_photo_and_null_is_none():
    assert "photo.missing" not in fired({**QUIET_LINKEDIN, "photo": {}})
    assert "photo.missing" in fired({**QUIET_LINKEDIN, "photo": None})
    no_field = {k: v for k, v in QUIET_LINKEDIN.items() if k != "photo"}
    assert "photo.missing" in fired(no_field)


def test_a_dataset_without_any_photo_information_shows_no_missing_photo():
    no_photo = {k: v for k, v in QUIET_LINKEDIN.items() if k != "photo"}
    ctx = stage_ctx([no_photo] * 30, no_photo)
    assert "photo.missing" not in fired(no_photo, ctx)
    # one profile in the data with a photo: the data does tell photos apart
    ctx = stage_ctx([no_photo] * 29 + [QUIET_LINKEDIN], no_photo)
    assert "photo.missing" in fired(no_photo, ctx)
    # too few profiles to judge by: the record is taken at its word
    assert "photo.missing" in fired(no_photo, stage_ctx([no_photo] * 5, no_photo))


def test_known_career_platform_whose_data_carries_no_careers():
    bare = {"platform": "linkedin", "name": "A B", "headline": "Director"}
    assert platform_traits(Profile(id="x", **bare), stage_ctx([bare] * 40, bare)) == (
        PlatformTraits(career_sections=False, posting_is_core=False, photos_known=False)
    )
    assert not fired(bare, stage_ctx([bare] * 40, bare)) & CAREER_SIGNALS


def test_unknown_platform_is_judged_by_its_population_or_by_the_record():
    quiet = {**QUIET_LINKEDIN, "platform": "forum-x"}
    poster = {**quiet, "counts": {"followers": 50, "posts": 400}}
    # most members post and list careers: silence and an empty career are evidence
    ctx = stage_ctx([poster] * 30, quiet)
    t = platform_traits(Profile.model_validate({"id": "x", **quiet}), ctx)
    assert t.career_sections is True and t.posting_is_core is True
    # most members are silent, nobody lists a career: neither is evidence
    bare = {"platform": "forum-x", "name": "A B", "counts": {"posts": 1}}
    ctx = stage_ctx([bare] * 30, bare)
    t = platform_traits(Profile.model_validate({"id": "x", **bare}), ctx)
    assert t.career_sections is False and t.posting_is_core is False
    assert "profile.inactive" not in fired(bare, ctx)
    # a lone profile (spycatcher check): a listed career shows the section exists; posting unjudged
    lone = platform_traits(Profile.model_validate({"id": "x", **quiet}), ProfileContext())
    assert lone.career_sections is True and lone.posting_is_core is None
    lone = platform_traits(Profile.model_validate({"id": "x", **bare}), ProfileContext())
    assert lone.career_sections is None


def test_platform_stage_merges_partial_counts_like_one_pass():
    rows = [QUIET_LINKEDIN, EMPTY_TWEETER, {**QUIET_LINKEDIN, "photo": None}] * 4
    whole = PlatformStage()
    a, b = PlatformStage({"partial": True}), PlatformStage({"partial": True})
    for i, d in enumerate(rows):
        p = Profile.model_validate({"id": f"p{i}", **d})
        whole.observe_profile(p)
        (a if i < 5 else b).observe_profile(p)
    a.merge(b)
    assert a.counts == whole.counts
    assert whole.counts["linkedin"] == {
        "profiles": 8, "career": 8, "photo": 4, "posts_known": 8, "posts_few": 8
    }  # fmt: skip
    ctx = ProfileContext()
    whole.annotate(Profile(id="x", platform="LinkedIn"), ctx)
    assert ctx.extra[POPULATION_KEY]["profiles"] == 8


def test_stage_runs_in_every_scan(tmp_path):
    assert PlatformStage in stage_classes()
    rows = [{"id": f"t{i}", **EMPTY_TWEETER} for i in range(25)]
    f = tmp_path / "p.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    with scan(f, None, ScanOptions(as_of=AS_OF, find_campaigns=False)) as result:
        names = {s["name"] for r in result.top(30) for s in r["signals"]}
    # no photo field anywhere: not a missing photo; Twitter: no career reasons
    assert not names & (CAREER_SIGNALS | {"photo.missing"})
