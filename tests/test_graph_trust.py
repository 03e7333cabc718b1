"""SybilRank and SybilSCAR: the fast sparse versions agree with the plain reference loops, and
seeds behave as the papers say (trust flows from seeds; a region behind few ties gets little)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spycatcher.graph.build import undirected_csr
from spycatcher.graph.scores import compute_scores
from spycatcher.graph.sybilrank import (
    rank_percentiles,
    sybilrank,
    sybilrank_iterations,
    sybilrank_reference,
)
from spycatcher.graph.sybilscar import sybilscar, sybilscar_reference


def random_graph(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray, list[set[int]]]:
    rng = np.random.default_rng(seed)
    u = rng.integers(0, n, m)
    v = rng.integers(0, n, m)
    nbrs: list[set[int]] = [set() for _ in range(n)]
    for a, b in zip(u.tolist(), v.tolist(), strict=True):
        if a != b:
            nbrs[a].add(b)
            nbrs[b].add(a)
    return u, v, nbrs


def two_regions(
    honest: int = 200, fake: int = 60, attack: int = 3, seed: int = 0
) -> tuple[np.ndarray, int]:
    """Honest and fake regions, each dense inside, joined by a few attack edges."""
    rng = np.random.default_rng(seed)
    u = [rng.integers(0, honest, honest * 4), rng.integers(honest, honest + fake, fake * 4)]
    v = [rng.integers(0, honest, honest * 4), rng.integers(honest, honest + fake, fake * 4)]
    u.append(rng.integers(0, honest, attack))
    v.append(rng.integers(honest, honest + fake, attack))
    # a ring in each region keeps both connected
    u.append(np.arange(honest))
    v.append((np.arange(honest) + 1) % honest)
    u.append(np.arange(honest, honest + fake))
    v.append(honest + (np.arange(fake) + 1) % fake)
    n = honest + fake
    adj = undirected_csr(np.concatenate(u), np.concatenate(v), n)
    return adj, honest


@pytest.mark.parametrize("seed", range(6))
def test_sybilrank_fast_equals_reference(seed: int) -> None:
    n = 40 + 10 * seed
    u, v, nbrs = random_graph(seed, n, 3 * n)
    adj = undirected_csr(u, v, n)
    rng = np.random.default_rng(100 + seed)
    seeds = rng.choice(n, 1 + seed, replace=False).tolist()
    steps = sybilrank_iterations(n)
    fast = sybilrank(adj, seeds).normalised
    ref = sybilrank_reference(nbrs, seeds, steps)
    for a, b in zip(fast.tolist(), ref, strict=True):
        if math.isnan(b):
            assert math.isnan(a)
        else:
            assert a == pytest.approx(b, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("weighting", ["degree", "constant"])
@pytest.mark.parametrize("seed", range(5))
def test_sybilscar_fast_equals_reference(seed: int, weighting: str) -> None:
    n = 30 + 15 * seed
    u, v, nbrs = random_graph(seed + 50, n, 2 * n)
    adj = undirected_csr(u, v, n)
    rng = np.random.default_rng(seed)
    picks = rng.choice(n, 6, replace=False).tolist()
    benign, sybil = picks[:4], picks[4:]
    fast = sybilscar(adj, benign, sybil, iterations=7, weighting=weighting).fake  # type: ignore[arg-type]
    ref = sybilscar_reference(nbrs, benign, sybil, iterations=7, weighting=weighting)  # type: ignore[arg-type]
    assert fast.tolist() == pytest.approx(ref, rel=1e-12, abs=1e-15)


def test_sybilrank_conserves_trust_and_starts_on_seeds() -> None:
    adj, _ = two_regions()
    r0 = sybilrank(adj, [0, 1], iterations=0)
    assert r0.trust[0] == r0.trust[1] == 0.5 and r0.trust.sum() == 1.0
    r = sybilrank(adj, [0, 1])
    # a connected graph without isolated nodes loses no trust
    assert r.trust.sum() == pytest.approx(1.0)
    assert r.iterations == sybilrank_iterations(adj.shape[0]) == 9  # ceil(log2 260)


def test_fake_region_behind_few_ties_gets_low_trust() -> None:
    adj, honest = two_regions()
    seeds = list(range(0, honest, 20))
    trust = sybilrank(adj, seeds).normalised
    assert np.median(trust[honest:]) < 0.2 * np.median(trust[:honest])
    pct = rank_percentiles(trust)
    assert np.mean(pct[honest:] <= 0.3) > 0.9, "the fake region is ranked at the bottom"


def test_sybilrank_without_seeds_or_ties_says_nothing() -> None:
    adj = undirected_csr(np.array([0, 1]), np.array([1, 2]), 4)  # node 3 has no ties
    r = sybilrank(adj, [3])  # the only seed has no ties: no trust anywhere
    assert r.seeds_used == 0 and not r.trust.any()
    assert math.isnan(r.normalised[3])
    s = compute_scores(adj, np.zeros(4, bool), np.zeros(4, bool))
    assert np.isnan(s.sybilrank_trust).all() and np.isnan(s.sybilscar_fake).all()


def test_sybilscar_labels_pull_their_regions_apart() -> None:
    adj, honest = two_regions()
    res = sybilscar(adj, list(range(0, honest, 25)), [honest + 1, honest + 7]).fake
    assert res.min() >= 0.0 and res.max() <= 1.0
    assert np.median(res[honest:]) > 0.5 > np.median(res[:honest])
    # a node with no ties and no label keeps "no information"
    iso = undirected_csr(np.array([0]), np.array([1]), 3)
    assert sybilscar(iso, [0]).fake[2] == 0.5
    # a label outside any tie keeps its prior
    assert sybilscar(iso, [2]).fake[2] == pytest.approx(0.1)


def test_rank_percentiles_treat_ties_and_nan() -> None:
    pct = rank_percentiles(np.array([0.0, 0.0, 1.0, np.nan, 2.0]))
    assert pct[:3].tolist() == [0.5, 0.5, 0.75] and math.isnan(pct[3]) and pct[4] == 1.0
    # last-bit differences (as two engines may produce) do not break ties
    a = rank_percentiles(np.array([0.3, 0.3 + 1e-15, 0.7]))
    assert a[0] == a[1]


def test_compute_scores_masks_and_neighbour_counts() -> None:
    adj = undirected_csr(np.array([0, 0, 1, 3]), np.array([1, 2, 2, 4]), 6)
    trusted = np.array([True, False, False, False, False, False])
    fake = np.array([False, False, False, False, True, False])
    s = compute_scores(adj, trusted, fake)
    assert s.trusted_neighbours.tolist() == [0, 1, 1, 0, 0, 0]
    assert s.fake_neighbours.tolist() == [0, 0, 0, 1, 0, 0]
    f5 = s.facts(5)  # no ties, no label
    assert "sybilrank_trust" not in f5 and "sybilscar_fake" not in f5
    f3 = s.facts(3)  # tied only to a known fake: unreached by trust, pulled towards fake
    assert f3["sybilrank_trust"] == 0.0 and f3["sybilscar_fake"] > 0.5
    assert s.facts(4)["known_fake"] == 1.0 and s.facts(0)["trusted_seed"] == 1.0
    assert s.facts(None) == {"degree": 0.0, "trusted_seeds": 1.0}
