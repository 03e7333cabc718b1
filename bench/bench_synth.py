"""Benchmark the synthetic network generator: throughput and peak memory.

    .venv/bin/python bench/bench_synth.py --profiles 100000 --out /tmp/synth-bench

Prints profiles/s, events/s and peak RSS (resource.getrusage; the profile-writer child process
is reported separately), then one JSON object on the last line.
The output directory is left in place (delete it yourself, or pass --delete).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from spycatcher.synth import generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", type=int, default=100_000)
    ap.add_argument("--events-per-profile", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("/tmp/spycatcher-synth-bench"))
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--workers", type=int, default=2, help="1: no profile-writer process")
    ap.add_argument("--delete", action="store_true", help="remove the output afterwards")
    args = ap.parse_args(argv)

    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter() - started
        marks.setdefault(f"{stage}_start", now)
        marks[f"{stage}_end"] = now
        marks[f"{stage}_cpu"] = time.process_time()
        if stage != "plan" and done == total:
            print(f"  {stage}: done at {now:.1f}s", file=sys.stderr)

    summary = generate(
        args.out,
        args.profiles,
        args.seed,
        events_per_profile=args.events_per_profile,
        progress=progress,
        gzip=args.gzip,
        workers=args.workers,
    )
    total = time.perf_counter() - started
    plan_s = marks.get("plan_end", 0.0)
    # With a profile-writer process both files are written at the same time, after planning.
    prof_s = marks.get("profiles_end", plan_s) - plan_s
    ev_start = plan_s if args.workers > 1 else marks.get("profiles_end", plan_s)
    ev_s = marks.get("events_end", total) - ev_start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    child_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    sizes = {f.name: f.stat().st_size for f in summary.files}
    result: dict[str, Any] = {
        "profiles": summary.n_profiles,
        "events": summary.n_events,
        "fakes": summary.n_fake,
        "campaigns": len(summary.campaigns),
        "seconds_total": round(total, 1),
        "seconds_plan": round(plan_s, 1),
        "seconds_profiles": round(prof_s, 1),
        "seconds_events": round(ev_s, 1),
        "profiles_per_s": round(summary.n_profiles / max(prof_s, 1e-9)),
        "events_per_s": round(summary.n_events / max(ev_s, 1e-9)),
        "peak_rss_mb": round(peak_kb / 1024),
        "peak_rss_profile_writer_mb": round(child_kb / 1024),
        "cpu_seconds": round(cpu.ru_utime + cpu.ru_stime, 1),
        "cpu_seconds_plan": round(marks.get("plan_cpu", 0.0), 1),
        "cpu_seconds_profile_writer": round(child_cpu.ru_utime + child_cpu.ru_stime, 1),
        "bytes": sizes,
        "event_counts": summary.event_counts,
    }
    print(
        f"profiles/s: {result['profiles_per_s']:,}  events/s: {result['events_per_s']:,}  "
        f"peak RSS: {result['peak_rss_mb']:,} MB  total: {result['seconds_total']} s"
    )
    if args.workers > 1:
        # Wall-clock rates depend on what else the machine runs; CPU time does not.
        prof_cpu = result["cpu_seconds_profile_writer"]
        ev_cpu = result["cpu_seconds"] - result["cpu_seconds_plan"]
        print(
            f"CPU: plan {result['cpu_seconds_plan']} s, events {ev_cpu:.1f} s "
            f"({summary.n_events / max(ev_cpu, 1e-9):,.0f} events per CPU-second), profiles "
            f"{prof_cpu} s ({summary.n_profiles / max(prof_cpu, 1e-9):,.0f} per CPU-second)"
        )
    print(json.dumps(result))
    if args.delete:
        shutil.rmtree(args.out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
