"""Audience and activity red flags that hold on any social platform, not only LinkedIn.

Mass-produced fake accounts (bought followers, sock puppets, the disposable accounts that precede a
targeted approach) are cheap shells: they follow many accounts that do not follow them back, post
little or nothing, never interact, carry no biography, and take an auto-generated handle full of
digits. Genuine people accumulate an audience and a history. These reasons need only the
``counts`` and a handle, so they apply to Twitter- or Instagram-style data as well as to
professional networks, and they give the zero-shot scorer something to stand on before anyone has
labels.

The reasons are different facts about an account, so they are not damped against each other as
one family (``SignalSpec.overlap``): only reasons that restate one fact are, namely who follows
the account (follow ratio, few followers) and whether it is used (posts, likes).

Weights are chosen on principle (what a reason says about the account, and how often genuine
members would show it too), not fitted: a follow ratio of 30 to 1 is hard to explain for a person;
an empty biography is common among genuine members, so it weighs little. Each reason is graded
(``strength`` 0..1) so that a stronger case ranks higher.

Some datasets give these facts only as numbers (InstaFake's ``usernameDigitCount`` and
``userBiographyLength``); :data:`HANDLE_DIGIT_FEATURES` and :data:`BIO_LENGTH_FEATURES` name the
``features`` keys that are read as such. A missing photo is the photo detector's
(``photo.missing``), not repeated here. Posting little (``profile.inactive``) is a reason only
where posting is what members do (:func:`~spycatcher.signals.platforms.platform_traits`): most
genuine members of a professional network never post.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from spycatcher.schema import Profile
from spycatcher.signals.base import Detector, ProfileContext, Signal, SignalSpec
from spycatcher.signals.platforms import FEW_POSTS, platform_traits
from spycatcher.signals.registry import register

#: below this many followed accounts a lopsided ratio means nothing (a new account follows few)
MIN_FOLLOWING = 50
#: followers below this are "almost nobody follows them"
FEW_FOLLOWERS = 30

#: ``features`` keys that hold the handle itself
HANDLE_FEATURES = ("handle", "username", "screen_name", "user_name")
#: ``features`` keys that give the number of digits in the handle when the handle is not given
HANDLE_DIGIT_FEATURES = ("handle_digits", "usernameDigitCount")
#: ``features`` keys that give the length of the handle when the handle is not given
HANDLE_LENGTH_FEATURES = ("handle_length", "usernameLength")
#: ``features`` keys that give the length of the biography when its text is not given
BIO_LENGTH_FEATURES = ("bio_length", "userBiographyLength")
#: ``counts`` keys for likes/favourites: interaction with others' posts
INTERACTION_COUNTS = ("favourites", "likes")

#: hosts whose profile addresses end in a handle the member chose (LinkedIn appends its own
#: digits to default addresses, so its handles say nothing about the member)
HANDLE_HOSTS = frozenset(
    {"twitter.com", "x.com", "instagram.com", "facebook.com", "tiktok.com", "threads.net"}
)

_DIGIT_RUN = re.compile(r"\d+")


def handle_of(profile: Profile) -> str | None:
    """The member-chosen handle: from ``features`` or from a social-network profile address."""
    for key in HANDLE_FEATURES:
        value = profile.features.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().lstrip("@")
    if profile.url:
        low = profile.url.lower()
        # the host must be one of HANDLE_HOSTS, so its name is in the address: most addresses
        # (LinkedIn's) are ruled out without parsing them
        if not any(h in low for h in HANDLE_HOSTS):
            return None
        try:
            parts = urlsplit(profile.url if "//" in profile.url else "//" + profile.url)
        except ValueError:
            return None
        host = (parts.hostname or "").removeprefix("www.")
        segments = [s for s in parts.path.split("/") if s]
        if host in HANDLE_HOSTS and len(segments) == 1:
            return segments[0].lstrip("@")
    return None


def _looks_like_year(run: str) -> bool:
    """Two or four digits that read as a birth or graduation year: a human habit, not a bot's."""
    if len(run) == 4:
        return 1940 <= int(run) <= 2015
    return len(run) == 2


def handle_digit_facts(profile: Profile) -> tuple[int, int, str | None] | None:
    """(digits that are not a year, handle length, the handle) or None when nothing is known."""
    handle = handle_of(profile)
    if handle:
        runs = _DIGIT_RUN.findall(handle)
        unexplained = sum(len(r) for r in runs if not _looks_like_year(r))
        return unexplained, len(handle), handle
    for key in HANDLE_DIGIT_FEATURES:
        value = profile.features.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return int(value), 0, None
    return None


