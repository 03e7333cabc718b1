"""Near-duplicate texts at scale: MinHash LSH over content words, vectorised with numpy.

Fake personas are made in batches: the same summary, headline or approach message with a few words
changed. Finding "same wording as 40 other profiles" among millions of texts needs an index whose
cost grows linearly: each text becomes a MinHash signature (``num_perm`` 16-bit minima of
multiply-shift hashes over its set of content words), signatures are cut into bands, texts whose
band values agree land in one bucket, and candidate pairs from buckets are verified by the share of
equal minima (an unbiased estimate of Jaccard similarity). Verified pairs are joined into clusters
with connected components, so a template and all its edited copies end up together.

Why content-word sets: a copy with 20% of its words replaced keeps about 2/3 of its word set
(Jaccard ~0.67) but only ~0.45 of its word pairs, and dropping stop words keeps unrelated texts far
apart (Jaccard ~0.05), which is what lets a 0.99 precision and a 0.95 recall coexist.

Everything is batched (hashing per word in Python, all else in numpy): no per-text numpy calls.
Memory is ``num_perm * 2`` bytes per indexed text plus one int64 key. :func:`jaccard` and
:func:`brute_force_pairs` are the plain reference the index is tested against.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from spycatcher.numeric import unique_sorted
from spycatcher.text.normalize import normalize

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves s t d ll m re ve
    im dont cant wont i'm it's we're you're i've we've let lets us via per etc""".split()
) | frozenset("abcdefghijklmnopqrstuvwxyz0123456789")

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def content_tokens(text: str) -> set[str]:
    """The set of content words of a text (normalised, stop words and 1-letter words removed)."""
    low = text.lower() if text.isascii() else normalize(text).text
    toks = set(_WORD.findall(low))
    toks -= STOPWORDS  # (one-letter words are in STOPWORDS too)
    return toks


def jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of two texts' content-word sets (the reference for the index)."""
    sa, sb = content_tokens(a), content_tokens(b)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def brute_force_pairs(
    texts: Sequence[str], threshold: float, min_tokens: int = 5
) -> set[tuple[int, int]]:
    """All index pairs with exact Jaccard >= threshold (quadratic: for tests and small inputs)."""
    sets = [content_tokens(t) for t in texts]
    out = set()
    for i in range(len(sets)):
        if len(sets[i]) < min_tokens:
            continue
        for j in range(i + 1, len(sets)):
            if len(sets[j]) < min_tokens:
                continue
            union = len(sets[i] | sets[j])
            if union and len(sets[i] & sets[j]) / union >= threshold:
                out.add((i, j))
    return out


def hash_words(words: list[str]) -> np.ndarray:
    """Stable 32-bit hashes of words, in one vectorised call (pandas' SipHash with a fixed key).

    Stable (not Python's salted ``hash``) so that signatures agree across processes: the Spark
    engine computes them in many workers.
    """
    if not words:
        return np.zeros(0, dtype=np.uint32)
    h = pd.util.hash_array(np.asarray(words, dtype=object))
    return (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)


