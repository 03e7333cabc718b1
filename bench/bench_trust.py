"""Trust propagation speed: SybilRank and SybilSCAR against igraph's and networkx's PageRank.

For each graph size, one seeded heavy-tailed graph (Chung-Lu, degree exponent 2.2, average degree
10) is built once and handed to every peer in the same run:

* spycatcher SybilRank: ceil(log2 n) steps (its early termination), one CSR mat-vec per step;
* spycatcher SybilSCAR: 10 steps (its per-step figure includes building its matrix);
* networkx ``pagerank`` (the public API, scipy inside) at the same step count as SybilRank
  (``max_iter=k, tol=0``; it raises after exactly k steps). Its per-call conversion of the graph to
  a sparse matrix is part of what a networkx user pays, so it is included; the conversion alone
  is reported too;
* igraph ``pagerank`` (PRPACK, its default). PRPACK does not expose or accept an iteration count,
  so it is compared at equal *work*: a plain power-iteration PageRank over our CSR (the same code
  path as SybilRank) is run to the same answer (L1 change < 1e-10, checked against igraph's
  values), and igraph's time is divided by that iteration count ("time per equivalent step").

Graph construction is timed separately for each peer and excluded from the per-step figures.
The peers run interleaved, one after another in each of ``--repeats`` rounds, so that load from
other jobs on a shared machine falls on all of them alike; each one's best time is kept, both as
CPU seconds of this process (every peer is single-threaded, so this is the load-independent figure
and the one the ratios use first) and as wall-clock seconds.

    .venv/bin/python bench/bench_trust.py --edges 1000000 10000000
    .venv/bin/python bench/bench_trust.py --edges 1000000 --json out.json
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp

from spycatcher.graph.build import degrees, undirected_csr
from spycatcher.graph.sybilrank import sybilrank, sybilrank_iterations, transition_matrix
from spycatcher.graph.sybilscar import ITERATIONS, sybilscar

DAMPING = 0.85


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def heavy_tailed_graph(
    edges: int, avg_degree: float = 10.0, seed: int = 7
) -> tuple[np.ndarray, np.ndarray, int]:
    """Chung-Lu graph with power-law expected degrees; returns deduplicated (u, v) and n."""
    rng = np.random.default_rng(seed)
    n = int(2 * edges / avg_degree)
    w = np.arange(1, n + 1, dtype=np.float64) ** (-1.0 / (2.2 - 1.0))
    cdf = np.cumsum(w / w.sum())
    draw = int(edges * 1.25)  # duplicates and self-loops are dropped below
    u = np.searchsorted(cdf, rng.random(draw)).clip(max=n - 1)
    v = np.searchsorted(cdf, rng.random(draw)).clip(max=n - 1)
    # shuffle labels so hubs are not all at low ids (as in a real id space)
    perm = rng.permutation(n)
    u, v = perm[u], perm[v]
    keep = u != v
    lo, hi = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
    key = np.unique(lo.astype(np.int64) * n + hi)
    key = rng.permutation(key)[:edges]
    return key // n, key % n, n


@dataclass
class Timing:
    """Best wall-clock and best CPU seconds over the repeats (and the last result)."""

    wall: float = float("inf")
    cpu: float = float("inf")
    result: Any = None

    def per(self, steps: int) -> dict[str, float]:
        return {"wall_s": self.wall / steps, "cpu_s": self.cpu / steps}


def measure(fn: Callable[[], Any], into: Timing) -> None:
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    into.cpu = min(into.cpu, time.process_time() - c0)
    into.wall = min(into.wall, time.perf_counter() - w0)
    into.result = out


def interleaved(peers: dict[str, Callable[[], Any]], repeats: int) -> dict[str, Timing]:
    """Run every peer once per round, ``repeats`` rounds, so that load on a shared machine
    falls on all of them alike; keep each one's best wall and CPU time."""
    out = {name: Timing() for name in peers}
    for _ in range(repeats):
        for name, fn in peers.items():
            measure(fn, out[name])
    return out


