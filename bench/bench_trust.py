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
Times are the best of ``--repeats`` runs.

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


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


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


def time_igraph(
    u: np.ndarray, v: np.ndarray, n: int, adj: sp.csr_matrix, repeats: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """igraph's PageRank (PRPACK) against our power PageRank run to the same answer."""
    import igraph as ig

    t0 = time.perf_counter()
    graph = ig.Graph(n=n, edges=np.column_stack([u, v]).tolist(), directed=False)
    build = time.perf_counter() - t0
    t_ig, pr_ig = best_of(lambda: graph.pagerank(damping=DAMPING), repeats)
    t_pw, (pr_ours, iters) = best_of(lambda: power_pagerank(adj), repeats)
    diff = float(np.abs(np.asarray(pr_ig) - pr_ours).max())
    print(
        f"igraph     {t_ig:8.3f} s (PRPACK) = {t_ig / iters * 1e3:8.2f} ms per equivalent step "
        f"(our power PageRank: {iters} steps, {t_pw:.3f} s, max |diff| {diff:.1e})",
        flush=True,
    )
    ig_out = {
        "version": ig.__version__,
        "build_s": build,
        "prpack_total_s": t_ig,
        "equivalent_steps": iters,
        "per_equivalent_step_s": t_ig / iters,
        "max_abs_diff_vs_ours": diff,
    }
    return ig_out, {"total_s": t_pw, "steps": iters, "per_step_s": t_pw / iters}


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

    t_nx, _ = best_of(k_steps, repeats)
    t_conv, _ = best_of(
        lambda: nx.to_scipy_sparse_array(graph, nodelist=list(graph), dtype=float), repeats
    )
    iterate = max(0.0, t_nx - t_conv)
    print(
        f"networkx   {t_nx / k * 1e3:8.2f} ms/step (incl. its conversion {t_conv:.2f} s; "
        f"{iterate / k * 1e3:.2f} ms/step without)",
        flush=True,
    )
    return {
        "version": nx.__version__,
        "build_s": build,
        "total_s": t_nx,
        "per_step_s": t_nx / k,
        "conversion_s": t_conv,
        "per_step_excluding_conversion_s": iterate / k,
        "repeats": repeats,
    }


def run(edges: int, repeats: int, networkx_max_edges: int, seed: int) -> dict[str, Any]:
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

    # spycatcher SybilRank: transition matrix once (setup), then k mat-vecs
    t_setup, p = best_of(lambda: transition_matrix(adj, deg), repeats)
    t_sr, _ = best_of(lambda: sybilrank(adj, seeds, iterations=k, transition=p), repeats)
    out["sybilrank"] = {"setup_s": t_setup, "total_s": t_sr, "per_step_s": t_sr / k}
    t_sc, _ = best_of(lambda: sybilscar(adj, seeds, fakes, iterations=ITERATIONS), repeats)
    out["sybilscar"] = {"total_s": t_sc, "per_step_s": t_sc / ITERATIONS, "steps": ITERATIONS}
    print(
        f"sybilrank  {t_sr / k * 1e3:8.2f} ms/step   "
        f"sybilscar {t_sc / ITERATIONS * 1e3:8.2f} ms/step",
        flush=True,
    )

    # igraph PRPACK vs our power PageRank to the same answer
    out["igraph"], out["power_pagerank"] = time_igraph(u, v, n, adj, repeats)
    gc.collect()

    # networkx public pagerank at exactly k steps
    if out["edges"] <= networkx_max_edges:
        out["networkx"] = time_networkx(u, v, n, k, 1 if out["edges"] > 2_000_000 else repeats)
        gc.collect()

    sr = out["sybilrank"]["per_step_s"]
    out["ratios"] = {"sybilrank_vs_igraph": sr / out["igraph"]["per_equivalent_step_s"]}
    out["ratios"]["sybilscar_vs_igraph"] = (
        out["sybilscar"]["per_step_s"] / out["igraph"]["per_equivalent_step_s"]
    )
    out["ratios"]["pagerank_to_same_answer_vs_igraph"] = (
        out["power_pagerank"]["total_s"] / out["igraph"]["prpack_total_s"]
    )
    if "networkx" in out:
        out["ratios"]["networkx_vs_sybilrank"] = out["networkx"]["per_step_s"] / sr
        out["ratios"]["networkx_vs_sybilscar"] = (
            out["networkx"]["per_step_s"] / out["sybilscar"]["per_step_s"]
        )
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("ratios", {k: round(v, 3) for k, v in out["ratios"].items()}, flush=True)
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
    results = {"machine": machine(), "runs": []}
    print(results["machine"])
    for e in args.edges:
        results["runs"].append(run(e, args.repeats, args.networkx_max_edges, args.seed))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
