"""The graph population stage: ties from events, trust from seeds, scores into each context.

Ties are the undirected pairs from ``connection`` events and ``invitation`` events that were
accepted (an invitation that was ignored or declined is no tie: the target did not vouch for the
sender). Trusted seeds are verified profiles plus any ids a reviewer cleared (option
``trusted_ids``); known fakes are ids a reviewer confirmed as fake (option ``fake_ids``). Memory is
one dict entry per account plus a few bytes per tie.

The Spark engine computes the same scores with DataFrame iterations
(:mod:`spycatcher.engine.spark_graph`): with the option ``graph_scores_external`` the stage only
numbers the accounts, and the engine hands it the scores with :meth:`GraphStage.use_scores` before
``finish``.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np

from spycatcher.engine.stages import PopulationStage, register_stage
from spycatcher.graph.build import GraphBuilder
from spycatcher.graph.scores import GraphScores, compute_scores
from spycatcher.schema import Event, Profile
from spycatcher.signals.base import ProfileContext


def _id_set(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        raise TypeError("trusted_ids / fake_ids must be a collection of ids, not one string")
    if not isinstance(value, Iterable):
        raise TypeError("trusted_ids / fake_ids must be a collection of ids")
    return frozenset(str(v) for v in value)


def is_tie(event: Event) -> bool:
    """A connection, or an invitation the target accepted."""
    return event.type == "connection" or (event.type == "invitation" and event.accepted is True)


@register_stage
class GraphStage(PopulationStage):
    """SybilRank and SybilSCAR over the tie graph; writes ``ctx.graph`` (see GraphScores.facts)."""

    name = "graph"
    order = 50

    def __init__(self, options: dict[str, object] | None = None) -> None:
        super().__init__(options)
        self.builder = GraphBuilder()
        self._verified = array("q")
        self.trusted_ids = _id_set(self.options.get("trusted_ids"))
        self.fake_ids = _id_set(self.options.get("fake_ids"))
        self.scores: GraphScores | None = None
        #: the engine computes the scores elsewhere (Spark): keep ids, not ties
        self.external = bool(self.options.get("graph_scores_external"))

    def observe_profile(self, profile: Profile) -> None:
        i = self.builder.node(profile.id)
        if profile.verified is True:
            self._verified.append(i)

    def observe_event(self, event: Event) -> None:
        if is_tie(event):
            if self.external:
                self.builder.node(event.actor)
                self.builder.node(event.target)
            else:
                self.builder.add_edge(event.actor, event.target)

    def seed_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """Boolean masks of trusted seeds and known fakes over the graph's nodes."""
        n = len(self.builder.index)
        trusted = np.zeros(n, dtype=bool)
        fake = np.zeros(n, dtype=bool)
        if len(self._verified):
            trusted[np.frombuffer(self._verified, dtype=np.int64)] = True
        for key, mask in ((self.trusted_ids, trusted), (self.fake_ids, fake)):
            for pid in key:
                i = self.builder.index.get(pid)
                if i is not None:
                    mask[i] = True
        return trusted, fake

    def finish(self, as_of: datetime) -> None:
        if self.external:
            if self.scores is None:
                raise RuntimeError("graph_scores_external: call use_scores() before finish()")
            return
        trusted, fake = self.seed_masks()
        adj = self.builder.to_csr()
        self.scores = compute_scores(adj, trusted, fake)
        # the edge chunks are no longer needed; the id index stays for annotate
        self.builder.edges = type(self.builder.edges)()

    def annotate(self, profile: Profile, ctx: ProfileContext) -> None:
        if self.scores is None:
            return
        ctx.graph = self.scores.facts(self.builder.index.get(profile.id))

    def use_scores(self, scores: GraphScores) -> None:
        """Scores computed by the engine (indexed like ``builder.index``), used instead of scipy."""
        if scores.n != len(self.builder.index):
            raise ValueError(f"{scores.n} scores for {len(self.builder.index)} accounts")
        self.scores = scores

    def merge(self, other: PopulationStage) -> None:
        """Fold in a partial stage (Spark): accounts numbered in input order, ties appended."""
        assert isinstance(other, GraphStage)
        index = self.builder.index
        remap = np.fromiter((index.add(k) for k in other.builder.index.ids), dtype=np.int64)
        if len(other._verified):
            verified = remap[np.frombuffer(other._verified, dtype=np.int64)]
            self._verified.frombytes(verified.tobytes())
        u, v = other.builder.edges.arrays()
        if len(u):
            self.builder.edges.extend(remap[u], remap[v])
