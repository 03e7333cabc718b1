"""The result of scoring one profile, as the results contract and every front door show it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spycatcher.signals.base import Signal

#: score thresholds for the levels; one place, documented in the README
HIGH = 0.7
MEDIUM = 0.4


def level_for(score: float) -> str:
    if score >= HIGH:
        return "high"
    if score >= MEDIUM:
        return "medium"
    return "low"


@dataclass(slots=True)
class Assessment:
    """A profile's score, level and reasons (strongest contribution first)."""

    profile_id: str
    score: float
    level: str
    signals: list[Signal]
    #: signal or feature name -> log-odds contribution (positive pushes towards fake)
    contributions: dict[str, float] = field(default_factory=dict)
    platform: str = "linkedin"
    name: str | None = None
    label: str | None = None
    campaign: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.profile_id,
            "platform": self.platform,
            "name": self.name,
            "score": round(float(self.score), 6),
            "level": self.level,
            "signals": [s.as_dict() for s in self.signals],
            "contributions": {k: round(v, 4) for k, v in self.contributions.items()},
        }
