"""The Spark engine end to end on a synthetic network, its scaling over cores, and the local engine.

Generates a seeded network with ``spycatcher synth`` (timed separately; reused with --workdir),
then scans it in child processes: the local engine once, and the Spark engine once per core count
(``local[1]``, ``local[2]``: a Spark master is fixed when its JVM starts, so each count gets its
own process). For each run it reports wall time (the Spark session's start separately), the
phases of the scan, and the peak memory of the whole process tree (driver, JVM, Python workers),
sampled with psutil, and its CPU time. The Spark phases are split into the workers' part (all
partitions) and the driver's (merging states in order, reading rows). Both engines print a
digest of their ranking (ids and scores in ranked order) and of their campaigns, and the
benchmark checks that they are equal.

    python bench/bench_spark.py --profiles 100000 --events-per-profile 5
    python bench/bench_spark.py --profiles 5000000 --events-per-profile 2 --workdir /tmp/sc5m
    python bench/bench_spark.py --workdir /tmp/sc5m --cores --local-workers 2   # local engine only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, Python "
        f"{platform.python_version()}, load average {load:.1f} at start"
    )


def run_child(cmd: list[str]) -> tuple[float, float, float, int, str]:
    """Run a command: (wall seconds, peak RSS of its process tree in MiB, CPU seconds of the tree,
    exit code, stdout).

    The tree (driver, JVM, Python workers) is sampled every half second; its CPU time is the sum
    over every process seen of its last user + system time. A process that lives less than half a
    second between samples is missed, so the CPU figure is a lower bound; on a shared machine it
    is the load-independent one (wall time stretches with other people's jobs, CPU time barely).
    """
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = 0.0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            rss = 0
            for p in procs:
                try:
                    with p.oneshot():
                        rss += p.memory_info().rss
                        t = p.cpu_times()
                        cpu[p.pid] = max(cpu.get(p.pid, 0.0), t.user + t.system)
                except psutil.Error:
                    pass
            peak = max(peak, rss / 2**20)
            time.sleep(0.5)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, _ = proc.communicate()
    done.set()
    t.join()
    return time.perf_counter() - t0, peak, sum(cpu.values()), proc.returncode, out


def code_fingerprint() -> str:
    """A hash of the package's sources: runs are comparable only if it is the same for all."""
    import spycatcher

    h = hashlib.sha256()
    for f in sorted(Path(spycatcher.__file__).parent.rglob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)


def digest(rows: Any, campaigns: list[dict[str, Any]]) -> dict[str, str]:
    h = hashlib.sha256()
    for row in rows:
        h.update(f"{row['id']}\t{row['score']!r}\t{row.get('campaign_id')}\n".encode())
    c = hashlib.sha256(json.dumps(campaigns, sort_keys=True).encode())
    return {"ranking": h.hexdigest()[:16], "campaigns": c.hexdigest()[:16]}


def child(args: argparse.Namespace) -> int:
    """One scan in this process; prints one JSON object."""
    code = code_fingerprint()  # before the package's modules are imported
    net = Path(args.network)
    phases: dict[str, float] = {}
    partitions: dict[str, int] = {}
    last = [time.perf_counter()]

    def progress(stage: str, n: int) -> None:
        if stage in ("profiles (workers)", "events (workers)"):  # the Spark engine's input split
            partitions[stage.split()[0]] = n
        now = time.perf_counter()
        key = stage.split(" in ")[0] if stage.startswith("done") else stage
        phases[key] = round(phases.get(key, 0.0) + now - last[0], 1)
        last[0] = now

    t0 = time.perf_counter()
    start = 0.0
    if args.child == "local":
        from spycatcher.engine.local import ScanOptions, scan

        opts = ScanOptions(progress=progress, workers=args.local_workers)
        result = scan(net / "profiles.jsonl", net / "events.jsonl", opts)
    else:
        from spycatcher.engine.spark import scan_spark
        from spycatcher.engine.spark_session import get_spark

        spark = get_spark(f"local[{args.cores[0]}]")
        start = time.perf_counter() - t0
        last[0] = time.perf_counter()
        result = scan_spark(
            net / "profiles.jsonl",
            net / "events.jsonl",
            spark=spark,
            partition_bytes=args.partition_mb * 2**20 or None,
            progress=progress,
        )
    total = time.perf_counter() - t0
    with result:
        out = {
            "engine": f"local, {args.local_workers} worker(s)"
            if args.child == "local"
            else f"spark local[{args.cores[0]}]",
            "seconds": round(total, 1),
            "session_start_seconds": round(start, 1),
            "scan_seconds": round(total - start, 1),
            "phases": {k: v for k, v in phases.items() if v >= 0.1},
            "input_partitions": partitions,
            "summary": result.summary(),
            "code": code,
            **digest(result.iter_ranked(), result.campaigns),
        }
    print(json.dumps(out))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--profiles", type=int, default=100_000)
    ap.add_argument("--events-per-profile", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--workdir", type=Path, default=None, help="reuse/keep the network here")
    ap.add_argument(
        "--cores",
        type=int,
        nargs="*",
        default=[1, 2],
        help="Spark local[n] runs (none: the local engine alone)",
    )
    ap.add_argument(
        "--local-workers",
        type=int,
        default=1,
        help="worker processes of the local engine (ScanOptions.workers; scan --workers)",
    )
    ap.add_argument(
        "--partition-mb",
        type=int,
        default=0,
        help="most input MiB in one partition (0: the engine's default, 128); the engine makes the "
        "count a multiple of the cores",
    )
    ap.add_argument("--no-local", action="store_true", help="skip the local engine")
    ap.add_argument("--child", choices=["local", "spark"], help=argparse.SUPPRESS)
    ap.add_argument("--network", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="spycatcher-bench-spark-"))
    net = work / "network"
    res: dict[str, Any] = {"machine": machine(), "runs": []}
    if not (net / "events.jsonl").exists():
        cmd = [str(BIN / "spycatcher"), "synth", "--profiles", str(args.profiles)]
        cmd += ["--seed", str(args.seed), "--events-per-profile", str(args.events_per_profile)]
        cmd += ["-o", str(net)]
        wall, _rss, cpu, rc, _ = run_child(cmd)
        if rc:
            return rc
        res["synth_seconds"] = round(wall, 1)
        res["synth_cpu_seconds"] = round(cpu, 1)
    res["profiles"] = count_lines(net / "profiles.jsonl")
    res["events"] = count_lines(net / "events.jsonl")
    res["input_mib"] = round(
        sum((net / f).stat().st_size for f in ("profiles.jsonl", "events.jsonl")) / 2**20
    )
    me = [sys.executable, __file__, "--network", str(net), "--partition-mb", str(args.partition_mb)]
    me += ["--local-workers", str(args.local_workers)]
    runs = [] if args.no_local else [[*me, "--child", "local"]]
    runs += [[*me, "--child", "spark", "--cores", str(c)] for c in args.cores]
    for cmd in runs:
        wall, rss, cpu, rc, out = run_child(cmd)
        if rc:
            print(out, file=sys.stderr)
            return rc
        run = json.loads(out.strip().splitlines()[-1])
        run["peak_rss_mib"] = round(rss)
        run["cpu_seconds"] = round(cpu, 1)
        run["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
        run["profiles_per_second"] = round(res["profiles"] / run["scan_seconds"])
        run["events_per_second"] = round(res["events"] / run["scan_seconds"])
        res["runs"].append(run)
        print(json.dumps(run), file=sys.stderr, flush=True)
    digests = {(r["ranking"], r["campaigns"]) for r in res["runs"]}
    res["engines_agree"] = len(digests) == 1
    if len({r["code"] for r in res["runs"]}) > 1:  # someone changed the package between runs
        res["engines_agree"] = "not comparable: the code changed between runs"
    print(json.dumps(res, indent=2))
    return 0 if res["engines_agree"] is True else 1


if __name__ == "__main__":
    raise SystemExit(main())
