"""PhotoStage on its own over a synthetic network: the bulk photo join vs one index query per photo.

    spycatcher synth --profiles 100000 --seed 11 --events-per-profile 1 -o /tmp/ph100k
    python bench/bench_photo_join.py /tmp/ph100k/profiles.jsonl
    python bench/bench_photo_join.py /tmp/ph1m/profiles.jsonl --old-sample 20000
    python bench/bench_photo_join.py --random 2000000 --old-sample 2000

``--random N``: the join alone on N uniformly random hashes, 1% of them planted near-duplicates
(0-40 bits from another), to see how it grows beyond the synthetic networks at hand.

Reads each profile's id, platform and photo (the only fields PhotoStage looks at), feeds
``observe_profile`` for every profile, then times ``finish`` (which now finds photo reuse with
:func:`spycatcher.photo.join.all_matches`) and the previous method: one
``MultiIndexHash.query`` per unique hash plus one per extra orientation, the loop ``_neighbours``
ran before, reproduced below. With ``--old-sample N`` the old loop runs for N random unique hashes
only and its time is extrapolated to all of them (labelled as such); agreement is then checked on
the sample. Agreement means: for every hash the old loop answered, the new join's matches are the
same profiles at the same distances. Any difference fails the run.

CPU seconds are this process's (numpy runs these single-threaded); peak RSS is the high-water mark
of the process during each phase (reset through /proc/self/clear_refs where the kernel allows).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from spycatcher.photo.index import MultiIndexHash
from spycatcher.photo.join import all_matches
from spycatcher.photo.pdq import DEFAULT_THRESHOLD
from spycatcher.schema import Profile
from spycatcher.signals.photo import PhotoStage


def old_neighbours(stage: PhotoStage, sample: int | None, seed: int) -> tuple[dict, int, int]:
    """The former per-query loop (without crops and symmetrisation, which both methods share)."""
    words = stage.index.words()
    found: dict[int, dict[int, int]] = {}
    uniq, first, inverse = np.unique(words, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    members: dict[int, list[int]] = {}
    for i, u in enumerate(inverse.tolist()):
        members.setdefault(u, []).append(i)
    todo = np.arange(uniq.shape[0])
    if sample is not None and sample < todo.size:
        todo = np.sort(np.random.default_rng(seed).choice(todo, sample, replace=False))
    for u in todo.tolist():
        ids, dists = stage.index.query(words[first[u]].tobytes(), stage.radius)
        base = dict(zip(ids.tolist(), dists.tolist(), strict=True))
        for i in members[u]:
            got = dict(base)
            for v in stage.variants.get(i, ()):
                vids, vd = stage.index.query(v, stage.radius)
                for j, d in zip(vids.tolist(), vd.tolist(), strict=True):
                    if j not in got or d < got[j]:
                        got[j] = d
            got.pop(i, None)
            found[i] = got
    return found, int(todo.size), int(uniq.shape[0])


def reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn, *args):  # type: ignore[no-untyped-def]
    can_reset = reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args)
    return (
        out,
        time.perf_counter() - t0,
        time.process_time() - c0,
        peak_mib() if can_reset else None,
    )


def random_join(n: int, sample: int, seed: int) -> int:
    """The join on n random hashes (1% planted near-duplicates), checked on a sample of queries."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    planted = rng.choice(n, n // 100, replace=False)
    for k in planted.tolist():
        row = rows[int(rng.integers(0, n))].copy()
        for b in rng.choice(256, int(rng.integers(0, 41)), replace=False).tolist():
            row[b // 8] ^= 1 << (b % 8)
        rows[k] = row
    before = rss_mib()
    (src, dst, dist), wall, cpu, peak = timed(all_matches, rows, DEFAULT_THRESHOLD)
    index = MultiIndexHash()
    index.add_many(rows)
    check = np.concatenate([planted[: sample // 2], rng.integers(0, n, sample - sample // 2)])
    new: dict[int, dict[int, int]] = {}
    for s, t, d in zip(src.tolist(), dst.tolist(), dist.tolist(), strict=True):
        new.setdefault(s, {})[t] = d
    bad = 0
    for i in check.tolist():
        ids, ds = index.query(rows[i].tobytes(), DEFAULT_THRESHOLD)
        got = {j: d for j, d in zip(ids.tolist(), ds.tolist(), strict=True) if j != i}
        bad += got != new.get(i, {})
    out = {
        "hashes": n,
        "machine": machine(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "join_wall_s": round(wall, 1),
        "join_cpu_s": round(cpu, 1),
        "join_peak_rss_mib": None if peak is None else round(peak),
        "rss_before_join_mib": round(before),
        "hashes_mib": round(rows.nbytes / 2**20),
        "directed_matches": int(src.size),
        "agreement": f"identical for all {check.size} checked" if not bad else f"{bad} differ",
    }
    print(json.dumps(out, indent=1))
    return 1 if bad else 0


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("profiles", type=Path, nargs="?", help="profiles.jsonl from spycatcher synth")
    ap.add_argument("--random", type=int, default=None, help="join N random hashes instead")
    ap.add_argument("--old-sample", type=int, default=None, help="old loop on N unique hashes")
    ap.add_argument("--skip-old", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.random:
        return random_join(args.random, args.old_sample or 2000, args.seed)
    if args.profiles is None:
        ap.error("give profiles.jsonl or --random N")

    stage = PhotoStage({"photo_geometry": False})
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    with open(args.profiles, "rb") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("photo"):
                stage.observe_profile(
                    Profile(
                        id=rec["id"], platform=rec.get("platform", "linkedin"), photo=rec["photo"]
                    )
                )
            n += 1
    stage.index.words()
    load_wall, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    photos = len(stage.keys)
    base_rss = rss_mib()

    # the new join on its own (what finish now spends on photo reuse), then finish as a whole
    (src, dst, dist), join_wall, join_cpu, join_peak = timed(
        all_matches, stage.index.words(), stage.radius
    )
    _, fin_wall, fin_cpu, fin_peak = timed(stage.finish, datetime(2026, 6, 30, tzinfo=UTC))
    out = {
        "profiles": n,
        "photos": photos,
        "machine": machine(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "observe_wall_s": round(load_wall, 1),
        "observe_cpu_s": round(load_cpu, 1),
        "rss_before_finish_mib": round(base_rss),
        "new_join_wall_s": round(join_wall, 2),
        "new_join_cpu_s": round(join_cpu, 2),
        "new_join_peak_rss_mib": None if join_peak is None else round(join_peak),
        "new_finish_wall_s": round(fin_wall, 2),
        "new_finish_cpu_s": round(fin_cpu, 2),
        "new_finish_peak_rss_mib": None if fin_peak is None else round(fin_peak),
        "directed_matches": int(src.size),
        "profiles_with_reuse": len(stage.matches),
    }
    if not args.skip_old:
        (old, done, unique), old_wall, old_cpu, old_peak = timed(
            old_neighbours, stage, args.old_sample, args.seed
        )
        scale = unique / done
        out.update(
            {
                "old_unique_hashes_queried": done,
                "unique_hashes": unique,
                "old_wall_s": round(old_wall * scale, 1),
                "old_cpu_s": round(old_cpu * scale, 1),
                "old_extrapolated": done < unique,
                "old_peak_rss_mib": None if old_peak is None else round(old_peak),
            }
        )
        new: dict[int, dict[int, int]] = {}
        for s, t, d in zip(src.tolist(), dst.tolist(), dist.tolist(), strict=True):
            new.setdefault(s, {})[t] = d
        bad = [i for i, got in old.items() if got != new.get(i, {})]
        out["agreement"] = (
            f"identical for all {len(old):,} photos checked" if not bad else f"{len(bad)} differ"
        )
        if bad:
            print(json.dumps(out, indent=1))
            print("disagreement at", bad[:10], file=sys.stderr)
            return 1
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
