"""Member reports as signals (``report.*``): corroboration, never a verdict on their own.

The service fills ``ProfileContext.reports`` (see :mod:`spycatcher.review.reports`) with reports
already weighted by each reporter's track record: reporters whose past reports proved right carry
their weight; everyone else shares one pool with a fixed cap. This detector turns that into at
most three signals. Their weights are deliberately modest: even the strongest report evidence
moves a profile with no other warning signs only from the prior (about 5%) to about 27%, so
reports raise a profile in the review queue and support other evidence but cannot make it "high
risk" alone, and a coordinated burst of reports from throw-away accounts adds almost nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from spycatcher.schema import Profile
from spycatcher.signals.base import Detector, ProfileContext, Signal, SignalSpec
from spycatcher.signals.registry import register

# Keys of ProfileContext.reports (written by spycatcher.review.reports.context).
KEY_COUNT = "count"
KEY_REPORTERS = "reporters"
KEY_PROVEN_REPORTERS = "proven_reporters"
KEY_PROVEN_MASS = "proven_mass"
KEY_UNPROVEN_MASS = "unproven_mass"
KEY_UNPROVEN_CAP = "unproven_cap"
KEY_WEIGHT = "weight"
KEY_BURST = "burst"
KEY_REASONS = "reasons"

REASON_WORDS = {
    "fake_profile": "fake profile",
    "impersonation": "impersonation",
    "suspicious_approach": "suspicious approach",
    "spam": "spam",
    "harassment": "harassment",
    "other": "other",
}


def _reasons_text(reasons: dict[str, int]) -> str:
    parts = [f"{REASON_WORDS.get(k, 'other')} \u00d7{v}" for k, v in list(reasons.items())[:4]]
    return ", ".join(parts)


@register
class ReportsDetector(Detector):
    """Reports from other members, weighted by how often each reporter was right before."""

    name = "report.members"
    specs = (
        SignalSpec(
            "report.trusted",
            "Reported by members whose earlier reports proved right",
            1.5,
            "Members with a good record of spotting fake profiles reported this one. Treat "
            "it with caution: do not share anything about your work until you have verified who "
            "they are through another channel.",
        ),
        SignalSpec(
            "report.members",
            "Reported by other members",
            0.6,
            "Other members reported this profile. Reports alone prove nothing (anyone can "
            "report anyone), but together with other warning signs they are a reason for care.",
        ),
        SignalSpec(
            "report.burst",
            "A sudden burst of reports from accounts with no track record",
            0.0,
            "Many reports arrived at once from new or unproven accounts. That can be a "
            "coordinated attempt to get a genuine profile removed: judge the profile on its own "
            "evidence, not on the number of reports.",
        ),
    )

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterable[Signal]:
        r = ctx.reports
        if not r or not r.get(KEY_COUNT):
            return
        reasons = _reasons_text(dict(r.get(KEY_REASONS) or {}))
        proven = int(r.get(KEY_PROVEN_REPORTERS) or 0)
        proven_mass = float(r.get(KEY_PROVEN_MASS) or 0.0)
        if proven and proven_mass > 0:
            yield self.signal(
                "report.trusted",
                1.0 - math.exp(-proven_mass),
                f"{proven} member{'s' if proven != 1 else ''} with a good record of reporting "
                f"fake profiles reported this one ({reasons}).",
                {"reporters": proven, "weight": round(proven_mass, 3)},
            )
        unproven = int(r.get(KEY_COUNT) or 0) - proven
        cap = float(r.get(KEY_UNPROVEN_CAP) or 1.0)
        mass = min(cap, float(r.get(KEY_UNPROVEN_MASS) or 0.0))
        if unproven > 0 and mass > 0:
            yield self.signal(
                "report.members",
                mass / cap if cap > 0 else 0.0,
                f"{unproven} other member{'s' if unproven != 1 else ''} reported this profile "
                f"({reasons}); their reports count together for little until reviewers confirm "
                "them.",
                {"reporters": unproven, "weight": round(mass, 3)},
            )
        if r.get(KEY_BURST):
            yield self.signal(
                "report.burst",
                1.0,
                f"{unproven} reports came in a short time from accounts with no track record.",
                {"reporters": unproven},
            )
