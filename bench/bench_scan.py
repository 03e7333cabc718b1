"""Scan throughput and peak memory on a synthetic network (issue 2's acceptance benchmark).

Generates a seeded network with ``spycatcher synth`` (timed separately), then runs
``spycatcher scan`` on it in a child process, storing into a fresh SQLite file, and reports
profiles/s, events/s, wall time, CPU time (the scan and its worker processes, from wait4's
rusage) and peak memory: the largest single process (wait4's ru_maxrss) and the peak of the sum
of resident sets over the scan's whole process tree, sampled every 0.2 s from /proc (an upper
bound: pages the forked workers share with the parent are counted in each), and the peak sum of
proportional set sizes (PSS, /proc/PID/smaps_rollup: a shared page counts 1/n in each of its n
processes), sampled every second, which is what the tree really holds in memory.

    python bench/bench_scan.py --profiles 100000
    python bench/bench_scan.py --profiles 1000000 --workdir /tmp/sc1m --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass
class Run:
    wall: float
    cpu: float
    max_rss_mib: float  # the largest single process
    tree_rss_mib: float  # peak sum over the process tree (sampled)
    tree_pss_mib: float  # peak sum of proportional set sizes over the tree (sampled)
    rc: int


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _proc_kib(pid: int, name: str, key: str) -> int:
    """A "Key:  N kB" line of /proc/PID/NAME (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/{name}") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_kib(pid: int) -> int:
    return _proc_kib(pid, "status", "VmRSS:")


def _pss_kib(pid: int) -> int:
    return _proc_kib(pid, "smaps_rollup", "Pss:")


def run_child(cmd: list[str]) -> Run:
    """Run a command; wall and CPU seconds, peak memory, exit code."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        k = 0
        while not done.wait(0.2):
            tree = _tree(proc.pid)
            peak[0] = max(peak[0], sum(_rss_kib(p) for p in tree))
            k += 1
            if k % 5 == 0:  # smaps_rollup walks the page tables: once a second is enough
                peak[1] = max(peak[1], sum(_pss_kib(p) for p in tree))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    return Run(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        peak[0] / 1024,
        peak[1] / 1024,
        rc,
    )


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    py = platform.python_version()
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {py}"


def count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--profiles", type=int, default=100_000)
    ap.add_argument("--events-per-profile", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--workdir", type=Path, default=None, help="reuse/keep the network here")
    ap.add_argument("--no-store", action="store_true", help="scan without writing SQLite")
    ap.add_argument("--workers", type=int, default=0, help="scan --workers (0: auto)")
    args = ap.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="spycatcher-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    net = work / "network"
    spy = str(BIN / "spycatcher")
    synth = None
    if not (net / "profiles.jsonl").exists():
        synth = run_child(
            [spy, "synth", "--profiles", str(args.profiles), "--seed", str(args.seed),
             "--events-per-profile", str(args.events_per_profile), "-o", str(net)]
        )  # fmt: skip
        if synth.rc:
            return synth.rc
    n_events = count_lines(net / "events.jsonl")
    n_profiles = count_lines(net / "profiles.jsonl")
    db = work / "bench.db"
    db.unlink(missing_ok=True)
    cmd = [spy, "scan", str(net / "profiles.jsonl"), "--events", str(net / "events.jsonl"),
           "--json", str(work / "results.json"), "--top", "5", "--log-progress",
           "--workers", str(args.workers)]  # fmt: skip
    cmd += ["--no-store"] if args.no_store else ["--db", f"sqlite:///{db}"]
    load_before = os.getloadavg()[0]
    scan = run_child(cmd)
    if scan.rc:
        return scan.rc
    res = {
        "machine": machine(),
        "profiles": n_profiles,
        "events": n_events,
        "synth_seconds": round(synth.wall, 1) if synth else None,
        "synth_cpu_seconds": round(synth.cpu, 1) if synth else None,
        "synth_peak_rss_mib": round(synth.max_rss_mib) if synth else None,
        "workers": args.workers or "auto",
        "scan_seconds": round(scan.wall, 1),
        "scan_cpu_seconds": round(scan.cpu, 1),
        "profiles_per_second": round(n_profiles / scan.wall),
        "events_per_second": round(n_events / scan.wall),
        "scan_peak_rss_mib_largest_process": round(scan.max_rss_mib),
        "scan_peak_rss_mib_process_tree": round(scan.tree_rss_mib),
        "scan_peak_pss_mib_process_tree": round(scan.tree_pss_mib),
        "store": "none" if args.no_store else "sqlite",
        "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    print(json.dumps(res, indent=2))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
