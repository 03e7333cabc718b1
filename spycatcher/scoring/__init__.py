"""Signals -> a score in 0..1, a level and the reasons behind it."""

from spycatcher.scoring.assessment import Assessment, level_for
from spycatcher.scoring.zero_shot import ZeroShotScorer

__all__ = ["Assessment", "ZeroShotScorer", "level_for"]