def power_pagerank(
    adj: sp.csr_matrix, tol: float = 1e-10, max_iter: int = 1000
) -> tuple[np.ndarray, int]:
    """PageRank by power iteration over the same transition matrix SybilRank uses."""
    n = adj.shape[0]
    deg = degrees(adj)
    p = transition_matrix(adj, deg)
    dangling = deg == 0
    x = np.full(n, 1.0 / n)
    for it in range(1, max_iter + 1):
        nxt = p @ x
        nxt *= DAMPING
        nxt += (DAMPING * x[dangling].sum() + 1.0 - DAMPING) / n
        err = np.abs(nxt - x).sum()
        x = nxt
        if err < tol:
            return x, it
    return x, max_iter


def time_networkx(u: np.ndarray, v: np.ndarray, n: int, k: int, repeats: int) -> dict[str, Any]:
    """networkx.pagerank stopped after exactly k steps (max_iter=k, tol=0 makes it raise then)."""
    import networkx as nx

    t0 = time.perf_counter()
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
    build = time.perf_counter() - t0

    def k_steps() -> None:
        with contextlib.suppress(nx.PowerIterationFailedConvergence):
            nx.pagerank(graph, alpha=DAMPING, max_iter=k, tol=0.0)

    def convert() -> None:
        nx.to_scipy_sparse_array(graph, nodelist=list(graph), dtype=float)

    t = interleaved({"pagerank": k_steps, "conversion": convert}, repeats)
    pr, conv = t["pagerank"], t["conversion"]
    # networkx's iterations are scipy mat-vecs like ours; its cost is the conversion. When the
    # conversion timed alone takes as long as the whole call, the iterations are within the noise
    # of two separately timed conversions and cannot be separated: say so rather than print 0.
    rest = pr.cpu - conv.cpu
    without = rest / k if rest > 0.05 * pr.cpu else None
    out = {
        "version": nx.__version__,
        "build_s": build,
        "total_wall_s": pr.wall,
        "total_cpu_s": pr.cpu,
        "per_step": pr.per(k),
        "conversion_wall_s": conv.wall,
        "conversion_cpu_s": conv.cpu,
        "per_step_excluding_conversion_cpu_s": without,
        "repeats": repeats,
    }
    alone = (
        f"{without * 1e3:.2f} ms/step without"
        if without is not None
        else "the conversion alone takes the whole call: its steps are not separable"
    )
    print(
        f"networkx   {pr.cpu / k * 1e3:9.2f} ms CPU/step (incl. its conversion, "
        f"{conv.cpu:.2f} s CPU; {alone})",
        flush=True,
    )
    return out


