"""The zero-shot scorer: prior, weights, damping of overlapping reasons, and what a score means."""

import math

import pytest

from spycatcher.schema import Profile
from spycatcher.scoring.assessment import HIGH, MEDIUM
from spycatcher.scoring.zero_shot import FAMILY_DAMPING, PRIOR_LOGIT, ZeroShotScorer
from spycatcher.signals.audience import AudienceDetector
from spycatcher.signals.base import ProfileContext, Signal, SignalSpec
from spycatcher.signals.registry import all_specs

SPECS = {
    s.name: s
    for s in (
        SignalSpec("x.a", "a", 1.0, "advice"),
        SignalSpec("x.b", "b", 1.0, "advice"),
        SignalSpec("x.c", "c", 1.0, "advice", overlap="x.own"),
        SignalSpec("x.safe", "safe", -1.0, "advice"),
    )
}


def contrib(*names: str) -> dict[str, float]:
    return ZeroShotScorer(SPECS).contributions([Signal(n, 1.0, "") for n in names])


def test_no_evidence_scores_the_prior():
    a = ZeroShotScorer(SPECS).score(Profile(id="p"), [])
    assert a.score == pytest.approx(1 / (1 + math.exp(-PRIOR_LOGIT)))
    assert a.level == "low" and a.contributions == {}


def test_reasons_of_one_family_are_damped_but_a_separate_overlap_group_is_not():
    got = contrib("x.a", "x.b", "x.c")
    # x.a and x.b restate one fact: the second counts FAMILY_DAMPING as much
    assert sorted([got["x.a"], got["x.b"]]) == pytest.approx([FAMILY_DAMPING, 1.0])
    # x.c is its own fact (its spec names another overlap group): it counts in full
    assert got["x.c"] == pytest.approx(1.0)
    # reassuring reasons are never damped
    assert contrib("x.safe", "x.a")["x.safe"] == pytest.approx(-1.0)


def test_audience_reasons_are_damped_only_against_the_same_fact():
    specs = all_specs()
    groups = {s.name: specs[s.name].group for s in AudienceDetector.specs}
    assert groups["profile.follow_ratio"] == groups["profile.few_followers"]
    assert groups["profile.inactive"] == groups["profile.no_interaction"]
    assert len({groups[n] for n in groups}) == 4
    # and none of them is damped against the career reasons of the profile family
    assert specs["profile.thin_history"].group == "profile"
    assert "profile" not in groups.values()


def test_a_bulk_shell_account_reaches_high_and_one_weak_reason_stays_low():
    shell = Profile.model_validate(
        {
            "id": "s",
            "platform": "twitter",
            "name": "Robert B",
            "url": "https://twitter.com/RobertB60500658",
            "counts": {"followers": 3, "following": 1900, "posts": 0, "favourites": 0},
        }
    )
    scorer = ZeroShotScorer()
    sigs = list(AudienceDetector().detect(shell, ProfileContext()))
    assert scorer.score(shell, sigs).score >= HIGH
    quiet = Profile(id="q", platform="twitter", summary="", counts={"followers": 200})
    sigs = list(AudienceDetector().detect(quiet, ProfileContext()))
    assert [s.name for s in sigs] == ["profile.empty_bio"]
    assert scorer.score(quiet, sigs).score < MEDIUM
