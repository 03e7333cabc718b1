"""Finding every stored PDQ hash within a Hamming radius of a query: a reference and a fast index.

Following python-threatexchange's pattern, there are two matchers with one interface:

* :class:`BruteForceIndex` compares the query with every stored hash. It is obviously correct and
  is the reference the fast index is tested against.
* :class:`MultiIndexHash` (multi-index hashing, Norouzi et al.) splits the 256 bits into 16 chunks
  of 16 bits and keeps, per chunk, the stored ids sorted by that chunk's value. By the pigeonhole
  principle, if two hashes differ in at most ``r`` bits, at least one of the 16 chunks differs in
  at most ``r // 16`` bits. So probing, in every chunk, all values within ``r // 16`` bits of the
  query's chunk yields a candidate set that *contains every true match*; the candidates are then
  verified with exact distances. The answer is therefore identical to brute force, not an
  approximation; for Meta's default radius 31 that is 17 probes per chunk.

This index answers one query at a time (the hash bank, the service). To find every pair within a
population (a scan's photo reuse) use :func:`spycatcher.photo.join.radius_join`, which does the
whole self-join at once and is ~50 times cheaper at a million hashes than a query per hash.

Ids are the positions at which hashes were added (0, 1, 2, ...); callers keep their own mapping
from position to profile id or bank entry. Both indexes accept more hashes after queries (the fast
one rebuilds its tables lazily on the next query).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from spycatcher.photo.pdq import BITS, DEFAULT_THRESHOLD, as_words, hamming_many

CHUNKS = 16
CHUNK_BITS = BITS // CHUNKS  # 16
#: the largest per-chunk probe radius we enumerate; beyond it the index falls back to brute force
MAX_PROBE_RADIUS = 3


def _probe_masks(radius: int) -> np.ndarray:
    """All 16-bit masks with at most ``radius`` bits set (the XORs to probe around a value)."""
    masks = [0]
    for k in range(1, radius + 1):
        for bits in combinations(range(CHUNK_BITS), k):
            m = 0
            for b in bits:
                m |= 1 << b
            masks.append(m)
    return np.array(masks, dtype=np.int64)


class _HashStore:
    """Shared storage: hashes appended as 32-byte rows, kept as uint64 words for fast distances."""

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []
        self._words = np.zeros((0, 4), dtype=np.uint64)
        self._pending = 0

    def __len__(self) -> int:
        return int(self._words.shape[0]) + self._pending

    def add(self, h: bytes) -> int:
        """Add one 32-byte hash; returns its id."""
        if len(h) != BITS // 8:
            raise ValueError("a PDQ hash has 32 bytes")
        self._parts.append(np.frombuffer(h, dtype=np.uint8).reshape(1, -1))
        self._pending += 1
        return len(self) - 1

    def add_many(self, matrix: np.ndarray) -> range:
        """Add an (n, 32) uint8 matrix of hashes; returns their ids."""
        m = np.asarray(matrix, dtype=np.uint8)
        if m.ndim != 2 or m.shape[1] != BITS // 8:
            raise ValueError("expected an (n, 32) uint8 matrix of hashes")
        start = len(self)
        self._parts.append(m)
        self._pending += m.shape[0]
        return range(start, start + m.shape[0])

    def words(self) -> np.ndarray:
        if self._parts:
            fresh = as_words(np.concatenate(self._parts, axis=0))
            self._words = fresh if self._words.size == 0 else np.concatenate([self._words, fresh])
            self._parts = []
            self._pending = 0
        return self._words


class BruteForceIndex(_HashStore):
    """The reference matcher: compare a query with every stored hash."""

    def query(self, h: bytes, radius: int = DEFAULT_THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
        """(ids, distances) of every stored hash within ``radius`` bits of ``h``, ids ascending."""
        words = self.words()
        if words.shape[0] == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        d = hamming_many(h, words)
        ids = np.flatnonzero(d <= radius)
        return ids.astype(np.int64), d[ids]


class MultiIndexHash(_HashStore):
    """Exact radius search over many hashes via 16 tables of 16-bit chunks (see module docs)."""

    def __init__(self) -> None:
        super().__init__()
        self._built_n = -1
        self._order: np.ndarray = np.zeros((CHUNKS, 0), dtype=np.uint32)
        self._offsets: np.ndarray = np.zeros((CHUNKS, (1 << CHUNK_BITS) + 1), dtype=np.int64)
        self._masks: dict[int, np.ndarray] = {}

    @staticmethod
    def _chunks(words: np.ndarray) -> np.ndarray:
        """(n, 16) chunk values; any fixed split works as long as queries use the same one."""
        return np.ascontiguousarray(words).view(np.uint16).reshape(-1, CHUNKS)

    def build(self) -> None:
        """(Re)build the per-chunk tables: ids sorted by chunk value, and each value's offset."""
        words = self.words()
        n = words.shape[0]
        if n == self._built_n:
            return
        chunks = self._chunks(words)
        id_dtype = np.uint32 if n < 2**32 else np.uint64
        order = np.empty((CHUNKS, n), dtype=id_dtype)
        offsets = np.empty((CHUNKS, (1 << CHUNK_BITS) + 1), dtype=np.int64)
        for c in range(CHUNKS):
            col = chunks[:, c]
            order[c] = np.argsort(col, kind="stable").astype(id_dtype, copy=False)
            counts = np.bincount(col, minlength=1 << CHUNK_BITS)
            offsets[c, 0] = 0
            np.cumsum(counts, out=offsets[c, 1:])
        self._order, self._offsets, self._built_n = order, offsets, n

    def _masks_for(self, probe_radius: int) -> np.ndarray:
        if probe_radius not in self._masks:
            self._masks[probe_radius] = _probe_masks(probe_radius)
        return self._masks[probe_radius]

    def candidates(self, h: bytes, radius: int) -> np.ndarray:
        """Ids sharing a chunk within ``radius // 16`` bits of ``h``: a superset of the matches.

        An id may appear more than once (it shares several chunks with the query); callers
        verify distances first and deduplicate the few survivors, which is cheaper than sorting
        every candidate.
        """
        self.build()
        q = self._chunks(np.frombuffer(h, dtype=np.uint64).reshape(1, 4))[0].astype(np.int64)
        masks = self._masks_for(radius // CHUNKS)
        values = np.bitwise_xor(q[:, None], masks[None, :]).ravel()  # (16 * probes,)
        rows = np.repeat(np.arange(CHUNKS), masks.size)
        flat = rows * ((1 << CHUNK_BITS) + 1) + values
        offsets = self._offsets.ravel()
        starts = offsets[flat]
        lengths = offsets[flat + 1] - starts
        keep = lengths > 0
        if not keep.any():
            return np.zeros(0, dtype=np.int64)
        starts, lengths = starts[keep] + rows[keep] * self._built_n, lengths[keep]
        # gather all ranges in one vectorised step: flat position = start + offset within range
        total = int(lengths.sum())
        run_starts = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        pos = np.arange(total, dtype=np.int64) + run_starts
        return self._order.ravel()[pos].astype(np.int64)

    def query(self, h: bytes, radius: int = DEFAULT_THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
        """(ids, distances) of every stored hash within ``radius`` bits of ``h``, ids ascending."""
        words = self.words()
        if words.shape[0] == 0 or radius < 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        if radius // CHUNKS > MAX_PROBE_RADIUS:
            ref = hamming_many(h, words)
            ids = np.flatnonzero(ref <= radius)
            return ids.astype(np.int64), ref[ids]
        cand = self.candidates(h, radius)
        if cand.size == 0:
            return cand, np.zeros(0, dtype=np.int32)
        d = hamming_many(h, words[cand])
        hit = d <= radius
        ids, first = np.unique(cand[hit], return_index=True)
        return ids, d[hit][first]


def make_index(kind: str = "mih") -> BruteForceIndex | MultiIndexHash:
    """An empty index: ``"mih"`` (fast, exact) or ``"brute"`` (the reference)."""
    if kind == "brute":
        return BruteForceIndex()
    if kind == "mih":
        return MultiIndexHash()
    raise ValueError(f"unknown index kind {kind!r} (use 'mih' or 'brute')")
