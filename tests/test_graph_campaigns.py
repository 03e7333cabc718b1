"""Campaigns from handmade suspects: what links personas, what must not, and stable ids."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from spycatcher.engine.traits import SuspectTraits
from spycatcher.graph import campaigns as cmod
from spycatcher.graph.campaigns import (
    Campaign,
    CampaignDetector,
    campaign_id,
    campaign_signals,
    find_campaigns,
    shell_employers,
)
from spycatcher.schema import Profile
from spycatcher.scoring.zero_shot import ZeroShotScorer
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.registry import all_specs

T0 = datetime(2024, 1, 10, tzinfo=UTC)
AS_OF = datetime(2024, 6, 1, tzinfo=UTC)
PHOTO = "f" * 16 + "0" * 16 + "a5" * 16
# the same picture after re-compression: 6 bits flipped
PHOTO_NEAR = "f" * 15 + "8" + "0" * 16 + "a5" * 15 + "a4"
OTHER_PHOTO = "0123456789abcdef" * 4


def sus(pid: str, **kw: object) -> SuspectTraits:
    kw.setdefault("score", 0.5)
    kw.setdefault("created_at", T0 + timedelta(days=random.Random(pid).randint(0, 300)))
    return SuspectTraits(profile_id=pid, **kw)  # type: ignore[arg-type]


def by_members(camps: list[Campaign]) -> list[set[str]]:
    return sorted((set(c.members) for c in camps), key=lambda s: sorted(s))


def test_shared_photo_links_personas_even_when_the_hash_differs_a_little() -> None:
    traits = [
        sus("a1", photo_pdq=PHOTO),
        sus("a2", photo_pdq=PHOTO),
        sus("a3", photo_pdq=PHOTO_NEAR),
        sus("x1", photo_pdq=OTHER_PHOTO),
    ]
    camps = find_campaigns(traits, AS_OF)
    assert by_members(camps) == [{"a1", "a2", "a3"}]
    c = camps[0]
    assert c.links["photo"] == 3
    assert "3 of the 3 profiles use the same photo." in c.evidence


def test_unrelated_suspects_stay_apart() -> None:
    same_day = T0
    traits = [
        # same big employer (the population shows hundreds of genuine staff) and same week
        sus("g1", employers=["google"], created_at=same_day),
        sus("g2", employers=["google"], created_at=same_day + timedelta(days=1)),
        # same creation day, nothing else
        sus("d1", created_at=same_day),
        sus("d2", created_at=same_day),
        # one templated field is a coincidence, not a campaign
        sus("t1", template_matches={"summary": ["t2"]}),
        sus("t2", template_matches={"summary": ["t1"]}),
        # a common website and a generic employer
        sus("w1", contacts=["web:linkedin.com"], employers=["self-employed"], created_at=same_day),
        sus("w2", contacts=["web:linkedin.com"], employers=["self-employed"], created_at=same_day),
        # one shared target
        sus("p1", targets=["v1", "v2", "v3"]),
        sus("p2", targets=["v1", "v8", "v9"]),
    ]
    assert find_campaigns(traits, AS_OF, employer_staff={"google": 800}) == []


def test_two_weak_links_make_a_campaign_one_does_not() -> None:
    pool = [f"v{i}" for i in range(8)]
    traits = [
        # the same summary template and overlapping targets
        sus("t1", template_matches={"summary": ["t2"]}, targets=["z1", "z2", "z3"]),
        sus("t2", template_matches={"summary": ["t1"]}, targets=["z1", "z2", "z4"]),
        # the same summary and lure message: operators share lure scripts, so that is not enough
        sus("m1", template_matches={"summary": ["m2"], "message": ["m2"]}),
        sus("m2", template_matches={"summary": ["m1"], "message": ["m1"]}),
        # shell employer + creation burst + overlapping targets
        sus("r1", employers=["risehr"], created_at=T0, targets=pool[:5]),
        sus("r2", employers=["risehr"], created_at=T0 + timedelta(days=2), targets=pool[2:7]),
        sus("r3", employers=["risehr"], created_at=T0 + timedelta(days=1), targets=pool[3:8]),
        # overlapping targets + the same uncommon website
        sus("o1", targets=["w1", "w2", "w3", "w4"], contacts=["web:sino-euro.org"]),
        sus("o2", targets=["w2", "w3", "w4", "w5"], contacts=["web:sino-euro.org"]),
    ]
    camps = find_campaigns(traits, AS_OF, employer_staff={"risehr": 3})
    assert by_members(camps) == [{"o1", "o2"}, {"r1", "r2", "r3"}, {"t1", "t2"}]
    rise = next(c for c in camps if "r1" in c.members)
    assert rise.links == {"burst": 3, "employer": 3, "targets": 3}
    assert any("“risehr”" in e and "no one else in the data" in e for e in rise.evidence)
    assert any("created within 3 days" in e for e in rise.evidence)
    o = next(c for c in camps if "o1" in c.members)
    assert o.targets[:3] == ["w2", "w3", "w4"]  # approached by both first
    assert any("approached 3 of the same people" in e for e in o.evidence)


def test_context_alone_never_links() -> None:
    """New hires of a small firm who joined the same week share an employer and a burst only;
    the firm's fifth employee is not a suspect, so it is not a confirmed shell."""
    traits = [
        sus(f"n{i}", employers=["solent quantum"], created_at=T0 + timedelta(hours=i))
        for i in range(4)
    ]
    assert find_campaigns(traits, AS_OF, employer_staff={"solent quantum": 5}) == []
    # headlines are too short to be a template, so headline + burst is context too
    hl = [
        sus("h1", template_matches={"headline": ["h2"]}, created_at=T0),
        sus("h2", template_matches={"headline": ["h1"]}, created_at=T0),
    ]
    assert find_campaigns(hl, AS_OF) == []


