"""Features are named, stable between training and scoring, and NaN when unknown."""

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from spycatcher.schema import Profile
from spycatcher.scoring.explain import describe, group_of
from spycatcher.scoring.features import (
    OTHER,
    FeatureTable,
    Manifest,
    RawFeatures,
    extract,
    matches_any,
)
from spycatcher.signals.base import ProfileContext, Signal

AS_OF = datetime(2015, 2, 14, tzinfo=UTC)


def prof(**kw: object) -> Profile:
    base: dict[str, object] = {"id": "p1", "platform": "twitter"}
    base.update(kw)
    return Profile.model_validate(base)


def test_extract_names_what_it_measures():
    p = prof(
        name="Anna Bianchi",
        url="https://twitter.com/anna_b1987",
        summary="Giornalista. http://example.org #politica",
        created_at="2012-02-14",
        counts={"followers": 9, "following": 999, "posts": 0},
        features={"lang": "it", "utc_offset": 3600, "geo_enabled": True},
        experience=[{"title": "Senior editor", "company": "Rai", "start": "2010-01"}],
    )
    ctx = ProfileContext(as_of=AS_OF, graph={"sybilrank_trust": 0.25})
    raw = extract(p, [Signal("profile.follow_ratio", 0.9, "e")], ctx)
    n = raw.numeric
    assert n["sig:profile.follow_ratio"] == 0.9
    assert n["count:followers"] == pytest.approx(math.log1p(9))
    assert n["ratio:followers/following"] == pytest.approx(math.log1p(9) - math.log1p(999))
    assert n["account:created_year"] == 2012
    assert n["account:age_days"] == pytest.approx(1096, abs=1)
    assert n["rate:posts/day"] == 0.0
    assert n["name:length"] == 12 and n["name:words"] == 2
    assert n["handle:length"] == len("anna_b1987") and n["handle:underscores"] == 1
    assert n["handle:name_overlap"] == 0.5  # "anna" is in the handle, "bianchi" is not
    assert n["summary:urls"] == 1 and n["summary:hashtags"] == 1
    assert n["feature:utc_offset"] == 3600 and n["feature:geo_enabled"] == 1.0
    assert n["experience:count"] == 1 and n["experience:senior_titles"] == 1
    assert n["graph:sybilrank_trust"] == 0.25
    assert raw.categorical == {"feature:lang": "it"}


def test_handle_and_bio_facts_have_one_name_from_text_or_from_numbers():
    text = extract(prof(url="https://twitter.com/anna83920417", summary="Hi"), [], ProfileContext())
    n = text.numeric
    assert n["handle:digits"] == 8 and n["handle:unexplained_digits"] == 8
    assert n["handle:digit_share"] == pytest.approx(8 / 12) and n["bio:length"] == 2
    given = prof(
        platform="instagram",
        features={"usernameDigitCount": 4, "usernameLength": 10, "userBiographyLength": 0},
    )
    n = extract(given, [], ProfileContext()).numeric
    assert n["handle:digits"] == 4 and n["handle:length"] == 10
    assert n["handle:digit_share"] == pytest.approx(0.4) and n["bio:length"] == 0
    # a year in a handle is a human habit: it is a digit, but not an unexplained one
    n = extract(prof(url="https://twitter.com/mario1975"), [], ProfileContext()).numeric
    assert n["handle:digits"] == 4 and n["handle:unexplained_digits"] == 0
    # nothing known about the handle: nothing made up
    assert not [k for k in extract(prof(), [], ProfileContext()).numeric if k.startswith("handle:")]
    # excluding the dataset's fields drops the features computed from them
    assert matches_any("handle:digit_share", ["usernameDigitCount"])
    assert matches_any("bio:length", ["userBiographyLength"])


def test_unknowns_are_absent_not_zero():
    raw = extract(prof(), [], ProfileContext())
    assert "count:followers" not in raw.numeric
    assert "account:age_days" not in raw.numeric
    assert raw.numeric["profile:has_photo"] == 0.0