class TemplateIndex:
    """A MinHash LSH index of texts under integer keys, built once, queried by cluster.

    Add texts with :meth:`add` (buffered and hashed in batches), call :meth:`build`, then read
    :meth:`clusters` or :meth:`cluster_of`. One key may own several texts (an account's
    messages): clusters are sets of keys. Texts with fewer than ``min_tokens`` content words are
    not indexed: too short to call a template.
    """

    def __init__(
        self,
        num_perm: int = 64,
        rows: int = 4,
        threshold: float = 0.5,
        min_tokens: int = 5,
        seed: int = 20240601,
        batch_size: int = 20_000,
        max_bucket: int = 20_000,
    ):
        if num_perm % rows:
            raise ValueError("num_perm must be a multiple of rows")
        self.num_perm = num_perm
        self.rows = rows
        self.bands = num_perm // rows
        self.threshold = threshold
        self.min_tokens = min_tokens
        self.batch_size = batch_size
        self.max_bucket = max_bucket
        rng = np.random.default_rng(seed)
        # multiply-shift hashing of 32-bit word hashes: h_k(x) = ((a_k * x + b_k) mod 2^32) >> 16
        self._a = rng.integers(1, 2**32, size=num_perm, dtype=np.uint32) | np.uint32(1)
        self._b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint32)
        self._band_mix = rng.integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
        self._pending_keys: list[int] = []
        self._pending_words: list[str] = []
        self._pending_lengths: list[int] = []
        self._sig_chunks: list[np.ndarray] = []
        self._key_chunks: list[np.ndarray] = []
        self.keys: np.ndarray = np.zeros(0, dtype=np.int64)
        self.signatures: np.ndarray = np.zeros((0, num_perm), dtype=np.uint16)
        self.labels: np.ndarray = np.zeros(0, dtype=np.int64)
        self._built = False
        self._released = False
        self.n_skipped = 0

    # -- adding ------------------------------------------------------------------------------
    def add(self, key: int, text: str | None) -> bool:
        """Queue one text under ``key``; False when it is too short to index."""
        self._check_live()
        if not text:
            return False
        toks = content_tokens(text[:20_000])
        if len(toks) < self.min_tokens:
            self.n_skipped += 1
            return False
        self._pending_keys.append(int(key))
        self._pending_words.extend(toks)
        self._pending_lengths.append(len(toks))
        if len(self._pending_keys) >= self.batch_size:
            self._flush()
        return True

    def add_many(self, items: Iterable[tuple[int, str | None]]) -> None:
        for key, text in items:
            self.add(key, text)

    def _flush(self) -> None:
        if not self._pending_keys:
            return
        lengths = np.asarray(self._pending_lengths, dtype=np.int64)
        flat = hash_words(self._pending_words)
        self._sig_chunks.append(self._signatures(flat, lengths))
        self._key_chunks.append(np.asarray(self._pending_keys, dtype=np.int64))
        self._pending_keys = []
        self._pending_words = []
        self._pending_lengths = []
        self._built = False

    def _signatures(self, flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Per-text minima of num_perm hash functions over that text's token hashes."""
        n = len(lengths)
        sig = np.empty((n, self.num_perm), dtype=np.uint16)
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        # process in slices of texts so the (tokens x num_perm) matrix stays ~64 MB
        max_tokens = max(1, 16_000_000 // self.num_perm)
        i = 0
        while i < n:
            j = i
            total = 0
            while j < n and (total + lengths[j] <= max_tokens or j == i):
                total += int(lengths[j])
                j += 1
            lo, hi = starts[i], starts[i] + total
            x = flat[lo:hi, None]
            with np.errstate(over="ignore"):
                h = x * self._a[None, :]
                h += self._b[None, :]
            h >>= np.uint32(16)
            seg = starts[i:j] - lo
            sig[i:j] = np.minimum.reduceat(h, seg, axis=0)
            i = j
        return sig

    # -- building ----------------------------------------------------------------------------
    def build(self) -> TemplateIndex:
        """Band, bucket, verify and cluster everything added so far."""
        self._check_live()
        self._flush()
        if self._sig_chunks:
            self.signatures = np.concatenate([self.signatures, *self._sig_chunks])
            self.keys = np.concatenate([self.keys, *self._key_chunks])
            self._sig_chunks, self._key_chunks = [], []
        n = len(self.keys)
        self.labels = np.arange(n, dtype=np.int64)
        if n >= 2:
            a, b = self._candidate_edges()
            if len(a):
                a, b = self._verify(a, b)
            # texts of the same key are one node: link them so clusters are sets of keys
            ka, kb = self._same_key_edges()
            a = np.concatenate([a, ka])
            b = np.concatenate([b, kb])
            if len(a):
                graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
                _, self.labels = connected_components(graph, directed=False)
                self.labels = self.labels.astype(np.int64)
        self._built = True
        self._cluster_cache: dict[int, np.ndarray] | None = None
        return self

    def _candidate_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Star edges (each bucket member -> the bucket's first member) from every band."""
        # widened one band at a time: the whole matrix as uint64 is 512 bytes a text (1 GB for
        # 2M messages at 1M profiles), one band 32
        sig = self.signatures
        out_a: list[np.ndarray] = []
        out_b: list[np.ndarray] = []
        for band in range(self.bands):
            cols = sig[:, band * self.rows : (band + 1) * self.rows].astype(np.uint64)
            with np.errstate(over="ignore"):
                key = (cols * self._band_mix[None, :]).sum(axis=1, dtype=np.uint64)
                key ^= np.uint64(band) * np.uint64(0x9E3779B97F4A7C15)
            order = np.argsort(key, kind="stable")
            sk = key[order]
            new_group = np.empty(len(sk), dtype=bool)
            new_group[0] = True
            np.not_equal(sk[1:], sk[:-1], out=new_group[1:])
            group_id = np.cumsum(new_group) - 1
            first_pos = np.flatnonzero(new_group)
            leader = order[first_pos[group_id]]
            # bucket sizes, to drop giant buckets (a minimum shared by everything says nothing)
            sizes = np.diff(np.append(first_pos, len(sk)))
            ok = (leader != order) & (sizes[group_id] <= self.max_bucket)
            out_a.append(order[ok])
            out_b.append(leader[ok])
        a = np.concatenate(out_a)
        b = np.concatenate(out_b)
        if len(a) == 0:
            return a, b
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        pairs = unique_sorted(lo * np.int64(len(self.keys)) + hi)
        return pairs // len(self.keys), pairs % len(self.keys)

    def _verify(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Keep pairs whose estimated Jaccard (share of equal minima) reaches the threshold."""
        keep = np.zeros(len(a), dtype=bool)
        step = 500_000
        for i in range(0, len(a), step):
            sa = self.signatures[a[i : i + step]]
            sb = self.signatures[b[i : i + step]]
            keep[i : i + step] = (sa == sb).mean(axis=1) >= self.threshold
        return a[keep], b[keep]

    def _same_key_edges(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.keys, kind="stable")
        sk = self.keys[order]
        same = np.flatnonzero(sk[1:] == sk[:-1])
        return order[same + 1], order[same]

    # -- reading -----------------------------------------------------------------------------
    def clusters(self, min_size: int = 2) -> list[np.ndarray]:
        """Clusters of distinct keys with at least ``min_size`` members, largest first."""
        self._check_live()
        if not self._built:
            self.build()
        if len(self.keys) == 0:
            return []
        order = np.lexsort((self.keys, self.labels))
        lab = self.labels[order]
        keys = self.keys[order]
        # distinct (label, key) pairs, then the groups with enough keys, all in numpy: most texts
        # are alone in their group, and a Python step per group cost ~10 us x millions at 1M
        first = np.ones(len(lab), dtype=bool)
        first[1:] = (lab[1:] != lab[:-1]) | (keys[1:] != keys[:-1])
        lab, keys = lab[first], keys[first]
        starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
        sizes = np.diff(np.r_[starts, len(lab)])
        big = sizes >= min_size
        out = [keys[a : a + n].copy() for a, n in zip(starts[big], sizes[big], strict=True)]
        out.sort(key=len, reverse=True)
        return out

    def key_clusters(self, min_size: int = 2) -> dict[int, np.ndarray]:
        """Key -> its cluster's keys (itself included), for keys in clusters of min_size+."""
        out: dict[int, np.ndarray] = {}
        for members in self.clusters(min_size):
            for k in members.tolist():
                out[k] = members
        return out

    def cluster_of(self, key: int) -> np.ndarray:
        """The keys sharing wording with ``key`` (itself included); empty if not indexed."""
        self._check_live()
        if not self._built:
            self.build()
        idx = np.flatnonzero(self.keys == key)
        if len(idx) == 0:
            return np.zeros(0, dtype=np.int64)
        labels = np.unique(self.labels[idx])
        return np.unique(self.keys[np.isin(self.labels, labels)])

    def __len__(self) -> int:
        return len(self.keys) + sum(len(k) for k in self._key_chunks) + len(self._pending_keys)

    def release(self) -> None:
        """Drop the rows (keys, signatures, labels) once their clusters have been taken.

        A scan's template stage keeps only the clusters for pass 2; the signatures (``num_perm``
        x 2 bytes a text, millions of texts at 1M profiles) would otherwise stay in the process
        and travel in every copy of the finished stage (the Spark engine broadcasts it to each
        Python worker). Adding or querying afterwards is an error, not an empty answer."""
        self._flush()
        self.keys = np.zeros(0, dtype=np.int64)
        self.signatures = np.zeros((0, self.num_perm), dtype=np.uint16)
        self.labels = np.zeros(0, dtype=np.int64)
        self._sig_chunks = []
        self._key_chunks = []
        self._released = True

    def _check_live(self) -> None:
        if self._released:
            raise RuntimeError("this template index was released after clustering")

    def __getstate__(self) -> dict[str, Any]:
        # hash what is still queued before the index travels (a partial stage going back from a
        # worker): the worker does that work instead of the process that merges, and signatures
        # pickle smaller than the queued words
        self._flush()
        return dict(self.__dict__)

    # -- merging (the Spark engine's partitions) -----------------------------------------------
    def entries(self) -> tuple[np.ndarray, np.ndarray]:
        """(keys, signatures) of every text added so far, in the order added."""
        self._check_live()
        self._flush()
        keys = np.concatenate([self.keys, *self._key_chunks])
        sigs = np.concatenate([self.signatures, *self._sig_chunks])
        return keys, sigs

    def extend_entries(self, keys: np.ndarray, signatures: np.ndarray) -> None:
        """Append rows that an index with the same parameters computed, in their order."""
        keys = np.asarray(keys, dtype=np.int64)
        signatures = np.asarray(signatures, dtype=np.uint16)
        if signatures.shape != (len(keys), self.num_perm):
            raise ValueError(f"expected a ({len(keys)}, {self.num_perm}) signature matrix")
        self._flush()
        self._key_chunks.append(keys)
        self._sig_chunks.append(signatures)
        self._built = False
