"""Matching indicators against profiles: normalisation, kinds and strengths, the index agrees with
the reference, and the detector's evidence names the source, the actor and the marking."""

from __future__ import annotations

import random

import pytest
from intel_fixtures import PHOTO_PDQ, flip_bits

from spycatcher.intel.markings import Marking
from spycatcher.intel.matching import (
    PDQ_THRESHOLD,
    CompiledIndicator,
    IntelIndex,
    ProfileFacts,
    like,
    name_key,
    url_key,
)
from spycatcher.intel.patterns import compile_pattern
from spycatcher.schema import Profile
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.intel import IntelDetector


def ind(pattern: str, n: int = 1, **kw: object) -> CompiledIndicator:
    return CompiledIndicator(
        id=f"indicator--00000000-0000-4000-8000-{n:012d}",
        tree=compile_pattern(pattern)["tree"],
        name=f"ind {n}",
        source="file:x",
        producer="Partner Agency",
        actors=[{"id": "intrusion-set--1", "type": "intrusion-set", "name": "Actor One"}],
        marking=Marking(refs=["marking-definition--amber"], tlp="amber"),
        **kw,  # type: ignore[arg-type]
    )


def facts(**kw: object) -> ProfileFacts:
    return ProfileFacts.from_profile(Profile.model_validate({"id": "p1", **kw}))


def kinds(index: IntelIndex, f: ProfileFacts) -> list[tuple[str, float]]:
    return [(m["kind"], m["strength"]) for m in index.match(f)]


def test_url_and_handle_normalisation() -> None:
    assert url_key("https://uk.linkedin.com/in/Rachel-Li-HR/?originalSubdomain=uk") == (
        "linkedin.com/in/rachel-li-hr"
    )
    assert url_key("HTTP://WWW.RiseHR.example/About/") == "risehr.example/about"
    idx = IntelIndex(
        [
            ind(
                "[user-account:account_type = 'linkedin' AND user-account:account_login = "
                "'Rachel-Li-HR']",
                1,
            ),
            ind("[url:value = 'linkedin.com/in/alex-li-csed']", 2),
        ]
    )
    assert kinds(idx, facts(url="https://uk.linkedin.com/in/rachel-li-hr/")) == [("account", 1.0)]
    # the handle also counts when the profile's id is the canonical URL (LinkedIn export ids)
    assert kinds(idx, facts(id="linkedin.com/in/rachel-li-hr")) == [("account", 1.0)]
    assert kinds(idx, facts(url="https://www.linkedin.com/in/Alex-Li-CSED?trk=abc")) == [
        ("url", 1.0)
    ]
    # the platform must agree when the indicator names one
    assert kinds(idx, facts(platform="twitter", url="https://linkedin.com/in/rachel-li-hr")) == []
    assert kinds(idx, facts(url="https://www.linkedin.com/in/rachel-li-hr-2")) == []


def test_email_and_domains() -> None:
    idx = IntelIndex(
        [
            ind("[email-addr:value = 'Lily.Wu@Sino-Europe.example']", 1),
            ind("[domain-name:value = 'csed-think.example']", 2),
        ]
    )
    f = facts(contact={"email": "lily.wu@sino-europe.example"})
    assert kinds(idx, f) == [("email", 1.0)]
    f = facts(contact={"email": "director@mail.csed-think.example"})
    assert kinds(idx, f) == [("email_domain", 1.0)]
    f = facts(contact={"websites": ["https://www.csed-think.example/team"]})
    assert kinds(idx, f) == [("website", 1.0)]
    # a domain that merely ends with the same letters is not a subdomain
    assert kinds(idx, facts(contact={"email": "a@notcsed-think.example"})) == []


def test_display_name_is_only_a_weak_fuzzy_signal() -> None:
    idx = IntelIndex([ind("[user-account:display_name = 'Laeticia Chen']", 1)])
    [(kind, strength)] = kinds(idx, facts(name="Laëticia  CHEN"))
    assert kind == "name" and strength == 1.0
    [(kind, strength)] = kinds(idx, facts(name="Chen, Laetitia"))
    assert kind == "name" and 0.85 <= strength < 1.0
    assert kinds(idx, facts(name="Lucia Chan")) == []
    assert name_key("Li, Rachel (PhD)") == "li phd rachel"
    ctx = ProfileContext(intel_matches=idx.match(facts(name="Laetitia Chen")))
    [sig] = IntelDetector().detect(Profile(id="p1", name="Laetitia Chen"), ctx)
    assert sig.name == "intel.name_similarity"
    assert (
        IntelDetector.spec("intel.name_similarity").weight
        < 1.0
        < (IntelDetector.spec("intel.account_match").weight)
    )


def test_pdq_distance() -> None:
    idx = IntelIndex([ind(f"[file:hashes.x_pdq = '{PHOTO_PDQ}']", 1)])
    [(kind, s0)] = kinds(idx, facts(photo={"pdq": PHOTO_PDQ}))
    assert kind == "photo" and s0 == 1.0
    [(_, s6)] = kinds(idx, facts(photo={"pdq": flip_bits(PHOTO_PDQ, 6)}))
    [(_, s31)] = kinds(idx, facts(photo={"pdq": flip_bits(PHOTO_PDQ, PDQ_THRESHOLD)}))
    assert 1.0 > s6 > s31 == pytest.approx(0.5)
    assert kinds(idx, facts(photo={"pdq": flip_bits(PHOTO_PDQ, PDQ_THRESHOLD + 1)})) == []
    # a PDQ computed by the photo stage (not in the record) is used too
    f = ProfileFacts.from_profile(Profile(id="p"), pdq=flip_bits(PHOTO_PDQ, 3))
    assert kinds(idx, f)[0][0] == "photo"
    m = idx.match(f)[0]
    assert m["distance"] == 3