def bio_length(profile: Profile) -> int | None:
    """Length of the biography: the summary (or headline) text, or a length the data gives."""
    text = (profile.summary or "") + (profile.headline or "")
    if text.strip():
        return len(text.strip())
    for key in BIO_LENGTH_FEATURES:
        value = profile.features.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return int(value)
    # the platform gave us the profile's text fields and both are empty
    if profile.summary is not None or profile.headline is not None or profile.name:
        return 0
    return None


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@register
class AudienceDetector(Detector):
    """Follows many but followed by few, silent, no interaction, empty bio, digit-stuffed handle."""

    name = "audience"
    specs = (
        SignalSpec(
            "profile.follow_ratio",
            "Follows many accounts but few follow back",
            2.0,
            "Accounts that follow hundreds or thousands of others while almost nobody follows "
            "them are typical of mass-produced fake accounts. Do not take such an account at "
            "face value: check who is behind it before you reply or share anything.",
            overlap="audience.reach",
        ),
        SignalSpec(
            "profile.few_followers",
            "Almost nobody follows this account",
            0.8,
            "Real people build up an audience over time. An account that almost nobody follows "
            "has no one vouching for it.",
            overlap="audience.reach",
        ),
        SignalSpec(
            "profile.inactive",
            "Has posted little or nothing",
            1.2,
            "An account with no posts of its own has no history you can check. Fake accounts "
            "are often created in bulk and never used except to follow, like or make contact.",
            overlap="audience.activity",
        ),
        SignalSpec(
            "profile.no_interaction",
            "Has never liked anything",
            0.8,
            "People who use a platform react to what others post. An account that has never "
            "done so may exist only to make contact or to inflate someone's audience.",
            overlap="audience.activity",
        ),
        SignalSpec(
            "profile.empty_bio",
            "No biography or description",
            0.5,
            "Many genuine members leave this empty too, so on its own it means little; together "
            "with other signs it suggests an account nobody took the trouble to fill in.",
            overlap="audience.bio",
        ),
        SignalSpec(
            "profile.handle_digits",
            "Username padded with random digits",
            0.6,
            "Handles like 'anna83920417' are what sign-up forms suggest when an account is made "
            "in a hurry or in bulk. A birth year in a handle is common among real people and is "
            "not counted.",
            overlap="audience.handle",
        ),
        SignalSpec(
            "profile.audience",
            "Has a real following",
            -1.0,
            "Many accounts follow this one and it follows fewer back, as established people "
            "and organisations do. That lowers the risk but does not remove it.",
            overlap="audience.reach",
        ),
    )

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterable[Signal]:
        out: list[Signal] = []
        counts = profile.counts
        followers = counts.get("followers")
        following = counts.get("following")
        posts = counts.get("posts")

        if followers is not None and following is not None:
            ratio = (following + 1) / (followers + 1)
            log_ratio = math.log10(ratio)
            if following >= MIN_FOLLOWING and log_ratio >= 0.5:
                # 3x -> 0.17, 10x -> 0.58, 30x and more -> 1
                out.append(
                    self.signal(
                        "profile.follow_ratio",
                        (log_ratio - 0.3) / 1.2,
                        f"Follows {_plural(following, 'account')} but is followed by "
                        f"{followers:,} (about {ratio:,.0f} to 1).",
                        {"following": following, "followers": followers, "ratio": round(ratio, 2)},
                    )
                )
            if followers >= 1000 and followers >= 2 * (following + 1):
                out.append(
                    self.signal(
                        "profile.audience",
                        min(1.0, (math.log10(followers) - 2.0) / 2.0),
                        f"Followed by {_plural(followers, 'account')} and follows {following:,}.",
                    )
                )
        if followers is not None and followers < FEW_FOLLOWERS:
            out.append(
                self.signal(
                    "profile.few_followers",
                    1.0 - followers / FEW_FOLLOWERS,
                    f"Followed by {_plural(followers, 'account')}.",
                    {"followers": followers},
                )
            )

        # Silence is evidence only where members post: on a professional network most genuine
        # members never do (spycatcher.signals.platforms)
        if (
            posts is not None
            and posts < FEW_POSTS
            and platform_traits(profile, ctx).posting_is_core
        ):
            out.append(
                self.signal(
                    "profile.inactive",
                    1.0 - 0.07 * posts,
                    "Has never posted anything." if posts == 0 else f"Has posted {posts} times.",
                    {"posts": posts},
                )
            )

        likes = [counts[k] for k in INTERACTION_COUNTS if k in counts]
        if likes and max(likes) == 0:
            out.append(self.signal("profile.no_interaction", 1.0, "Has never liked any post."))

        bio = bio_length(profile)
        if bio == 0:
            out.append(self.signal("profile.empty_bio", 1.0, "The biography is empty."))

        facts = handle_digit_facts(profile)
        if facts is not None:
            digits, _length, handle = facts
            if digits >= 3:
                # People put dates and lucky numbers in handles (3-5 digits: weak); sign-up
                # forms suggest a name followed by 6-8 random digits (strong).
                strength = (
                    0.2 + 0.1 * (digits - 3) if digits < 6 else min(1.0, 0.7 + 0.15 * (digits - 6))
                )
                shown = f"\u201c{handle}\u201d has" if handle else "The username has"
                out.append(
                    self.signal(
                        "profile.handle_digits",
                        strength,
                        f"{shown} {digits} digits that do not read as a year.",
                        {"digits": digits},
                    )
                )
        return out
