"""The graph builder: ids to integers, and an undirected simple graph whatever the input repeats."""

from __future__ import annotations

import numpy as np
import pytest

from spycatcher.graph.build import EdgeBuffer, GraphBuilder, IdIndex, degrees, undirected_csr


def test_id_index_is_dense_and_first_seen_ordered() -> None:
    idx = IdIndex()
    assert [idx.add(k) for k in ["b", "a", "b", "c"]] == [0, 1, 0, 2]
    assert idx.get("a") == 1 and idx.get("zz") is None
    assert list(idx) == ["b", "a", "c"] and idx.id_of(2) == "c" and len(idx) == 3
    assert "c" in idx and "d" not in idx


def test_duplicates_reversed_pairs_and_self_loops_make_one_simple_edge() -> None:
    g = GraphBuilder()
    g.node("lonely")
    for a, b in [("x", "y"), ("y", "x"), ("x", "y"), ("x", "x"), ("y", "z")]:
        g.add_edge(a, b)
    adj = g.to_csr()
    x, y, z, lonely = (g.index.get(k) for k in ("x", "y", "z", "lonely"))
    assert adj.shape == (4, 4)
    assert (adj != adj.T).nnz == 0, "symmetric"
    assert adj.diagonal().sum() == 0, "no self-loops"
    assert adj[x, y] == 1.0 and adj[y, z] == 1.0 and adj[x, z] == 0.0
    deg = degrees(adj)
    assert (deg[lonely], deg[x], deg[y], deg[z]) == (0.0, 1.0, 2.0, 1.0)
    assert adj.nnz == 4  # two undirected edges, stored both ways
    assert adj.has_sorted_indices


def test_chunked_buffer_matches_one_shot_arrays() -> None:
    rng = np.random.default_rng(3)
    u = rng.integers(0, 50, 1000)
    v = rng.integers(0, 50, 1000)
    buf = EdgeBuffer(chunk=64)  # many small chunks
    for a, b in zip(u.tolist(), v.tolist(), strict=True):
        buf.add(a, b)
    bu, bv = buf.arrays()
    assert len(buf) == 1000
    assert bu.tolist() == u.tolist() and bv.tolist() == v.tolist()
    a1 = undirected_csr(bu, bv, 50)
    a2 = undirected_csr(v, u, 50)  # direction does not matter
    assert (a1 != a2).nnz == 0
    # against a set-of-pairs construction
    pairs = {(min(a, b), max(a, b)) for a, b in zip(u.tolist(), v.tolist(), strict=True) if a != b}
    assert a1.nnz == 2 * len(pairs)


def test_extend_with_arrays_and_bounds_checked() -> None:
    buf = EdgeBuffer()
    buf.add(0, 1)
    buf.extend(np.array([1, 2]), np.array([2, 3]))
    u, v = buf.arrays()
    assert u.tolist() == [0, 1, 2] and v.tolist() == [1, 2, 3]
    with pytest.raises(ValueError):
        undirected_csr(np.array([0]), np.array([5]), 3)
    with pytest.raises(ValueError):
        buf.extend(np.array([1, 2]), np.array([2]))


def test_empty_graph() -> None:
    g = GraphBuilder()
    assert g.to_csr().shape == (0, 0)
    g.node("a")
    assert g.to_csr().nnz == 0