def test_like_is_linear_and_correct() -> None:
    assert like("%@sino-europe.example", "lily@sino-europe.example")
    assert like("r_chel%", "rachel-li")
    assert not like("r_chel", "rachel-li")
    assert like("%%%", "")
    hostile = "%a" * 200 + "b"
    assert not like(hostile, "a" * 2000)  # returns promptly (O(n*m)), no regex backtracking
    idx = IntelIndex([ind("[email-addr:value LIKE '%@sino-europe.example']", 1)])
    assert kinds(idx, facts(contact={"email": "Lily@Sino-Europe.example"})) == [("email", 1.0)]


def test_negation_and_confidence() -> None:
    idx = IntelIndex(
        [
            ind("[user-account:account_login NOT = 'someone']", 1),  # identifies no one
            ind(
                "[user-account:user_id = 'p1' AND user-account:account_type != 'twitter']",
                2,
                confidence=40,
            ),
        ]
    )
    [(kind, strength)] = kinds(idx, facts())
    assert kind == "account" and strength == pytest.approx(0.7)


def test_evidence_names_source_actor_and_marking() -> None:
    idx = IntelIndex([ind("[user-account:user_id = 'p1']", 1, sightings=4)])
    ctx = ProfileContext(intel_matches=idx.match(facts()))
    [sig] = IntelDetector().detect(Profile(id="p1"), ctx)
    assert sig.name == "intel.account_match"
    assert "Partner Agency" in sig.evidence
    assert "Actor One" in sig.evidence
    assert "TLP:AMBER" in sig.evidence
    assert "4 times" in sig.evidence
    assert sig.data["marking_refs"] == ["marking-definition--amber"]
    assert sig.advice


def test_expired_indicators_are_dropped() -> None:
    from datetime import UTC, datetime

    old = ind("[user-account:user_id = 'p1']", 1, valid_until=datetime(2020, 1, 1, tzinfo=UTC))
    assert len(IntelIndex([old], datetime(2025, 1, 1, tzinfo=UTC))) == 0
    assert len(IntelIndex([old], None)) == 1


def _random_profile(rng: random.Random, pool: dict[str, list[str]]) -> Profile:
    d: dict[str, object] = {"id": rng.choice(pool["ids"])}
    if rng.random() < 0.7:
        d["url"] = "https://www.linkedin.com/in/" + rng.choice(pool["handles"])
    if rng.random() < 0.5:
        d["name"] = rng.choice(pool["names"])
    contact: dict[str, object] = {}
    if rng.random() < 0.5:
        contact["email"] = rng.choice(pool["emails"])
    if rng.random() < 0.3:
        contact["websites"] = ["https://" + rng.choice(pool["domains"]) + "/x"]
    if contact:
        d["contact"] = contact
    if rng.random() < 0.4:
        d["photo"] = {"pdq": flip_bits(rng.choice(pool["pdqs"]), rng.randrange(0, 40))}
    return Profile.model_validate(d)


def test_index_agrees_with_reference() -> None:
    rng = random.Random(11)
    pool = {
        "ids": [f"p{i}" for i in range(30)],
        "handles": [f"h{i}" for i in range(30)],
        "names": ["Rachel Li", "Alex Li", "Lily Wu", "Laeticia Chen", "Anna Berg"],
        "emails": [f"u{i}@d{i % 5}.example" for i in range(30)],
        "domains": [f"d{i}.example" for i in range(8)],
        "pdqs": [flip_bits(PHOTO_PDQ, 0), "f" * 64, "0" * 64],
    }
    pats = []
    for i in range(60):
        k = i % 8
        if k == 0:
            pats.append(f"[user-account:account_login = '{rng.choice(pool['handles'])}']")
        elif k == 1:
            pats.append(f"[user-account:user_id IN ('{rng.choice(pool['ids'])}', 'zz')]")
        elif k == 2:
            pats.append(f"[url:value = 'linkedin.com/in/{rng.choice(pool['handles'])}']")
        elif k == 3:
            pats.append(f"[email-addr:value = '{rng.choice(pool['emails'])}']")
        elif k == 4:
            pats.append(f"[domain-name:value = '{rng.choice(pool['domains'])}']")
        elif k == 5:
            pats.append(f"[file:hashes.x_pdq = '{rng.choice(pool['pdqs'])}']")
        elif k == 6:
            pats.append(f"[user-account:display_name = '{rng.choice(pool['names'])}']")
        else:
            pats.append(
                f"[user-account:user_id = '{rng.choice(pool['ids'])}'] OR "
                f"[email-addr:value LIKE '%@{rng.choice(pool['domains'])}']"
            )
    idx = IntelIndex([ind(p, n) for n, p in enumerate(pats)])
    assert idx.unanchored  # names and LIKE cannot be indexed; they are still evaluated
    hits = 0
    for _ in range(400):
        f = ProfileFacts.from_profile(_random_profile(rng, pool))
        fast, ref = idx.match(f), idx.match_reference(f)
        assert fast == ref
        hits += bool(fast)
    assert hits > 100
