"""The zero-shot scorer: what ``scan`` uses on day one, before anyone has labels.

Each signal adds ``weight x strength`` to the log-odds of "fake" (weights are declared beside the
detector that raises the signal, in its SignalSpec), starting from a prior that reflects how rare
fakes are. The sum goes through a logistic function, so the score reads like a probability and
every point of it can be traced back to named reasons: the contributions are the explanation.

Signals of one family overlap (three lure phrases in one message are one lure, not three), so within
a family only the strongest contributions count in full and the rest are damped. A spec may name a
narrower overlap group (``SignalSpec.overlap``) when its family holds unrelated facts.
"""

from __future__ import annotations

import math
from collections import defaultdict

from spycatcher.schema import Profile
from spycatcher.scoring.assessment import Assessment, level_for
from spycatcher.signals.base import ProfileContext, Signal, SignalSpec

#: log-odds before any evidence: a profile with no reason either way is fake about 3% of the time.
#: Fakes are rarer on a large professional network (0.8% of the synthetic one) and commoner in a
#: collected dataset (half of cresci2015); at -3.0 (5%) a genuine member with one or two weak
#: reasons scored 0.15 to 0.5 where about 0.5% of such members were fake. The levels this gives
#: are measured in BENCHMARKS.md ("Detection quality") and explained in docs/scoring.md.
PRIOR_LOGIT = -3.5
#: each further positive signal of the same overlap group counts this much less than the one before
FAMILY_DAMPING = 0.8


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class ZeroShotScorer:
    """Combine signals with documented weights into a probability-like score."""

    name = "zero-shot"

    def __init__(
        self, specs: dict[str, SignalSpec] | None = None, prior_logit: float = PRIOR_LOGIT
    ):
        self.specs = specs
        self.prior_logit = prior_logit

    def _specs(self) -> dict[str, SignalSpec]:
        if self.specs is None:
            from spycatcher.signals.registry import all_specs

            self.specs = all_specs()
        return self.specs

    def contributions(self, signals: list[Signal]) -> dict[str, float]:
        specs = self._specs()
        by_group: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for s in signals:
            spec = specs.get(s.name)
            weight = spec.weight if spec is not None else 0.0
            group = spec.group if spec is not None else s.name.split(".", 1)[0]
            by_group[group].append((weight * s.strength, s.name))
        out: dict[str, float] = {}
        for items in by_group.values():
            positives = sorted((c for c in items if c[0] > 0), reverse=True)
            for rank, (c, name) in enumerate(positives):
                out[name] = out.get(name, 0.0) + c * (FAMILY_DAMPING**rank)
            for c, name in items:
                if c <= 0:
                    out[name] = out.get(name, 0.0) + c
        return out

    def score(
        self, profile: Profile, signals: list[Signal], ctx: ProfileContext | None = None
    ) -> Assessment:
        contrib = self.contributions(signals)
        logit = self.prior_logit + sum(contrib.values())
        score = _sigmoid(logit)
        ordered = sorted(signals, key=lambda s: -abs(contrib.get(s.name, 0.0)))
        contrib_sorted = dict(sorted(contrib.items(), key=lambda kv: -abs(kv[1])))
        return Assessment(
            profile_id=profile.id,
            platform=profile.platform,
            name=profile.name,
            score=score,
            level=level_for(score),
            signals=ordered,
            contributions=contrib_sorted,
            label=profile.label,
            campaign=profile.campaign,
        )