def run(edges: int, repeats: int, networkx_max_edges: int, seed: int) -> dict[str, Any]:
    import igraph as ig

    out: dict[str, Any] = {"edges_requested": edges}
    t0 = time.perf_counter()
    u, v, n = heavy_tailed_graph(edges, seed=seed)
    out["generate_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    adj = undirected_csr(u, v, n)
    out["build_csr_s"] = time.perf_counter() - t0
    k = sybilrank_iterations(n)
    deg = degrees(adj)
    out.update(
        n=n, edges=int(adj.nnz // 2), max_degree=int(deg.max()), isolated=int((deg == 0).sum()), k=k
    )
    rng = np.random.default_rng(seed)
    seeds = rng.choice(n, max(10, n // 1000), replace=False)
    fakes = rng.choice(n, max(5, n // 5000), replace=False)
    print(f"\n== {out['edges']:,} edges, {n:,} nodes, k = {k} steps", flush=True)

    t0 = time.perf_counter()
    graph = ig.Graph(n=n, edges=np.column_stack([u, v]).tolist(), directed=False)
    out["igraph_build_s"] = time.perf_counter() - t0
    p = transition_matrix(adj, deg)  # SybilRank's one-off setup, timed below on its own
    t = interleaved(
        {
            "sybilrank": lambda: sybilrank(adj, seeds, iterations=k, transition=p),
            "sybilrank_setup": lambda: transition_matrix(adj, deg),
            "sybilscar": lambda: sybilscar(adj, seeds, fakes, iterations=ITERATIONS),
            "power_pagerank": lambda: power_pagerank(adj),
            "igraph": partial(graph.pagerank, damping=DAMPING),
        },
        repeats,
    )
    del graph
    _, iters = t["power_pagerank"].result
    diff = float(np.abs(np.asarray(t["igraph"].result) - t["power_pagerank"].result[0]).max())
    out["sybilrank"] = {
        "total_wall_s": t["sybilrank"].wall,
        "total_cpu_s": t["sybilrank"].cpu,
        "per_step": t["sybilrank"].per(k),
        "setup_cpu_s": t["sybilrank_setup"].cpu,
    }
    out["sybilscar"] = {
        "steps": ITERATIONS,
        "total_wall_s": t["sybilscar"].wall,
        "total_cpu_s": t["sybilscar"].cpu,
        "per_step": t["sybilscar"].per(ITERATIONS),
    }
    out["power_pagerank"] = {
        "steps": iters,
        "total_wall_s": t["power_pagerank"].wall,
        "total_cpu_s": t["power_pagerank"].cpu,
        "per_step": t["power_pagerank"].per(iters),
    }
    out["igraph"] = {
        "version": ig.__version__,
        "prpack_total_wall_s": t["igraph"].wall,
        "prpack_total_cpu_s": t["igraph"].cpu,
        "equivalent_steps": iters,
        "per_equivalent_step": t["igraph"].per(iters),
        "max_abs_diff_vs_ours": diff,
    }
    sr, sc, ig_step = (
        out["sybilrank"]["per_step"],
        out["sybilscar"]["per_step"],
        out["igraph"]["per_equivalent_step"],
    )
    print(
        f"sybilrank  {sr['cpu_s'] * 1e3:9.2f} ms CPU/step ({sr['wall_s'] * 1e3:.2f} wall)\n"
        f"sybilscar  {sc['cpu_s'] * 1e3:9.2f} ms CPU/step ({sc['wall_s'] * 1e3:.2f} wall)\n"
        f"igraph     {ig_step['cpu_s'] * 1e3:9.2f} ms CPU per equivalent step "
        f"(PRPACK {t['igraph'].cpu:.2f} s CPU; our power PageRank to the same answer: "
        f"{iters} steps, {t['power_pagerank'].cpu:.2f} s CPU; max |diff| {diff:.1e})",
        flush=True,
    )
    gc.collect()

    if out["edges"] <= networkx_max_edges:
        out["networkx"] = time_networkx(u, v, n, k, 1 if out["edges"] > 2_000_000 else repeats)
        gc.collect()

    ratios = {}
    for clock in ("cpu_s", "wall_s"):
        tag = clock.removesuffix("_s")
        ratios[f"sybilrank_vs_igraph_{tag}"] = sr[clock] / ig_step[clock]
        ratios[f"sybilscar_vs_igraph_{tag}"] = sc[clock] / ig_step[clock]
        if "networkx" in out:
            nx_step = out["networkx"]["per_step"][clock]
            ratios[f"networkx_vs_sybilrank_{tag}"] = nx_step / sr[clock]
            ratios[f"networkx_vs_sybilscar_{tag}"] = nx_step / sc[clock]
    ratios["pagerank_same_answer_vs_igraph_cpu"] = t["power_pagerank"].cpu / t["igraph"].cpu
    out["ratios"] = ratios
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["load_average"] = os.getloadavg()
    print("ratios", {k: round(v, 3) for k, v in ratios.items()}, flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--edges", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--networkx-max-edges", type=int, default=10_000_000, help="skip networkx above this"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", default=None, help="write all figures here")
    args = ap.parse_args()
    results: dict[str, Any] = {"machine": machine(), "runs": []}
    print(results["machine"])
    for e in args.edges:
        results["runs"].append(run(e, args.repeats, args.networkx_max_edges, args.seed))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
