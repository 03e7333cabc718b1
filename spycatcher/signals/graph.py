"""Graph signals: where an account sits among trusted members and known fakes.

Reads ``ctx.graph``, written by :class:`spycatcher.graph.stage.GraphStage` (see
:meth:`spycatcher.graph.scores.GraphScores.facts`). Missing scores mean the graph cannot tell, and
the detector says so instead of treating a lone account as a suspicious one.

There is deliberately no "well connected, so probably real" signal: spies connect to their targets,
and targets accept almost anyone (public guidance: mutual connections prove nothing), so ties to
real members are easy to collect and must not lower a score.

Importing this module also registers the campaign detector
(:class:`spycatcher.graph.campaigns.CampaignDetector`), whose signals belong to the ``campaign``
family but come from the same graph package.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from spycatcher.graph.campaigns import CampaignDetector
from spycatcher.schema import Profile
from spycatcher.signals.base import Detector, ProfileContext, Signal, SignalSpec
from spycatcher.signals.registry import register

__all__ = ["CampaignDetector", "GraphDetector"]

#: ranked among this least-trusted share of linked accounts: the list SybilRank hands reviewers
LOW_TRUST_PCT = 0.1
#: trust per tie below this share of an average member's is low whatever the ranking ...
LOW_TRUST = 0.75
#: ... as long as the account is also among this least-trusted share
LOW_TRUST_PCT_ABSOLUTE = 0.25
#: ties needed before a low trust score is full evidence (fewer: proportionally weaker)
FULL_DEGREE = 5
#: SybilSCAR probability above 0.5 + this counts as "nearer known fakes than trusted members"
NEAR_FAKE_MARGIN = 0.002
#: SybilSCAR probability at which "near known fakes" is full strength
NEAR_FAKE_FULL = 0.55


@register
class GraphDetector(Detector):
    """Low trust from verified members (SybilRank) and closeness to known fakes (SybilSCAR)."""

    name = "graph.trust"
    specs = (
        SignalSpec(
            "graph.low_trust",
            "Few trusted members connect to this account",
            1.0,
            "Few trusted members connect to this account. Fake accounts easily link to each other "
            "but struggle to win ties with real, verified people. Before accepting or replying, "
            "check who they are through another channel, such as their employer's switchboard.",
        ),
        SignalSpec(
            "graph.near_fakes",
            "Connected to accounts already found to be fake",
            2.0,
            "This account sits close to accounts that were already confirmed as fake. Be very "
            "careful: do not share information or move the conversation elsewhere. Report it to "
            "the platform and to your security team.",
        ),
        SignalSpec(
            "graph.no_information",
            "Too few connections to judge by",
            0.0,
            "The connections in this data say nothing either way about this account. Judge it by "
            "the other reasons, and verify anyone you do not know through another channel.",
        ),
    )

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterator[Signal]:
        g = ctx.graph
        if not g:
            return
        degree = int(g.get("degree", 0.0))
        seeds = int(g.get("trusted_seeds", 0.0))
        trust = g.get("sybilrank_trust")
        fake = g.get("sybilscar_fake")
        if trust is None and fake is None:
            if degree == 0:
                why = "It has no connections or accepted invitations in this data"
            else:
                why = f"It has {_n(degree, 'connection')}, but there are no verified members"
                why += " or review decisions to measure trust from"
            yield self.signal("graph.no_information", 1.0, why + ".")
            return
        if trust is not None and not g.get("trusted_seed"):
            yield from self._low_trust(degree, seeds, float(trust), g)
        if fake is not None and not g.get("known_fake"):
            yield from self._near_fakes(degree, float(fake), g)

    def _low_trust(
        self, degree: int, seeds: int, trust: float, g: dict[str, float]
    ) -> Iterator[Signal]:
        """SybilRank is a ranking: the bottom of it is the evidence, scaled by the number of ties.

        Where trust has mixed through the graph (many seeds, a small graph), absolute values are
        all near 1.0 and only the rank carries information; where it has not, a value far below
        the average is evidence on its own. The stronger of the two counts.
        """
        pct = float(g.get("sybilrank_rank_pct", math.nan))
        if degree < 1 or not math.isfinite(pct):
            return
        by_rank = 1.0 - pct / LOW_TRUST_PCT if pct <= LOW_TRUST_PCT else 0.0
        by_value = 1.0 - trust / LOW_TRUST if pct <= LOW_TRUST_PCT_ABSOLUTE else 0.0
        strength = min(1.0, degree / FULL_DEGREE) * max(by_rank, by_value, 0.0)
        if strength < 0.05:
            return
        tn = int(g.get("trusted_neighbours", 0.0))
        evidence = (
            f"Among the {max(1, math.ceil(pct * 100))}% least trusted accounts: trust reaching it "
            f"from {_n(seeds, 'verified member')} is {trust:.2f} of an average member's, and "
            f"{tn} of its {_n(degree, 'connection')} are verified."
        )
        yield self.signal(
            "graph.low_trust",
            strength,
            evidence,
            {"sybilrank_trust": round(trust, 6), "rank_pct": round(pct, 6), "degree": degree},
        )

    def _near_fakes(self, degree: int, fake: float, g: dict[str, float]) -> Iterator[Signal]:
        if fake <= 0.5 + NEAR_FAKE_MARGIN:
            return
        strength = min(1.0, (fake - 0.5) / (NEAR_FAKE_FULL - 0.5))
        fn = int(g.get("fake_neighbours", 0.0))
        if fn:
            evidence = (
                f"{fn} of its {_n(degree, 'connection')} were confirmed as fake, and the "
                f"network places it nearer known fakes than trusted members ({fake:.2f})."
            )
        else:
            evidence = (
                "Its connections lead, within a few steps, to accounts confirmed as fake rather "
                f"than to trusted members ({fake:.2f})."
            )
        yield self.signal(
            "graph.near_fakes", strength, evidence, {"sybilscar_fake": round(fake, 6)}
        )


def _n(k: int, noun: str) -> str:
    return f"{k} {noun}" if k == 1 else f"{k} {noun}s"
