"""Scan throughput and peak memory on a synthetic network (issue 2's acceptance benchmark).

Generates a seeded network with ``spycatcher synth`` (timed separately), then runs
``spycatcher scan`` on it in a child process, storing into a fresh SQLite file, and reports
profiles/s, events/s, wall time and the child's peak RSS (from wait4's rusage, so the parent's
memory never counts).

    python bench/bench_scan.py --profiles 100000
    python bench/bench_scan.py --profiles 1000000 --workdir /tmp/sc1m
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
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def run_child(cmd: list[str]) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, peak RSS in MiB, exit code)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--profiles", type=int, default=100_000)
    ap.add_argument("--events-per-profile", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--workdir", type=Path, default=None, help="reuse/keep the network here")
    ap.add_argument("--no-store", action="store_true", help="scan without writing SQLite")
    args = ap.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="spycatcher-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    net = work / "network"
    spy = str(BIN / "spycatcher")
    synth_wall = synth_rss = 0.0
    if not (net / "profiles.jsonl").exists():
        synth_wall, synth_rss, rc = run_child(
            [spy, "synth", "--profiles", str(args.profiles), "--seed", str(args.seed),
             "--events-per-profile", str(args.events_per_profile), "-o", str(net)]
        )
        if rc:
            return rc
    n_events = sum(1 for _ in open(net / "events.jsonl", "rb"))
    n_profiles = sum(1 for _ in open(net / "profiles.jsonl", "rb"))
    db = work / "bench.db"
    db.unlink(missing_ok=True)
    cmd = [spy, "scan", str(net / "profiles.jsonl"), "--events", str(net / "events.jsonl"),
           "--json", str(work / "results.json"), "--top", "5", "--no-progress"]
    cmd += ["--no-store"] if args.no_store else ["--db", f"sqlite:///{db}"]
    wall, rss, rc = run_child(cmd)
    if rc:
        return rc
    res = {
        "machine": machine(),
        "profiles": n_profiles,
        "events": n_events,
        "synth_seconds": round(synth_wall, 1),
        "synth_peak_rss_mib": round(synth_rss),
        "scan_seconds": round(wall, 1),
        "profiles_per_second": round(n_profiles / wall),
        "events_per_second": round(n_events / wall),
        "scan_peak_rss_mib": round(rss),
        "store": "none" if args.no_store else "sqlite",
    }
    print(json.dumps(res, indent=2))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
