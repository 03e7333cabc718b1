"""Template clustering at scale: recall and precision of planted near-duplicates, and time.

Background texts are word sequences drawn from a Zipf-distributed vocabulary of pronounceable
pseudo-words mixed with English stop words at English-like rates (so unrelated texts share common
words, as real summaries do). Planted groups: a base text and 1-19 copies, each copy with a random
share of up to ``--max-edit`` (default 20%) of its words edited (replaced, inserted or deleted).

Recall: share of planted pairs (any two texts of one group) that end up in the same cluster.
Precision: share of pairs inside reported clusters that are planted pairs.

    .venv/bin/python bench/bench_templates.py --n 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spycatcher.text.templates import STOPWORDS, TemplateIndex  # noqa: E402

SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def make_vocab(rng: np.random.Generator, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        k = int(rng.integers(2, 5))
        words.add("".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), size=k)))
    return sorted(words)


def generate(
    n: int, seed: int, planted_share: float, max_edit: float
) -> tuple[list[str], np.ndarray]:
    """Texts and their planted group id (-1 = background)."""
    rng = np.random.default_rng(seed)
    vocab = np.array(make_vocab(rng, 50_000))
    stop = np.array(sorted(w for w in STOPWORDS if len(w) > 2))
    # Zipf-Mandelbrot: the commonest content word is ~0.5% of words, as in English prose
    ranks = np.arange(1, len(vocab) + 1)
    p = 1.0 / (ranks + 50.0) ** 1.05
    cdf = np.cumsum(p / p.sum())

    def draw(k: int) -> np.ndarray:
        return vocab[np.minimum(np.searchsorted(cdf, rng.random(k)), len(vocab) - 1)]

    def sentence(length: int) -> list[str]:
        words = draw(length).tolist()
        n_stop = int(length * 0.4)
        for pos, sw in zip(
            rng.integers(0, length, size=n_stop),
            stop[rng.integers(0, len(stop), size=n_stop)],
            strict=True,
        ):
            words[int(pos)] = str(sw)
        return words

    def edit(words: list[str]) -> list[str]:
        out = list(words)
        k = int(round(len(out) * rng.uniform(0, max_edit)))
        for _ in range(k):
            op = rng.integers(0, 3)
            pos = int(rng.integers(0, max(1, len(out))))
            if op == 0 and out:
                out[pos] = str(draw(1)[0])
            elif op == 1:
                out.insert(pos, str(draw(1)[0]))
            elif len(out) > 5:
                out.pop(pos)
        return out

    texts: list[str] = []
    groups: list[int] = []
    n_planted_target = int(n * planted_share)
    gid = 0
    while len(texts) < n_planted_target:
        base = sentence(int(np.clip(rng.lognormal(3.4, 0.5), 12, 200)))
        copies = int(rng.integers(2, 21))
        texts.append(" ".join(base))
        groups.append(gid)
        for _ in range(copies - 1):
            texts.append(" ".join(edit(base)))
            groups.append(gid)
        gid += 1
    lengths = np.clip(rng.lognormal(3.2, 0.7, size=n - len(texts)), 6, 300).astype(int)
    for length in lengths:
        texts.append(" ".join(sentence(int(length))))
        groups.append(-1)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.asarray(groups, dtype=np.int64)[order]


def pairs_in(labels: np.ndarray) -> int:
    _, counts = np.unique(labels, return_counts=True)
    return int((counts * (counts - 1) // 2).sum())


def evaluate(groups: np.ndarray, clusters: list[np.ndarray]) -> dict[str, float]:
    n = len(groups)
    pred = np.full(n, -1, dtype=np.int64)
    for cid, members in enumerate(clusters):
        pred[members] = cid
    planted = groups >= 0
    true_pairs = pairs_in(groups[planted])
    # pairs in the same predicted cluster and the same planted group
    both = (pred >= 0) & planted
    combo = groups[both] * (len(clusters) + 1) + pred[both]
    tp = pairs_in(combo)
    reported = pairs_in(pred[pred >= 0])
    return {
        "planted_pairs": true_pairs,
        "reported_pairs": reported,
        "true_positive_pairs": tp,
        "recall": tp / true_pairs if true_pairs else 1.0,
        "precision": tp / reported if reported else 1.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--planted-share", type=float, default=0.05)
    ap.add_argument("--max-edit", type=float, default=0.2)
    ap.add_argument("--num-perm", type=int, default=64)
    ap.add_argument("--rows", type=int, default=4)
    ap.add_argument("--threshold", type=float, default=0.5)
    args = ap.parse_args()

    t0 = time.perf_counter()
    texts, groups = generate(args.n, args.seed, args.planted_share, args.max_edit)
    t_gen = time.perf_counter() - t0

    t0, c0 = time.perf_counter(), time.process_time()
    index = TemplateIndex(num_perm=args.num_perm, rows=args.rows, threshold=args.threshold)
    for i, text in enumerate(texts):
        index.add(i, text)
    index._flush()
    t_sig, c_sig = time.perf_counter() - t0, time.process_time() - c0
    t1, c1 = time.perf_counter(), time.process_time()
    index.build()
    clusters = index.clusters()
    t_build, c_build = time.perf_counter() - t1, time.process_time() - c1
    sizes = sorted((len(c) for c in clusters), reverse=True)[:5]
    result = {
        "n_texts": args.n,
        "planted_groups": int(groups.max() + 1),
        "planted_texts": int((groups >= 0).sum()),
        "max_edit": args.max_edit,
        "num_perm": args.num_perm,
        "rows": args.rows,
        "threshold": args.threshold,
        **evaluate(groups, clusters),
        "clusters": len(clusters),
        "largest_clusters": sizes,
        "seconds_generate": round(t_gen, 1),
        "seconds_signatures": round(t_sig, 1),
        "seconds_lsh_and_clusters": round(t_build, 1),
        "seconds_index_total": round(t_sig + t_build, 1),
        "cpu_seconds_signatures": round(c_sig, 1),
        "cpu_seconds_lsh_and_clusters": round(c_build, 1),
        "cpu_seconds_index_total": round(c_sig + c_build, 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
