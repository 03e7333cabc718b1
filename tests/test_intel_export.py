"""Exporting STIX 2.1: validates with stix2, carries the original markings, never lets TLP:RED out,
and gives deterministic ids so that a re-export updates instead of duplicating."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import stix2
from intel_fixtures import AMBER, PHOTO_PDQ, RED

from spycatcher.intel.catalogue import load_indicators
from spycatcher.intel.markings import TLP1_IDS, TLP2_IDS, MarkingIndex, tlp2_definition
from spycatcher.intel.matching import IntelIndex, ProfileFacts
from spycatcher.intel.stix_export import (
    CampaignFinding,
    ExportOptions,
    Finding,
    build_bundle,
    stix_id,
)
from spycatcher.intel.stix_import import import_bundle
from spycatcher.schema import Profile
from spycatcher.store import Store

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SEEN = datetime(2024, 2, 1, tzinfo=UTC)


def findings(red: bool = False) -> tuple[list[Finding], list[CampaignFinding]]:
    fs = [
        Finding(
            "p-rachel",
            name="Rachel Li",
            url="https://uk.linkedin.com/in/rachel-li-hr",
            score=0.97,
            level="high",
            campaign_id="campaign-1",
            reasons=["Named in intelligence"],
            marking_refs=[AMBER],
            actor_refs=["intrusion-set--4e2c4ab1-3f6a-4b0e-9f0c-7d6c8a1b2c01"],
            count=8,
            first_seen=SEEN,
            last_seen=SEEN + timedelta(days=7),
        ),
        Finding(
            "p-laeticia",
            name="Laeticia Chen",
            photo_pdq=PHOTO_PDQ,
            score=0.9,
            level="high",
            campaign_id="campaign-1",
            reasons=["Photo reused"],
            first_seen=SEEN,
            last_seen=SEEN,
        ),
    ]
    if red:
        fs.append(
            Finding(
                "p-secret",
                name="Secret",
                score=0.99,
                level="high",
                campaign_id="campaign-2",
                marking_refs=[RED],
            )
        )
    cs = [
        CampaignFinding(
            "campaign-1", ["p-rachel", "p-laeticia"], targets=12, evidence=["Created within 3 days"]
        )
    ]
    if red:
        cs.append(CampaignFinding("campaign-2", ["p-secret"], targets=3))
    return fs, cs


def markings() -> MarkingIndex:
    m = MarkingIndex()
    m.add(tlp2_definition("amber"))
    return m


def by_type(bundle: dict, t: str) -> list[dict]:
    return [o for o in bundle["objects"] if o["type"] == t]


def test_bundle_validates_and_carries_the_original_marking() -> None:
    fs, cs = findings()
    res = build_bundle(fs, cs, now=NOW, markings=markings())
    parsed = stix2.parse(res.bundle, allow_custom=True)  # validates every object
    assert len(parsed.objects) == len(res.bundle["objects"])
    accounts = {o["user_id"]: o for o in by_type(res.bundle, "user-account")}
    assert accounts["p-rachel"]["account_login"] == "rachel-li-hr"
    assert accounts["p-rachel"]["account_type"] == "linkedin"
    rachel_ind = next(o for o in by_type(res.bundle, "indicator") if "p-rachel" in o["pattern"])
    # derived from AMBER intelligence: the original AMBER marking, no second TLP added
    assert rachel_ind["object_marking_refs"] == [AMBER]
    assert "url:value = 'https://www.linkedin.com/in/rachel-li-hr'" in rachel_ind["pattern"]
    # no intelligence behind it: the exporter's default (TLP 2.0 AMBER) is applied
    laeticia_ind = next(o for o in by_type(res.bundle, "indicator") if "p-laeticia" in o["pattern"])
    assert laeticia_ind["object_marking_refs"] == [TLP2_IDS["amber"]]
    defs = {o["id"] for o in by_type(res.bundle, "marking-definition")}
    assert AMBER in defs
    # the photo: a file observable and an indicator under the custom hash name x_pdq
    [file_obj] = by_type(res.bundle, "file")
    assert file_obj["hashes"] == {"x_pdq": PHOTO_PDQ}
    assert any(
        f"file:hashes.x_pdq = '{PHOTO_PDQ}'" == o["pattern"][1:-1]
        for o in by_type(res.bundle, "indicator")
    )
    # sightings say what, where and how often
    sightings = {s["sighting_of_ref"]: s for s in by_type(res.bundle, "sighting")}
    s = sightings[rachel_ind["id"]]
    assert s["count"] == 8 and s["first_seen"].startswith("2024-02-01")
    [producer] = by_type(res.bundle, "identity")
    assert s["where_sighted_refs"] == [producer["id"]]
    [od] = [o for o in by_type(res.bundle, "observed-data") if o["id"] in s["observed_data_refs"]]
    assert accounts["p-rachel"]["id"] in od["object_refs"] and od["number_observed"] == 8
    # the campaign is an intrusion set that the indicators indicate; the partner's actor too
    [iset] = by_type(res.bundle, "intrusion-set")
    rels = {
        (r["source_ref"], r["relationship_type"], r["target_ref"])
        for r in by_type(res.bundle, "relationship")
    }
    assert (rachel_ind["id"], "indicates", iset["id"]) in rels
    assert (rachel_ind["id"], "indicates", fs[0].actor_refs[0]) in rels
    assert AMBER in iset["object_marking_refs"]


def test_tlp_red_never_leaves() -> None:
    fs, cs = findings(red=True)
    fs[0].reasons.append("Shares a photo with p-secret")  # a reason naming the withheld account
    res = build_bundle(fs, cs, now=NOW, markings=markings())
    text = str(res.bundle)
    assert "Named in intelligence" in text
    assert "p-secret" not in text
    assert RED not in text and TLP1_IDS["red"] not in text
    assert {w[0] for w in res.withheld} == {"profile p-secret", "campaign campaign-2"}
    # whatever the options say
    with pytest.raises(ValueError, match="never exported"):
        build_bundle(fs, cs, ExportOptions(tlp="red"), now=NOW)
    # TLP 1.0 RED, and RED alongside another marking, are withheld too
    fs2 = [
        Finding("p-x", marking_refs=[TLP1_IDS["red"]]),
        Finding("p-y", marking_refs=[AMBER, TLP2_IDS["red"]]),
    ]
    res2 = build_bundle(fs2, now=NOW, markings=markings())
    assert by_type(res2.bundle, "user-account") == []
    assert len(res2.withheld) == 2


def test_ceiling_withholds_more() -> None:
    fs, cs = findings()
    res = build_bundle(
        fs, cs, ExportOptions(max_tlp="green", tlp="green"), now=NOW, markings=markings()
    )
    users = {o["user_id"] for o in by_type(res.bundle, "user-account")}
    assert users == {"p-laeticia"}  # rachel's AMBER intelligence stays home
    assert ("profile p-rachel", "marked TLP:AMBER, above the ceiling TLP:GREEN") in res.withheld


def test_deterministic_ids_and_updates_not_duplicates() -> None:
    fs, cs = findings()
    a = build_bundle(fs, cs, now=NOW, markings=markings())
    b = build_bundle(fs, cs, now=NOW + timedelta(days=1), markings=markings())
    assert [o["id"] for o in a.bundle["objects"]] == [o["id"] for o in b.bundle["objects"]]
    assert stix_id("indicator", "account", "linkedin:p-rachel") in {
        o["id"] for o in a.bundle["objects"]
    }
    # with the previous export known: unchanged objects keep their timestamps, and so the bundle id
    prev = {o["id"]: o for o in a.bundle["objects"]}
    c = build_bundle(fs, cs, now=NOW + timedelta(days=2), previous=prev, markings=markings())
    assert c.bundle == a.bundle
    assert c.new == 0 and c.changed == 0 and c.unchanged > 0
    # a changed finding updates the same ids with a later modified, created unchanged
    fs[0].reasons = ["Named in intelligence", "Sent 20 invitations in a day"]
    later = NOW + timedelta(days=3)
    d = build_bundle(fs, cs, now=later, previous=prev, markings=markings())
    assert {o["id"] for o in d.bundle["objects"]} == set(prev)
    ind_id = stix_id("indicator", "account", "linkedin:p-rachel")
    new_ind = next(o for o in d.bundle["objects"] if o["id"] == ind_id)
    assert new_ind["created"] == prev[ind_id]["created"]
    assert new_ind["modified"] > prev[ind_id]["modified"]
    assert d.changed == 1
    assert d.bundle["id"] != a.bundle["id"]


def test_exported_bundle_imports_and_matches_again(tmp_path: Path) -> None:
    """Closing the loop: a partner running spycatcher on our export finds the same accounts."""
    fs, cs = findings()
    res = build_bundle(fs, cs, now=NOW, markings=markings())
    store = Store(f"sqlite:///{tmp_path / 'partner.db'}")
    report = import_bundle(store, res.bundle, "file:from-spycatcher.json")
    assert report.rejected == []
    idx = IntelIndex(load_indicators(store))
    rachel = ProfileFacts.from_profile(
        Profile(id="p-rachel", url="https://www.linkedin.com/in/rachel-li-hr")
    )
    [m] = [m for m in idx.match(rachel) if m["kind"] == "account"]
    assert m["marking"] == "TLP:AMBER" and m["actor"] == "spycatcher campaign-1"
    photo = ProfileFacts.from_profile(Profile(id="other", photo={"pdq": PHOTO_PDQ}))
    assert [m["kind"] for m in idx.match(photo)] == ["photo"]