def _table(rows: list[RawFeatures]) -> FeatureTable:
    t = FeatureTable()
    for r in rows:
        t.add(r)
    return t


def _rows(n: int = 40) -> list[RawFeatures]:
    out = []
    for i in range(n):
        num = {"count:followers": float(i), "feature:const": 1.0}
        if i % 2:
            num["sig:profile.inactive"] = 1.0
        cat = {"feature:lang": "en" if i % 3 else "it"}
        if i == 0:
            cat["feature:lang"] = "xx"  # rare: falls into <other>
        out.append(RawFeatures(num, cat))
    return out


def test_manifest_columns_defaults_and_categories():
    m = _table(_rows()).build_manifest()
    assert "feature:const" not in m.columns  # constant and always known: says nothing
    assert m.categories == {"feature:lang": ["en", "it"]}
    assert f"feature:lang={OTHER}" in m.columns
    x = m.vector(RawFeatures({"count:followers": 3.0}, {"feature:lang": "it"}))
    col = {c: x[i] for i, c in enumerate(m.columns)}
    assert col["count:followers"] == 3.0
    assert col["sig:profile.inactive"] == 0.0  # a signal that did not fire
    assert col["feature:lang=it"] == 1.0 and col["feature:lang=en"] == 0.0
    assert col[f"feature:lang={OTHER}"] == 0.0
    unseen = m.vector(RawFeatures({}, {"feature:lang": "fr"}))
    assert unseen[m.columns.index(f"feature:lang={OTHER}")] == 1.0
    missing = m.vector(RawFeatures({}, {}))
    assert np.isnan(missing[m.columns.index("count:followers")])
    assert np.isnan(missing[m.columns.index("feature:lang=en")])
    # unknown names at scoring time are ignored, never shift columns
    assert np.array_equal(
        m.vector(RawFeatures({"count:new_thing": 5.0}, {})), missing, equal_nan=True
    )


def test_manifest_json_round_trip_and_validation():
    m = _table(_rows()).build_manifest()
    again = Manifest.from_json(m.to_json())
    r = _rows()[5]
    assert again.columns == m.columns
    assert np.array_equal(again.vector(r), m.vector(r), equal_nan=True)
    bad = m.to_json()
    bad["defaults"] = ["x"] * len(m)
    with pytest.raises(ValueError):
        Manifest.from_json(bad)
    with pytest.raises(ValueError):
        Manifest.from_json({**m.to_json(), "version": 99})


def test_exclusion_by_name_glob_and_source():
    assert matches_any("feature:lang=en", ["lang"])
    assert matches_any("feature:lang=<other>", ["features.lang"])
    assert matches_any("account:created_year", ["created_at"])
    assert matches_any("rate:posts/day", ["created_at"])
    assert matches_any("ratio:followers/following", ["followers"])
    assert matches_any("count:followers", ["count:*"])
    assert not matches_any("count:followers", ["lang", "created_at"])
    m = _table(_rows()).build_manifest(exclude=["lang"])
    assert not [c for c in m.columns if "lang" in c] and "feature:lang" not in m.categories
    assert m.without(["count:*"]).columns == ["sig:profile.inactive"]


def test_subset_counts_only_its_rows():
    t = _table(_rows())
    sub = t.subset([1, 2, 3])
    assert len(sub) == 3
    assert sub.present["count:followers"] == 3
    assert sum(sub.category_counts["feature:lang"].values()) == 3


def test_explanations_in_words():
    assert group_of("sig:photo.reused") == "photo.reused"
    assert group_of("feature:lang=en") == "feature:lang"
    assert describe("count:followers", math.log1p(1937)) == "number of followers: 1,937"
    assert (
        describe("ratio:following/followers", math.log(7.0)) == "ratio of following to followers: 7"
    )
    assert describe("account:created_year", 2012.0) == "account created in 2012"
    assert describe("feature:lang=en", 1.0) == "lang: en"
    assert "not given" in describe("summary:length", float("nan"))
