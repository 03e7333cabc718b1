"""The genuine connection graph: heavy-tailed degrees with homophily.

A configuration model with communities: each member gets a lognormal number of "stubs" (so the
degree distribution is heavy-tailed), each stub is assigned to a level (same employer, same
sector and country, same city, anyone) and stubs are paired at random within their level's
bucket. Pairing within buckets is what gives homophily; pairing stubs (not members) is what
makes popular members popular. Everything is vectorised: memory is a few arrays the size of the
number of stubs, about the mean degree times the number of members.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spycatcher.synth.clock import DAY, HOUR, rng_for
from spycatcher.synth.places import CITIES
from spycatcher.synth.population import RECRUITER, Population

#: probability that a stub pairs within: employer, sector+country, city, anyone
LEVEL_P = (0.36, 0.24, 0.14, 0.26)
RECRUITER_LEVEL_P = (0.1, 0.15, 0.15, 0.6)


@dataclass(slots=True)
class Edges:
    """Undirected genuine connections: ``a`` invited ``b``, accepted at ``t``."""

    a: np.ndarray  # int32
    b: np.ndarray  # int32
    t: np.ndarray  # int64
    #: when the invitation was sent (only meaningful for edges formed in the event window)
    sent: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.a)


@dataclass(slots=True)
class Adjacency:
    """Compressed sparse rows of the genuine graph, for picking a member's contacts."""

    indptr: np.ndarray  # int64, n + 1
    indices: np.ndarray  # int32
    #: when each connection was made, in minutes since the epoch (int32 keeps it small)
    minutes: np.ndarray  # int32

    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def random_neighbour(
        self, rng: np.random.Generator, nodes: np.ndarray, at: np.ndarray | None = None
    ) -> np.ndarray:
        """One random contact per node (-1 where a node has none, or none yet at time ``at``)."""
        deg = self.indptr[nodes + 1] - self.indptr[nodes]
        off = (rng.random(len(nodes)) * deg).astype(np.int64)
        if not len(self.indices):
            return np.full(len(nodes), -1, dtype=np.int32)
        pos = np.minimum(self.indptr[nodes] + off, len(self.indices) - 1)
        ok = deg > 0
        if at is not None:
            ok &= self.minutes[pos].astype(np.int64) * 60 <= at
        return np.where(ok, self.indices[pos], -1).astype(np.int32)


def _pair_within(keys: np.ndarray, owners: np.ndarray, rng: np.random.Generator):
    """Pair stubs with equal keys at random; return (pairs_a, pairs_b, leftover owners)."""
    if len(keys) == 0:
        e = np.zeros(0, dtype=np.int32)
        return e, e, e
    order = np.lexsort((rng.random(len(keys)), keys))
    k = keys[order]
    o = owners[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    group_start = np.repeat(starts, sizes)
    rank = np.arange(len(k)) - group_start
    group_size = np.repeat(sizes, sizes)
    first = (rank % 2 == 0) & (rank + 1 < group_size)
    ia = np.flatnonzero(first)
    leftover = o[(rank == group_size - 1) & (group_size % 2 == 1)]
    return o[ia], o[ia + 1], leftover


def build_edges(seed: int, pop: Population, mean_degree_scale: float = 1.0) -> Edges:
    """Connections among genuine members, with formation times and who invited whom."""
    rng = rng_for(seed, "graph")
    ng = pop.n_genuine
    target = pop.degree_target[:ng].astype(np.float64) * mean_degree_scale
    stubs = rng.poisson(target).astype(np.int64)
    owners = np.repeat(np.arange(ng, dtype=np.int32), stubs)
    level = rng.choice(4, size=len(owners), p=LEVEL_P).astype(np.int64)
    rec = np.flatnonzero(pop.kind[owners] == RECRUITER)
    level[rec] = rng.choice(4, size=len(rec), p=RECRUITER_LEVEL_P)
    city = pop.city[owners].astype(np.int64)
    country = np.array([c.country for c in CITIES], dtype=np.int64)[city]
    sub = np.select(
        [level == 0, level == 1, level == 2],
        [pop.org[owners].astype(np.int64), pop.sector[owners] * 100 + country, city],
        0,
    )
    keys = level * 10_000_000 + sub
    a1, b1, left = _pair_within(keys[level < 3], owners[level < 3], rng)
    glob = np.concatenate([owners[level == 3], left])
    a2, b2, _ = _pair_within(np.zeros(len(glob), dtype=np.int64), glob, rng)
    a = np.concatenate([a1, a2]).astype(np.int64)
    b = np.concatenate([b1, b2]).astype(np.int64)
    keep = a != b
    a, b = a[keep], b[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    _, first = np.unique(lo * ng + hi, return_index=True)
    first.sort()
    a, b = a[first], b[first]

    # Formation time: after both accounts exist, more often early in the shared lifetime.
    start = np.maximum(pop.created[a], pop.created[b]) + HOUR
    span = np.maximum(pop.as_of - start, HOUR)
    t = start + (rng.random(len(a)) ** 1.25 * span).astype(np.int64)
    flip = rng.random(len(a)) < 0.5
    inviter = np.where(flip, b, a).astype(np.int32)
    accepter = np.where(flip, a, b).astype(np.int32)
    delay = np.minimum(rng.lognormal(np.log(18 * HOUR), 1.2, len(a)), 20 * DAY).astype(np.int64)
    sent = np.maximum(t - delay, start)
    order = np.argsort(t, kind="stable")
    return Edges(inviter[order], accepter[order], t[order], sent[order])


def adjacency(n: int, edges: Edges) -> Adjacency:
    src = np.concatenate([edges.a, edges.b])
    dst = np.concatenate([edges.b, edges.a])
    order = np.argsort(src, kind="stable")
    counts = np.bincount(src, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    minutes = (np.concatenate([edges.t, edges.t]) // 60 + 1)[order].astype(np.int32)
    return Adjacency(indptr, dst[order].astype(np.int32), minutes)