def test_an_employer_only_suspects_list_is_a_strong_link() -> None:
    traits = [sus(f"s{i}", employers=["risehr"]) for i in range(3)] + [sus("x", employers=["acme"])]
    camps = find_campaigns(traits, AS_OF, employer_staff={"risehr": 3, "acme": 1})
    assert by_members(camps) == [{"s0", "s1", "s2"}]
    # two suspects are not enough to confirm a shell on its own
    assert find_campaigns(traits[:2], AS_OF, employer_staff={"risehr": 2}) == []


def test_targeted_organisations_count_once_with_targets() -> None:
    orgs = ["home office", "cobalt cloud", "ministry of defence"]
    traits = [
        # the same organisations approached + a creation burst
        sus("a1", target_orgs=orgs, created_at=T0),
        sus("a2", target_orgs=orgs[:2], created_at=T0 + timedelta(days=1)),
        # the same organisations and the same people: one behaviour, still one weak link
        sus("b1", target_orgs=orgs, targets=["v1", "v2", "v3"]),
        sus("b2", target_orgs=orgs, targets=["v1", "v2", "v3"]),
    ]
    assert by_members(find_campaigns(traits, AS_OF)) == [{"a1", "a2"}]


def test_colleagues_at_a_real_employer_joining_together_is_no_burst() -> None:
    orgs = ["home office", "cobalt cloud"]
    traits = [
        sus(f"r{i}", employers=["maritime centre"], target_orgs=orgs, created_at=T0)
        for i in range(2)
    ]
    # a real employer (many staff who are not suspects): a research team joining in one week
    assert find_campaigns(traits, AS_OF, employer_staff={"maritime centre": 40}) == []
    # the same two accounts claiming nothing in common do form a group
    for t in traits:
        t.employers = []
    assert len(find_campaigns(traits, AS_OF)) == 1


