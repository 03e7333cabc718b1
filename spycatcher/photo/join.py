"""Every pair of PDQ hashes within a Hamming radius, in bulk: the population's photo self-join.

A scan needs all pairs of profile photos within radius 31 (Meta's PDQ threshold). One
:class:`~spycatcher.photo.index.MultiIndexHash` query per photo costs about 1 ms at a million
hashes (each query gathers ~4,000 random candidates), so a million-photo scan would spend most of
its time there. This module answers the whole question at once, with the same exactness as the
index: the answer is identical to comparing every pair (:func:`brute_force_join` is the reference
the tests hold it to).

How (generalised pigeonhole, Qin et al. 2018): cut the 256 bits into ``m`` chunks. If two hashes
differ in at most ``r`` bits and ``m * (t + 1) > r``, some chunk differs in at most ``t`` bits. We
use ``t = 2`` with ``m = ceil((r + 1) / 3)`` chunks: 11 chunks of 23-24 bits at radius 31. Two
chunk values within 2 bits of each other share a *midpoint* at most one bit from each, so every
hash emits its chunk value and its one-bit flips (25 keys for a 24-bit chunk) and an equality join
on those keys finds every pair whose chunk differs in at most 2 bits. Longer chunks than the index's
16-bit ones cut the random candidates ~10-fold at a million hashes (the join grows with n^2 / 2^L).

Each candidate is taken once per chunk (a pair at chunk distance 1 or 2 meets at exactly two
midpoints, one of which the *canonical-midpoint* rule keeps; identical chunks only at the unflipped
key), verified with a vectorised popcount on 64-bit words (two words first, which rejects random
pairs with probability ~1 - 1e-9, then the other two), and kept only in the *first* chunk where
the pair is within 2 bits. So every pair comes out exactly once without a global dedupe.

Memory: per chunk, hashes are sorted by the chunk value (one copy of the hash words, 32 bytes per
hash, in that order, so a partition's hashes are contiguous and its popcounts read nearby memory).
The key space is split by its top ``h`` bits into partitions of at most ~``block`` emitted keys: a
partition's keys come from the hashes whose top bits equal it (flipping a low bit or none) and from
the ``h`` neighbouring partitions (flipping a top bit). Candidate pairs are generated and verified
in slices of at most ``block * 4`` pairs. Peak memory is about 150 bytes per hash (measured) plus a
bounded working set, plus the output; a partition only exceeds ``block`` when many hashes share
the same top chunk bits (clustered hashes), and a heavily clustered group (thousands of photos
within a few bits of each other) yields quadratically many true pairs, as it must.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from spycatcher.photo.pdq import BITS, DEFAULT_THRESHOLD

WORDS = BITS // 64
#: the per-chunk threshold: hashes meet at a midpoint within one bit of each
CHUNK_T = 2
#: the longest chunk (keys are packed into 64-bit sort keys with the hash's position)
MAX_CHUNK_BITS = 32
#: above this expected fraction of candidate pairs the chunks are too short to filter: brute force
MAX_CANDIDATE_FRACTION = 0.05
#: with at most this many pairs in all, brute force is cheaper than building the join
BRUTE_FORCE_PAIRS = 1 << 21
#: emitted keys per partition (the join's working set scales with this)
DEFAULT_BLOCK = 1 << 21
#: partitions are not cut smaller than this many keys just to speed up the sort
MIN_PARTITION = 1 << 15

_EMPTY = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32))


def _words(matrix: np.ndarray) -> np.ndarray:
    """(n, 4) uint64 words from (n, 4) uint64 or (n, 32) uint8 hashes."""
    m = np.asarray(matrix)
    if m.ndim == 2 and m.dtype == np.uint64 and m.shape[1] == WORDS:
        return np.ascontiguousarray(m)
    if m.ndim == 2 and m.dtype == np.uint8 and m.shape[1] == BITS // 8:
        return np.ascontiguousarray(m).view(np.uint64).reshape(-1, WORDS)
    raise ValueError("expected an (n, 4) uint64 or (n, 32) uint8 matrix of PDQ hashes")


def chunk_layout(radius: int) -> list[tuple[int, int]] | None:
    """(bit offset, length) of each chunk for ``radius``; None when chunks cannot filter.

    The chunks need not cover all 256 bits: the distance on a subset of the bits is at most the
    full distance, so the pigeonhole argument holds on whatever bits the chunks cover.
    """
    m = math.ceil((radius + 1) / (CHUNK_T + 1))
    if m < 1 or m > BITS:
        return None
    base, extra = divmod(BITS, m)
    lengths = [min(MAX_CHUNK_BITS, base + (1 if c < extra else 0)) for c in range(m)]
    fraction = sum(_ball(length, CHUNK_T) / 2.0**length for length in lengths)
    if fraction > MAX_CANDIDATE_FRACTION:
        return None
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).tolist()
    return list(zip(offsets, lengths, strict=True))


def _ball(length: int, t: int) -> int:
    return sum(math.comb(length, k) for k in range(t + 1))


def chunk_values(words: np.ndarray, offset: int, length: int) -> np.ndarray:
    """The ``length``-bit field starting at bit ``offset`` of each hash, as uint64."""
    w, s = divmod(offset, 64)
    v = words[:, w] >> np.uint64(s)
    if s and s + length > 64:
        v = v | (words[:, w + 1] << np.uint64(64 - s))
    return v & np.uint64((1 << length) - 1)


def _distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row-wise Hamming distance of two (k, 4) uint64 matrices."""
    return np.bitwise_count(np.bitwise_xor(x, y)).sum(axis=1, dtype=np.int32)


