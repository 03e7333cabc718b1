"""Audience red flags fire on shell accounts and stay quiet on a person with a following."""

from spycatcher.schema import Profile
from spycatcher.signals.audience import AudienceDetector, handle_of
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.registry import all_specs


def fired(**fields: object) -> dict[str, float]:
    data = {"id": "x", "platform": "twitter", **fields}
    sigs = AudienceDetector().detect(Profile.model_validate(data), ProfileContext())
    return {s.name: s.strength for s in sigs}


PERSON = {
    "name": "Giulia Rossi",
    "summary": "Giornalista, Torino. Politica e libri.",
    "url": "https://twitter.com/giuliarossi",
    "counts": {"followers": 2400, "following": 310, "posts": 5200, "favourites": 800},
}


def test_person_with_a_following_only_gets_the_reassuring_signal():
    assert set(fired(**PERSON)) == {"profile.audience"}


def test_bought_follower_shell_raises_every_audience_flag():
    got = fired(
        name="Robert B",
        url="https://twitter.com/RobertB60500658",
        counts={"followers": 3, "following": 1900, "posts": 0, "favourites": 0},
    )
    assert set(got) == {
        "profile.follow_ratio",
        "profile.few_followers",
        "profile.inactive",
        "profile.no_interaction",
        "profile.empty_bio",
        "profile.handle_digits",
    }
    assert got["profile.follow_ratio"] == 1.0
    assert got["profile.inactive"] == 1.0
    assert got["profile.handle_digits"] >= 0.7


def test_follow_ratio_is_graded_and_needs_enough_follows():
    mild = fired(counts={"followers": 100, "following": 400})["profile.follow_ratio"]
    strong = fired(counts={"followers": 10, "following": 400})["profile.follow_ratio"]
    assert 0 < mild < strong
    # a new account that follows 20 people and has 1 follower is not lopsided in any useful sense
    assert "profile.follow_ratio" not in fired(counts={"followers": 1, "following": 20})


def test_years_in_handles_are_not_counted_and_few_digits_are_weak():
    assert "profile.handle_digits" not in fired(url="https://twitter.com/mario1975")
    weak = fired(url="https://twitter.com/pesce2802")["profile.handle_digits"]
    assert weak < 0.5


def test_linkedin_addresses_are_not_handles():
    assert handle_of(Profile(id="a", url="https://www.linkedin.com/in/jane-doe-4a1b2c3d4")) is None
    assert handle_of(Profile(id="a", url="https://instagram.com/jane.doe")) == "jane.doe"


def test_numeric_facts_from_feature_only_datasets():
    got = fired(
        platform="instagram",
        counts={"followers": 20, "following": 900, "posts": 2},
        features={"usernameDigitCount": 7, "userBiographyLength": 0},
    )
    assert {"profile.handle_digits", "profile.empty_bio", "profile.inactive"} <= set(got)
    quiet = fired(
        platform="instagram",
        counts={"followers": 20, "following": 20, "posts": 40},
        features={"usernameDigitCount": 0, "userBiographyLength": 35},
    )
    assert "profile.empty_bio" not in quiet and "profile.handle_digits" not in quiet


def test_nothing_known_means_nothing_raised():
    assert fired() == {}


def test_specs_are_registered_with_plain_advice():
    specs = all_specs()
    for spec in AudienceDetector.specs:
        assert specs[spec.name] is spec
        assert spec.name.startswith("profile.") and len(spec.advice) > 40