def test_two_groups_behind_different_fronts_stay_apart() -> None:
    """One operator, two campaigns: same lure script and target list, different shell fronts."""
    orgs = ["home office", "cobalt cloud"]
    a = [sus(f"a{i}", employers=["risehr"], target_orgs=orgs) for i in range(3)]
    b = [sus(f"b{i}", employers=["pan consulting"], target_orgs=orgs) for i in range(3)]
    every = [t.profile_id for t in a + b]
    for t in a + b:
        t.template_matches = {"summary": [x for x in every if x != t.profile_id]}
    staff = {"risehr": 3, "pan consulting": 3}
    camps = find_campaigns(a + b, AS_OF, employer_staff=staff)
    assert by_members(camps) == [{"a0", "a1", "a2"}, {"b0", "b1", "b2"}]
    # without the fronts the same wording and targets make them one group
    assert len(find_campaigns(a + b, AS_OF)) == 1


def test_average_linkage_does_not_chain_two_groups_through_one_pair() -> None:
    pool = [f"v{i}" for i in range(6)]
    a = [sus(f"a{i}", photo_pdq=PHOTO) for i in range(4)]
    b = [sus(f"b{i}", photo_pdq=OTHER_PHOTO) for i in range(4)]
    # one coincidence between a0 and b0: the same summary template and targets
    a[0].template_matches, a[0].targets = {"summary": ["b0"]}, pool
    b[0].template_matches, b[0].targets = {"summary": ["a0"]}, pool
    assert by_members(find_campaigns(a + b, AS_OF)) == [
        {f"a{i}" for i in range(4)},
        {f"b{i}" for i in range(4)},
    ]
    # two suspects with the same coincidence and nothing else do form a group
    assert len(find_campaigns([a[0], b[0]], AS_OF)) == 1


def test_past_employers_are_not_shell_claims_when_counts_are_known() -> None:
    """One operator reuses employers across campaigns; only a current claim counts."""
    a = sus("a", employers=["pan consulting group", "obrien & partners"])
    b = sus("b", employers=["pan consulting group", "obrien & partners"])
    c = sus("c", employers=["pioneer advisory", "pan consulting group"])  # pan is a past job
    a.extra["employer_staff"] = {"pan consulting group": 2}  # current employers, counted
    b.extra["employer_staff"] = {"pan consulting group": 2}
    c.extra["employer_staff"] = {"pioneer advisory": 1}
    assert shell_employers([a, b, c]) == {"pan consulting group": [0, 1]}
    # without any counts every listed employer is taken as claimed
    plain = [
        sus("d", employers=["pan consulting group"]),
        sus("e", employers=["pan consulting group"]),
    ]
    assert shell_employers(plain) == {"pan consulting group": [0, 1]}


def test_contact_details_are_strong_and_a_shell_is_told_from_a_real_employer() -> None:
    traits = [
        sus("c1", contacts=["rachel.li@risehr.example"]),
        sus("c2", contacts=["rachel.li@risehr.example", "tel:4930123456"]),
        sus("c3", contacts=["tel:4930123456"]),
    ]
    assert by_members(find_campaigns(traits, AS_OF)) == [{"c1", "c2", "c3"}]
    # two barely suspicious accounts listing one address are a lead, not a campaign
    low = [sus(f"l{i}", contacts=["info@oakstone.example"], score=0.05) for i in range(2)]
    assert find_campaigns(low, AS_OF) == []
    assert len(find_campaigns(low, AS_OF, min_score=0.0)) == 1
    staff = [sus(f"e{i}", employers=["acme defence"]) for i in range(4)]
    assert shell_employers(staff, {"acme defence": 4000}) == {}
    assert shell_employers(staff, {"acme defence": 5}) == {"acme defence": [0, 1, 2, 3]}
    # population counts may also come on the traits themselves
    staff[0].extra["employer_staff"] = {"acme defence": 4000}
    assert shell_employers(staff) == {}