def brute_force_join(
    a: np.ndarray, b: np.ndarray | None = None, radius: int = DEFAULT_THRESHOLD
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference: compare every pair (in blocks). Same contract as :func:`radius_join`."""
    a = _words(a)
    bw = a if b is None else _words(b)
    if radius < 0 or a.shape[0] == 0 or bw.shape[0] == 0:
        return _EMPTY
    out_i, out_j, out_d = [], [], []
    step = max(1, (1 << 18) // bw.shape[0])
    for start in range(0, a.shape[0], step):
        x = a[start : start + step]
        d = np.bitwise_count(x[:, None, :] ^ bw[None, :, :]).sum(axis=2, dtype=np.int32)
        hit = d <= radius
        if b is None:  # each unordered pair once, never a hash with itself
            hit &= np.arange(bw.shape[0])[None, :] > np.arange(start, start + x.shape[0])[:, None]
        ii, jj = np.nonzero(hit)
        out_i.append(ii + start)
        out_j.append(jj)
        out_d.append(d[ii, jj])
    return (
        np.concatenate(out_i).astype(np.int64),
        np.concatenate(out_j).astype(np.int64),
        np.concatenate(out_d).astype(np.int32),
    )


def radius_join(
    a: np.ndarray,
    b: np.ndarray | None = None,
    radius: int = DEFAULT_THRESHOLD,
    *,
    method: str = "auto",
    block: int = DEFAULT_BLOCK,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs of hashes within ``radius`` bits: ``(i, j, distance)``, sorted by ``(i, j)``.

    ``a`` and ``b`` are (n, 4) uint64 or (n, 32) uint8 hash matrices. Without ``b`` it is the
    self-join of ``a``: each unordered pair once, ``i < j``, never a row with itself (identical
    rows at different positions are a pair at distance 0). With ``b``, ``i`` is a row of ``a``
    and ``j`` a row of ``b``. ``method``: ``"auto"`` (the chunk join, or brute force when that is
    cheaper: few pairs, or a radius so large that chunks cannot filter), ``"chunks"`` (the chunk
    join whenever the radius allows it) or ``"brute"``.
    """
    if method not in ("auto", "chunks", "brute"):
        raise ValueError(f"unknown join method {method!r} (use 'auto', 'chunks' or 'brute')")
    a = _words(a)
    bw = None if b is None else _words(b)
    nb = a.shape[0] if bw is None else bw.shape[0]
    if radius < 0 or a.shape[0] == 0 or nb == 0:
        return _EMPTY
    layout = chunk_layout(radius)
    few = a.shape[0] * nb <= BRUTE_FORCE_PAIRS
    if method == "brute" or layout is None or (method == "auto" and few):
        return brute_force_join(a, bw, radius)
    if a.shape[0] + (0 if bw is None else nb) >= 1 << 32:
        raise ValueError("the chunk join handles fewer than 2**32 hashes")
    return _chunk_join(a, bw, radius, layout, max(1024, block))


def _chunk_join(
    a: np.ndarray,
    b: np.ndarray | None,
    radius: int,
    layout: list[tuple[int, int]],
    block: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cross = b is not None
    na = a.shape[0]
    words = np.concatenate([a, b]) if b is not None else a
    out_i: list[np.ndarray] = []
    out_j: list[np.ndarray] = []
    out_d: list[np.ndarray] = []
    for c, (offset, length) in enumerate(layout):
        pairs = _chunk_pairs(words, na if cross else 0, c, layout, offset, length, radius, block)
        for oi, oj, d in pairs:
            if cross:
                out_i.append(oi)
                out_j.append(oj - na)
            else:
                out_i.append(np.minimum(oi, oj))
                out_j.append(np.maximum(oi, oj))
            out_d.append(d)
    if not out_i:
        return _EMPTY
    i = np.concatenate(out_i)
    j = np.concatenate(out_j)
    d = np.concatenate(out_d)
    order = np.lexsort((j, i))
    return i[order], j[order], d[order]


def _chunk_pairs(
    words: np.ndarray,
    na: int,
    c: int,
    layout: list[tuple[int, int]],
    offset: int,
    length: int,
    radius: int,
    block: int,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Verified pairs (original rows i, j and distance) whose first close chunk is chunk ``c``.

    ``na`` > 0 marks a cross join: rows below ``na`` are one side, the rest the other, and only
    pairs across the sides are produced (the first side's row first).
    """
    cross = na > 0
    n = words.shape[0]
    key = chunk_values(words, offset, length)
    packed = np.sort((key << np.uint64(32)) | np.arange(n, dtype=np.uint64))
    del key
    order = (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
    skey = packed >> np.uint64(32)
    del packed
    # the hash words in chunk order, one contiguous column per word
    in_order = np.take(words, order, axis=0)
    cols = [np.ascontiguousarray(in_order[:, w]) for w in range(WORDS)]
    del in_order
    side = (order >= na).astype(np.uint8) if cross else None
    # the two words that do not overlap the chunk filter random pairs first
    touched = {offset // 64, (offset + length - 1) // 64}
    first = [w for w in range(WORDS) if w not in touched][:2]
    rest = [w for w in range(WORDS) if w not in first]

    emitted_total = n * (length + 1)
    h = max(0, math.ceil(math.log2(max(1.0, emitted_total / block))))
    # short partitions let the sort key (low key bits + position) fit 32 bits, a faster sort
    # (but not below ~32k keys a partition, where numpy's per-call overhead would dominate)
    fit32 = length + math.log2(max(2, emitted_total)) + (1 if cross else 0) - 32
    worthwhile = math.floor(math.log2(max(1.0, emitted_total / MIN_PARTITION)))
    h = max(h, min(math.ceil(fit32 / 2), worthwhile))
    h = min(h, length)
    low_bits = length - h
    high = skey >> np.uint64(low_bits)
    bounds = np.searchsorted(high, np.arange((1 << h) + 1, dtype=np.uint64)).astype(np.int64)
    low = (skey & np.uint64((1 << low_bits) - 1)).astype(np.uint64)
    del high, skey
    flips = np.concatenate([[0], 1 << np.arange(low_bits, dtype=np.uint64)]).astype(np.uint64)
    home_codes = np.arange(low_bits + 1, dtype=np.uint8)

    for p in range(1 << h):
        s0, e0 = int(bounds[p]), int(bounds[p + 1])
        nbrs = []
        for j in range(h):
            q = p ^ (1 << j)
            s, e = int(bounds[q]), int(bounds[q + 1])
            if e > s:
                nbrs.append((s, e, low_bits + j + 1))
        if e0 == s0 and not nbrs:
            continue
        # emitted keys: (midpoint's low bits, code of the flipped bit (0 none), hash position)
        z_parts = [(low[s0:e0, None] ^ flips[None, :]).ravel()]
        c_parts = [np.tile(home_codes, e0 - s0)]
        e_parts = [np.repeat(np.arange(s0, e0, dtype=np.int64), low_bits + 1)]
        for s, e, code in nbrs:
            z_parts.append(low[s:e])
            c_parts.append(np.full(e - s, code, dtype=np.uint8))
            e_parts.append(np.arange(s, e, dtype=np.int64))
        z = np.concatenate(z_parts)
        codes = np.concatenate(c_parts)
        elem = np.concatenate(e_parts)
        del z_parts, c_parts, e_parts
        count = z.size
        if count < 2:
            continue
        pos_bits = max(1, int(count - 1).bit_length())
        side_bits = 1 if cross else 0
        total_bits = low_bits + side_bits + pos_bits
        dtype = np.uint32 if total_bits <= 32 else np.uint64
        if total_bits > 64:
            raise ValueError("partition too large for a 64-bit sort key")
        sortkey: np.ndarray = z.astype(dtype)
        sortkey <<= side_bits + pos_bits
        if side is not None:
            sortkey |= np.left_shift(side[elem].astype(dtype), pos_bits)
        sortkey |= np.arange(count, dtype=dtype)
        sortkey.sort()
        idx = (sortkey & ((1 << pos_bits) - 1)).astype(np.int64)
        zs = sortkey >> (side_bits + pos_bits)
        del z, sortkey
        # groups of equal midpoints; codes and positions in sorted order
        new_group = np.empty(count, dtype=bool)
        new_group[0] = True
        np.not_equal(zs[1:], zs[:-1], out=new_group[1:])
        del zs
        starts = np.flatnonzero(new_group)
        sizes = np.diff(np.append(starts, count))
        if sizes.max(initial=0) < 2:
            continue
        group_end = np.repeat(starts + sizes, sizes)
        codes_s = codes[idx]
        elem_s = elem[idx]
        del codes, elem, idx
        if side is not None:
            is_b = side[elem_s].astype(bool)
            n_first = np.add.reduceat((~is_b).astype(np.int64), starts)
            partner = np.repeat(starts + n_first, sizes)  # the group's first hash of side b
            live = np.flatnonzero(~is_b & (partner < group_end))
        else:
            partner = np.arange(1, count + 1, dtype=np.int64)
            live = np.flatnonzero(partner < group_end)
        del starts, sizes
        buf = _PairBuffer(block * 4)
        for left, right in _group_pairs(live, partner, group_end, block * 4):
            cl, cr = codes_s[left], codes_s[right]
            pl, pr = elem_s[left], elem_s[right]
            plain = (cl == 0) & (cr == 0)
            # a pair meets at two midpoints (or, if equal in the chunk, at all): keep the one
            # where side a's flip is the lower (cross), or the lower position's (self)
            lower = (cl < cr) if cross else ((cl != cr) & ((cl < cr) == (pl < pr)))
            hit = np.flatnonzero(plain | lower)
            if buf.add(pl[hit], pr[hit]):
                yield from _verify(buf.take(), cols, first, rest, radius, order, words, layout, c)
        if buf.size:
            yield from _verify(buf.take(), cols, first, rest, radius, order, words, layout, c)


#: pairs are walked one offset at a time for this many offsets (most groups are small)
_STEPS = 8


def _group_pairs(
    live: np.ndarray, partner: np.ndarray, group_end: np.ndarray, limit: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(left, right) sorted positions: each ``k`` in ``live`` with every position from
    ``partner[k]`` up to its group's end.

    Offsets 0, 1, 2, ... are taken one at a time while many positions take part (no index
    arithmetic beyond an addition); the few long groups left after ``_STEPS`` offsets get their
    remaining pairs in slices of about ``limit``.
    """
    delta = 0
    while live.size and delta < _STEPS:
        yield live, partner[live] + delta
        delta += 1
        live = live[partner[live] + delta < group_end[live]]
    if not live.size:
        return
    start = partner[live] + delta
    cnt = group_end[live] - start
    ends = np.cumsum(cnt)
    k0, done = 0, 0
    while k0 < live.size:
        k1 = max(k0 + 1, int(np.searchsorted(ends, done + limit, side="right")))
        c = cnt[k0:k1]
        m = int(ends[k1 - 1]) - done
        run = np.repeat(np.cumsum(c) - c, c)
        yield np.repeat(live[k0:k1], c), np.repeat(start[k0:k1], c) + (np.arange(m) - run)
        done += m
        k0 = k1


class _PairBuffer:
    """Candidate pairs collected until about ``limit`` of them, then verified together."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._left: list[np.ndarray] = []
        self._right: list[np.ndarray] = []

    def add(self, left: np.ndarray, right: np.ndarray) -> bool:
        """Add pairs; True when the buffer is full and should be verified."""
        if left.size:
            self._left.append(left)
            self._right.append(right)
            self.size += left.size
        return self.size >= self.limit

    def take(self) -> tuple[np.ndarray, np.ndarray]:
        left, right = np.concatenate(self._left), np.concatenate(self._right)
        self._left, self._right, self.size = [], [], 0
        return left, right


def _verify(
    pairs: tuple[np.ndarray, np.ndarray],
    cols: list[np.ndarray],
    first: list[int],
    rest: list[int],
    radius: int,
    order: np.ndarray,
    words: np.ndarray,
    layout: list[tuple[int, int]],
    c: int,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Exact distances of candidate pairs (positions in chunk order), the close ones kept once.

    Two words not overlapping the chunk go first: a random pair passes them with probability
    ~1e-9, so the other two words are only read for near-duplicates.
    """
    pl, pr = pairs
    d = np.bitwise_count(cols[first[0]][pl] ^ cols[first[0]][pr]).astype(np.int32)
    d += np.bitwise_count(cols[first[1]][pl] ^ cols[first[1]][pr])
    ok = np.flatnonzero(d <= radius)
    if not ok.size:
        return
    pl, pr, d = pl[ok], pr[ok], d[ok]
    for w in rest:
        d += np.bitwise_count(cols[w][pl] ^ cols[w][pr])
    ok = np.flatnonzero(d <= radius)
    if not ok.size:
        return
    oi, oj, d = order[pl[ok]], order[pr[ok]], d[ok]
    # keep each pair only in the first chunk where it is within CHUNK_T bits
    wi, wj = words[oi], words[oj]
    earlier = np.zeros(oi.size, dtype=bool)
    for offset, length in layout[:c]:
        x = chunk_values(wi, offset, length) ^ chunk_values(wj, offset, length)
        earlier |= np.bitwise_count(x) <= CHUNK_T
    mine = ~earlier
    yield oi[mine], oj[mine], d[mine]


class _Groups:
    """Rows grouped by identical hash: the unique hashes and, for each, its rows (CSR)."""

    def __init__(self, words: np.ndarray) -> None:
        rows = np.ascontiguousarray(words).view(np.dtype((np.void, BITS // 8))).ravel()
        _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        self.unique = words[first]
        self.rows = np.argsort(inverse, kind="stable")
        self.count = np.bincount(inverse, minlength=first.size)
        self.start = np.cumsum(self.count) - self.count

    def expand(
        self, ua: np.ndarray, other: _Groups, ub: np.ndarray, d: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (row of ua's group, row of ub's group) for each pair of unique hashes."""
        ca, cb = self.count[ua], other.count[ub]
        per = ca * cb
        total = int(per.sum())
        which = np.repeat(np.arange(ua.size), per)
        k = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(per) - per, per)
        cbw = cb[which]
        i = self.rows[self.start[ua][which] + k // cbw]
        j = other.rows[other.start[ub][which] + k % cbw]
        return i, j, d[which]


def all_matches(
    words: np.ndarray,
    radius: int = DEFAULT_THRESHOLD,
    extra: np.ndarray | None = None,
    extra_owner: np.ndarray | None = None,
    *,
    method: str = "auto",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every row, the *other* rows within ``radius`` of its hash or of its extra hashes.

    ``words`` are the population's hashes ((n, 4) uint64 or (n, 32) uint8). ``extra`` are further
    hashes, each belonging to the row ``extra_owner`` names (a photo's rotations and mirrors); they
    are matched against ``words`` only, never against each other. Returns directed triples
    ``(row, other row, smallest distance)`` sorted by ``(row, other row)``: row-to-row matches in
    both directions, extra-hash matches from their owner only. Identical hashes are joined once
    (a placeholder picture on many profiles costs one hash, not thousands) and then expanded.
    """
    w = _words(words)
    if w.shape[0] == 0 or radius < 0:
        return _EMPTY
    groups = _Groups(w)
    ua, ub, d = radius_join(groups.unique, None, radius, method=method)
    i, j, dd = groups.expand(ua, groups, ub, d)
    src, dst, dist = [i, j], [j, i], [dd, dd]
    # rows sharing one hash match each other at distance 0
    many = np.flatnonzero(groups.count > 1)
    i, j, dd = groups.expand(many, groups, many, np.zeros(many.size, dtype=np.int32))
    keep = i != j
    src.append(i[keep])
    dst.append(j[keep])
    dist.append(dd[keep])
    if extra is not None and extra_owner is not None and len(extra):
        x = _words(extra)
        owner = np.asarray(extra_owner, dtype=np.int64)
        if owner.shape != (x.shape[0],):
            raise ValueError("extra_owner needs one row number per extra hash")
        xg = _Groups(x)
        va, vb, vd = radius_join(xg.unique, groups.unique, radius, method=method)
        k, j, dd = xg.expand(va, groups, vb, vd)
        i = owner[k]
        keep = i != j
        src.append(i[keep])
        dst.append(j[keep])
        dist.append(dd[keep])
    s, t, dd = np.concatenate(src), np.concatenate(dst), np.concatenate(dist)
    order = np.lexsort((dd, t, s))
    s, t, dd = s[order], t[order], dd[order]
    first = np.ones(s.size, dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
    return s[first].astype(np.int64), t[first].astype(np.int64), dd[first].astype(np.int32)
