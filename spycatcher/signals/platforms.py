"""What a platform (and the data we were given about it) can show, so reasons fire on evidence only.

A red flag is evidence when the platform could have shown the opposite. An empty career history
is suspicious on a professional network, where members list their jobs; on Twitter or Instagram
there is no such section, so its emptiness says nothing. Posting little is a sign of an unused
shell on Twitter or Instagram, where posting is what members do; on LinkedIn most genuine members
never post. And a dataset that carries no photo information at all (not one profile with a
``photo`` object) does not show that anyone *lacks* a photo. Firing in those cases adds the same
weight to nearly every profile of a platform, which ranks nothing and inflates every score.

:func:`platform_traits` answers three questions for one profile:

* ``career_sections``: does the platform show a career (experience, education, skills)?
* ``posting_is_core``: is a low ``posts`` count unusual there (so that silence is evidence)?
* ``photos_known``: does this data say whether profiles have a photo?

Known platforms answer from :data:`KNOWN_PLATFORMS`. What the scanned population shows refines
that (``PlatformStage`` counts, per platform, how many profiles list career sections, give a photo
or post little): a platform this module does not know is judged by its population, and a known
one whose data carries no career sections (or no photo information) at all is treated as not
showing them. A lone profile (``spycatcher check``) on an unknown platform counts as showing a
career only if it lists one, and its posting is not judged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from spycatcher.engine.stages import PopulationStage, register_stage
from spycatcher.schema import Profile
from spycatcher.signals.base import ProfileContext

#: fewer posts than this is "posts little or nothing" (the audience detector's threshold too)
FEW_POSTS = 10
#: ``ctx.extra`` key under which PlatformStage leaves the profile's platform statistics
POPULATION_KEY = "platform_population"
#: below this many profiles of a platform, its population says too little to judge by
MIN_POPULATION = 20
#: an unknown platform shows career sections if at least this share of its profiles list one
CAREER_SHARE = 0.05
#: a known career platform whose data lists a career for less than this share carries none
NO_CAREER_SHARE = 0.01
#: on an unknown platform, posting little is evidence only if at most this share posts little
FEW_POSTS_SHARE = 1 / 3


@dataclass(frozen=True, slots=True)
class PlatformTraits:
    """What a platform shows; None means "cannot tell", and a reason that needs it stays quiet."""

    career_sections: bool | None
    posting_is_core: bool | None
    photos_known: bool = True


_PROFESSIONAL = PlatformTraits(career_sections=True, posting_is_core=False)
_SOCIAL = PlatformTraits(career_sections=False, posting_is_core=True)

#: platforms whose shape we know: professional networks list careers and few members post;
#: social networks have no career sections and are used by posting
KNOWN_PLATFORMS: dict[str, PlatformTraits] = {
    "linkedin": _PROFESSIONAL,
    "xing": _PROFESSIONAL,
    "viadeo": _PROFESSIONAL,
    "twitter": _SOCIAL,
    "x": _SOCIAL,
    "instagram": _SOCIAL,
    "threads": _SOCIAL,
    "tiktok": _SOCIAL,
    "mastodon": _SOCIAL,
    "bluesky": _SOCIAL,
    "weibo": _SOCIAL,
    "vk": _SOCIAL,
    # Facebook has a "work and education" section, but few people fill it in: an empty one is
    # no evidence
    "facebook": _SOCIAL,
}


def _key(platform: str) -> str:
    return platform.strip().lower()


def has_career(profile: Profile) -> bool:
    """Whether the record lists any part of a career: a job, a place of study or a skill."""
    return bool(profile.experience or profile.education or profile.skills)


@register_stage
class PlatformStage(PopulationStage):
    """Per platform: how many profiles list a career, give a photo, have a posts count, post little.

    Counters only, so partial stages merge by adding them up (both engines give the same result).
    """

    name = "platforms"
    order = 5

    def __init__(self, options: dict[str, object] | None = None) -> None:
        super().__init__(options)
        self.counts: dict[str, Counter[str]] = {}

    def observe_profile(self, profile: Profile) -> None:
        c = self.counts.setdefault(_key(profile.platform), Counter())
        c["profiles"] += 1
        if has_career(profile):
            c["career"] += 1
        if profile.photo is not None:
            c["photo"] += 1
        posts = profile.counts.get("posts")
        if posts is not None:
            c["posts_known"] += 1
            if posts < FEW_POSTS:
                c["posts_few"] += 1

    def merge(self, other: PopulationStage) -> None:
        assert isinstance(other, PlatformStage)
        for platform, c in other.counts.items():
            self.counts.setdefault(platform, Counter()).update(c)

    def annotate(self, profile: Profile, ctx: ProfileContext) -> None:
        c = self.counts.get(_key(profile.platform))
        if c:
            ctx.extra[POPULATION_KEY] = dict(c)


def platform_traits(profile: Profile, ctx: ProfileContext) -> PlatformTraits:
    """What this profile's platform and data can show (see the module docstring)."""
    known = KNOWN_PLATFORMS.get(_key(profile.platform))
    pop: dict[str, Any] = ctx.extra.get(POPULATION_KEY) or {}
    n = int(pop.get("profiles", 0))
    judged = n >= MIN_POPULATION

    career: bool | None
    if known is not None:
        career = known.career_sections
        if career and judged and pop.get("career", 0) < NO_CAREER_SHARE * n:
            career = False  # the data carries no careers, whatever the platform shows
    elif judged:
        career = pop.get("career", 0) >= CAREER_SHARE * n
    else:
        career = True if has_career(profile) else None

    posting: bool | None
    if known is not None:
        posting = known.posting_is_core
    else:
        m = int(pop.get("posts_known", 0))
        posting = (pop.get("posts_few", 0) <= FEW_POSTS_SHARE * m) if m >= MIN_POPULATION else None

    photos = not (judged and pop.get("photo", 0) == 0)
    return PlatformTraits(career_sections=career, posting_is_core=posting, photos_known=photos)
