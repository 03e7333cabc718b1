"""PDQ index speed at 1M and 10M hashes: multi-index hashing vs brute force, and agreement.

Usage: .venv/bin/python bench/bench_pdq_index.py [--sizes 1000000 10000000] [--queries 2000]

Hashes are uniformly random 256-bit values (10M of them = 320 MB). Half of the queries are planted
near-duplicates of stored hashes (0-40 bits flipped, so some fall outside radius 31), half are
fresh random hashes (the common case: a photo seen nowhere else). Every fast-index answer on the
brute-force sample is compared with brute force; any disagreement fails the run.

Rates are given per wall-clock second and per CPU second of this process (numpy runs these
single-threaded): on a shared machine the CPU figure is the one that does not depend on the load.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from spycatcher.photo.index import BruteForceIndex, MultiIndexHash


def planted_queries(rows: np.ndarray, n: int, rng: np.random.Generator) -> list[bytes]:
    out = []
    for k in range(n):
        if k % 2:
            out.append(rng.integers(0, 256, 32, dtype=np.uint8).tobytes())
            continue
        q = rows[int(rng.integers(0, rows.shape[0]))].copy()
        for b in rng.choice(256, int(rng.integers(0, 41)), replace=False):
            q[b // 8] ^= 1 << (b % 8)
        out.append(q.tobytes())
    return out


def bench(size: int, queries: int, brute_queries: int, radius: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    fast, ref = MultiIndexHash(), BruteForceIndex()
    fast.add_many(rows)
    ref.add_many(rows)
    t0 = time.perf_counter()
    fast.build()
    build_s = time.perf_counter() - t0
    ref.words()
    qs = planted_queries(rows, queries, rng)

    t0, c0 = time.perf_counter(), time.process_time()
    fast_answers = [fast.query(q, radius) for q in qs]
    fast_s, fast_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    ref_answers = [ref.query(q, radius) for q in qs[:brute_queries]]
    brute_s, brute_cpu = time.perf_counter() - t0, time.process_time() - c0

    for (a_ids, a_d), (b_ids, b_d) in zip(fast_answers, ref_answers, strict=False):
        if not (np.array_equal(a_ids, b_ids) and np.array_equal(a_d, b_d)):
            raise SystemExit(f"fast index disagrees with brute force at {size:,} hashes")
    hits = sum(1 for ids, _ in fast_answers if ids.size)
    return {
        "hashes": size,
        "radius": radius,
        "build_s": round(build_s, 2),
        "mih_lookups_per_s": round(queries / fast_s, 1),
        "mih_lookups_per_cpu_s": round(queries / fast_cpu, 1),
        "brute_lookups_per_s": round(brute_queries / brute_s, 2),
        "brute_lookups_per_cpu_s": round(brute_queries / brute_cpu, 2),
        "speedup_cpu": round((queries / fast_cpu) / (brute_queries / brute_cpu), 1),
        "queries": queries,
        "brute_queries_checked": brute_queries,
        "queries_with_matches": hits,
        "agreement": "exact on every checked query",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--queries", type=int, default=2_000)
    ap.add_argument("--brute-queries", type=int, default=50)
    ap.add_argument("--radius", type=int, default=31)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    for size in args.sizes:
        print(json.dumps(bench(size, args.queries, args.brute_queries, args.radius, args.seed)))


if __name__ == "__main__":
    main()
