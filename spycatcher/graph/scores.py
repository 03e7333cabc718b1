"""Every graph score of every account, computed once per scan from the adjacency and the seeds.

Both engines produce a :class:`GraphScores` (the local engine from a scipy CSR matrix, the Spark
engine from DataFrame iterations) and read per-account facts through :meth:`GraphScores.facts`,
so the numbers a detector sees, and their meaning, do not depend on the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from spycatcher.graph.build import degrees
from spycatcher.graph.sybilrank import (
    normalised_trust,
    rank_percentiles,
    sybilrank,
    sybilrank_iterations,
)
from spycatcher.graph.sybilscar import sybilscar


@dataclass(slots=True)
class GraphScores:
    """Per-account arrays, indexed like the graph's :class:`~spycatcher.graph.build.IdIndex`.

    ``sybilrank_trust`` is NaN where SybilRank says nothing (no ties, or no trusted seed anywhere);
    ``sybilscar_fake`` is NaN where SybilSCAR says nothing (no ties and no label of its own, or no
    labels anywhere). Detectors must treat NaN as "no information", never as "suspicious".
    """

    degree: np.ndarray
    trusted: np.ndarray  # bool: trusted seed (verified, or cleared by a reviewer)
    fake: np.ndarray  # bool: known fake (a review decision)
    trusted_neighbours: np.ndarray
    fake_neighbours: np.ndarray
    sybilrank_trust: np.ndarray
    sybilrank_rank_pct: np.ndarray
    sybilscar_fake: np.ndarray
    iterations: int
    #: how many trusted seeds there are: counted once here, because :meth:`facts` runs for every
    #: account (summing the mask there made pass 2 quadratic: ~45% of its CPU at 1M profiles)
    seeds: int = field(init=False)

    def __post_init__(self) -> None:
        self.seeds = int(self.trusted.sum())

    @property
    def n(self) -> int:
        return int(self.degree.shape[0])

    def facts(self, i: int | None) -> dict[str, float]:
        """What the graph says about account ``i`` (None: an account the graph never saw)."""
        if i is None:
            return {"degree": 0.0, "trusted_seeds": float(self.seeds)}
        out = {
            "degree": float(self.degree[i]),
            "trusted_neighbours": float(self.trusted_neighbours[i]),
            "fake_neighbours": float(self.fake_neighbours[i]),
            "trusted_seeds": float(self.seeds),
        }
        if self.trusted[i]:
            out["trusted_seed"] = 1.0
        if self.fake[i]:
            out["known_fake"] = 1.0
        t = self.sybilrank_trust[i]
        if np.isfinite(t):
            out["sybilrank_trust"] = float(t)
            out["sybilrank_rank_pct"] = float(self.sybilrank_rank_pct[i])
        f = self.sybilscar_fake[i]
        if np.isfinite(f):
            out["sybilscar_fake"] = float(f)
        return out


def compute_scores(
    adj: sp.csr_matrix,
    trusted: np.ndarray,
    fake: np.ndarray,
    iterations: int | None = None,
) -> GraphScores:
    """SybilRank from the trusted seeds and SybilSCAR from trusted and fake labels, masked.

    ``trusted`` and ``fake`` are boolean masks over the nodes. ``iterations`` (SybilRank's early
    termination) defaults to ceil(log2 n).
    """
    n = adj.shape[0]
    deg = degrees(adj)
    trusted, fake = clean_seeds(trusted, fake)
    steps = sybilrank_iterations(n) if iterations is None else iterations

    tn = adj @ trusted.astype(np.float64)
    fn = adj @ fake.astype(np.float64)

    trust = None
    if (trusted & (deg > 0)).any():
        trust = sybilrank(adj, trusted, iterations=steps).trust
    scar = None
    if trusted.any() or fake.any():
        scar = sybilscar(adj, trusted, fake).fake
    return assemble_scores(deg, trusted, fake, tn, fn, trust, scar, steps)


def clean_seeds(trusted: np.ndarray, fake: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boolean seed masks; an account both trusted and known fake counts as fake."""
    fake = np.asarray(fake, dtype=bool)
    return np.asarray(trusted, dtype=bool) & ~fake, fake


def assemble_scores(
    deg: np.ndarray,
    trusted: np.ndarray,
    fake: np.ndarray,
    trusted_neighbours: np.ndarray,
    fake_neighbours: np.ndarray,
    sybilrank_trust: np.ndarray | None,
    sybilscar_fake: np.ndarray | None,
    iterations: int,
) -> GraphScores:
    """Raw propagation results -> :class:`GraphScores` (normalisation, percentiles, masking).

    Both engines call this with their own propagation results (raw SybilRank trust, SybilSCAR
    probabilities; None where the algorithm did not run), so everything after the iterations is
    one piece of code.
    """
    n = deg.shape[0]
    linked = deg > 0
    trust = np.full(n, np.nan)
    pct = np.full(n, np.nan)
    if sybilrank_trust is not None:
        trust = normalised_trust(sybilrank_trust, deg)
        pct = rank_percentiles(trust)
    scar = np.full(n, np.nan)
    if sybilscar_fake is not None:
        informative = linked | trusted | fake
        scar[informative] = sybilscar_fake[informative]
    return GraphScores(
        degree=deg,
        trusted=trusted,
        fake=fake,
        trusted_neighbours=trusted_neighbours,
        fake_neighbours=fake_neighbours,
        sybilrank_trust=trust,
        sybilrank_rank_pct=pct,
        sybilscar_fake=scar,
        iterations=iterations,
    )
