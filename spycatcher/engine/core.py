"""The per-profile step both engines share: context -> detectors -> scorer -> assessment.

Keeping this in one function is what lets the local and the Spark engine promise the same scores:
they differ only in how records are moved and how population stages are computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from spycatcher.schema import Profile
from spycatcher.scoring.assessment import Assessment
from spycatcher.signals.base import Detector, ProfileContext, Signal


class Scorer(Protocol):
    """Anything that turns a profile's signals into an Assessment (zero-shot or trained)."""

    name: str

    def score(
        self, profile: Profile, signals: list[Signal], ctx: ProfileContext | None = None
    ) -> Assessment: ...


def run_detectors(
    profile: Profile, ctx: ProfileContext, detectors: Sequence[Detector]
) -> list[Signal]:
    """Every registered detector's signals for one profile, in detector order."""
    out: list[Signal] = []
    for det in detectors:
        out.extend(det.detect(profile, ctx))
    return out


def assess(
    profile: Profile, ctx: ProfileContext, detectors: Sequence[Detector], scorer: Scorer
) -> tuple[Assessment, list[Signal]]:
    signals = run_detectors(profile, ctx, detectors)
    return scorer.score(profile, signals, ctx), signals
