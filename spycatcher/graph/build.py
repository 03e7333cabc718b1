"""Compact graph accumulation: string ids -> dense integers, edges -> an undirected CSR matrix.

A platform has hundreds of millions of members and billions of connections, so the graph is never
held as Python objects per edge. Ids are mapped once to dense integers (:class:`IdIndex`, shared
with the stage that annotates profiles), edge endpoints are appended to small ``array`` buffers that
are frozen into numpy chunks, and :func:`undirected_csr` turns the chunks into one
``scipy.sparse`` CSR matrix: self-loops dropped, each pair kept once whichever way round and
however many times it was seen (a connection and an accepted invitation are one tie), symmetric.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

import numpy as np
import scipy.sparse as sp

from spycatcher.numeric import unique_sorted

#: endpoints per frozen chunk: big enough that per-chunk overhead vanishes, small enough to be cheap
CHUNK = 1 << 20
#: the dedupe key is lo * n + hi in int64, so n must stay below sqrt(2**63)
MAX_NODES = 3_000_000_000


class IdIndex:
    """Profile id -> dense integer, in first-seen order.

    The stage that builds the graph and the one that writes scores back into each profile's context
    use the same index, so a score array is read with ``scores[index.get(profile.id)]``.
    """

    __slots__ = ("_index", "_ids")

    def __init__(self) -> None:
        self._index: dict[str, int] = {}
        self._ids: list[str] = []

    def add(self, key: str) -> int:
        """The integer for ``key``, allocating the next one on first sight."""
        i = self._index.get(key)
        if i is None:
            i = len(self._ids)
            if i >= MAX_NODES:
                raise OverflowError(f"more than {MAX_NODES} accounts in one graph")
            self._index[key] = i
            self._ids.append(key)
        return i

    def get(self, key: str) -> int | None:
        return self._index.get(key)

    def id_of(self, i: int) -> str:
        return self._ids[i]

    @property
    def ids(self) -> list[str]:
        """Ids in integer order (do not mutate)."""
        return self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)


class EdgeBuffer:
    """Edge endpoints appended one at a time or in arrays, stored as frozen int32/int64 chunks."""

    __slots__ = ("_u", "_v", "_chunks_u", "_chunks_v", "_chunk")

    def __init__(self, chunk: int = CHUNK) -> None:
        self._chunk = chunk
        self._u = array("q")
        self._v = array("q")
        self._chunks_u: list[np.ndarray] = []
        self._chunks_v: list[np.ndarray] = []

    def add(self, u: int, v: int) -> None:
        self._u.append(u)
        self._v.append(v)
        if len(self._u) >= self._chunk:
            self._freeze()

    def extend(self, u: np.ndarray, v: np.ndarray) -> None:
        """Append many edges at once (already integer ids)."""
        u = np.asarray(u)
        v = np.asarray(v)
        if u.shape != v.shape or u.ndim != 1:
            raise ValueError("edge endpoint arrays must be 1-D and the same length")
        self._freeze()
        self._chunks_u.append(_compact(u))
        self._chunks_v.append(_compact(v))

    def _freeze(self) -> None:
        if len(self._u):
            self._chunks_u.append(_compact(np.frombuffer(self._u, dtype=np.int64)))
            self._chunks_v.append(_compact(np.frombuffer(self._v, dtype=np.int64)))
            self._u = array("q")
            self._v = array("q")

    def __len__(self) -> int:
        return sum(len(c) for c in self._chunks_u) + len(self._u)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All endpoints so far as two int64 arrays (as appended: duplicates and loops included)."""
        self._freeze()
        if not self._chunks_u:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty.copy()
        u = np.concatenate(self._chunks_u).astype(np.int64, copy=False)
        v = np.concatenate(self._chunks_v).astype(np.int64, copy=False)
        # keep one consolidated chunk so a second call does not concatenate again
        self._chunks_u, self._chunks_v = [_compact(u)], [_compact(v)]
        return u, v


def _compact(a: np.ndarray) -> np.ndarray:
    """int32 when every id fits (halves memory on graphs below two billion accounts)."""
    if a.size == 0:
        return a.astype(np.int32)
    if a.min() < 0:
        raise ValueError("negative node id")
    if a.max() < np.iinfo(np.int32).max:
        return a.astype(np.int32, copy=True)
    return a.astype(np.int64, copy=True)


def undirected_csr(u: np.ndarray, v: np.ndarray, n: int) -> sp.csr_matrix:
    """A symmetric 0/1 adjacency matrix (float64, sorted indices) of the distinct pairs in (u, v).

    Self-loops are dropped and a pair seen several times, in either direction, is one edge: a
    connection event plus an accepted invitation between the same two accounts is one tie, and
    SybilRank's guarantees are stated for simple graphs.
    """
    if n > MAX_NODES:
        raise OverflowError(f"more than {MAX_NODES} accounts in one graph")
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    if u.size and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
        raise ValueError("edge endpoint outside 0..n-1")
    keep = u != v
    lo = np.minimum(u[keep], v[keep])
    hi = np.maximum(u[keep], v[keep])
    key = unique_sorted(lo * np.int64(n) + hi)
    lo = key // n
    hi = key - lo * n
    idx_dtype = (
        np.int32
        if n < np.iinfo(np.int32).max and 2 * key.size < np.iinfo(np.int32).max
        else np.int64
    )
    rows = np.concatenate([lo, hi]).astype(idx_dtype)
    cols = np.concatenate([hi, lo]).astype(idx_dtype)
    data = np.ones(rows.size, dtype=np.float64)
    adj = sp.coo_matrix((data, (rows, cols)), shape=(n, n)).tocsr()
    adj.sort_indices()
    return adj


def degrees(adj: sp.csr_matrix) -> np.ndarray:
    """Number of distinct neighbours of every node (float64, for the normalisations)."""
    return np.diff(adj.indptr).astype(np.float64)


class GraphBuilder:
    """Accumulate an undirected graph from id pairs, streaming, in compact memory."""

    def __init__(self, index: IdIndex | None = None, chunk: int = CHUNK) -> None:
        self.index = index if index is not None else IdIndex()
        self.edges = EdgeBuffer(chunk)

    def node(self, key: str) -> int:
        """Make sure ``key`` is a node (an account with no ties is still an account)."""
        return self.index.add(key)

    def add_edge(self, a: str, b: str) -> None:
        self.edges.add(self.index.add(a), self.index.add(b))

    def add_edges(self, pairs: Iterable[tuple[str, str]]) -> None:
        for a, b in pairs:
            self.add_edge(a, b)

    def to_csr(self) -> sp.csr_matrix:
        u, v = self.edges.arrays()
        return undirected_csr(u, v, len(self.index))