def test_ids_are_deterministic_and_order_independent() -> None:
    traits = [sus(f"a{i}", photo_pdq=PHOTO, score=0.4 + i / 10) for i in range(5)]
    traits += [sus(f"b{i}", contacts=["x@y.example"]) for i in range(3)]
    first = find_campaigns(traits, AS_OF)
    shuffled = list(traits)
    random.Random(7).shuffle(shuffled)
    second = find_campaigns(shuffled, AS_OF)
    assert [c.as_dict() for c in first] == [c.as_dict() for c in second]
    assert first[0].id == campaign_id(["a4", "a3", "a2", "a1", "a0"])
    assert first[0].id.startswith("campaign-") and first[0].id != first[1].id
    assert first[0].members[0] == "a4", "members are ordered by score"


def test_campaign_dict_matches_the_results_contract() -> None:
    traits = [
        sus(
            f"a{i}",
            photo_pdq=PHOTO,
            targets=["v1", f"w{i}"],
            target_orgs=["ministry of defence"],
            first_activity=T0 + timedelta(days=i),
            last_activity=T0 + timedelta(days=10 + i),
        )
        for i in range(3)
    ]
    d = find_campaigns(traits, AS_OF)[0].as_dict()
    for key in ("id", "members", "targets", "organisations", "evidence", "score"):
        assert key in d
    assert d["organisations"] == ["ministry of defence"]
    assert d["targets"][0] == "v1" and len(d["targets"]) == 4
    assert d["first_activity"] == T0.isoformat()
    assert d["last_activity"] == (T0 + timedelta(days=12)).isoformat()
    assert all(isinstance(e, str) and e.endswith(".") for e in d["evidence"])


def test_campaign_score_rises_with_stronger_ties_and_lifts_members() -> None:
    weak = find_campaigns(
        [
            sus(
                f"r{i}",
                employers=["risehr"],
                template_matches={"summary": [f"r{1 - i}"]},
                score=0.45,
            )
            for i in range(2)
        ],
        AS_OF,
    )[0]
    strong = find_campaigns(
        [
            sus(
                f"a{i}",
                photo_pdq=PHOTO,
                contacts=["q@x.example"],
                employers=["risehr"],
                created_at=T0,
                score=0.45,
            )
            for i in range(6)
        ],
        AS_OF,
    )[0]
    assert 0.45 < weak.score < strong.score < 1.0

    sigs = campaign_signals(strong, "a0")
    assert [s.name for s in sigs] == ["campaign.member"]
    assert sigs[0].strength == pytest.approx(strong.score)
    assert "One of 6 profiles" in sigs[0].evidence and "a photo" in sigs[0].evidence
    assert campaign_signals(strong, "not-a-member") == []

    # the registered detector reads the campaign the engine puts in the context
    assert "campaign.member" in all_specs()
    p = Profile(id="a0")
    ctx = ProfileContext(extra={"campaign": strong})
    assert [s.name for s in CampaignDetector().detect(p, ctx)] == ["campaign.member"]
    assert list(CampaignDetector().detect(p, ProfileContext())) == []
    # a member scored 0.45 on its own evidence is lifted to "high" by a convincing campaign
    scorer = ZeroShotScorer(prior_logit=math.log(0.45 / 0.55))
    assert scorer.score(p, []).score == pytest.approx(0.45)
    assert scorer.score(p, sigs).score > 0.8


def test_keys_shared_by_too_many_suspects_are_not_evidence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cmod, "MAX_BUCKET", 4)
    traits = [sus(f"d{i}", photo_pdq=PHOTO) for i in range(5)]  # e.g. a default avatar
    assert find_campaigns(traits, AS_OF) == []


def test_malformed_photo_hash_is_ignored() -> None:
    traits = [sus("a", photo_pdq="zz" * 32), sus("b", photo_pdq="zz" * 32)]
    assert find_campaigns(traits, AS_OF) == []
