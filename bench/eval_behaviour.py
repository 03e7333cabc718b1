"""Behaviour and message signals alone: how well do they separate personas from genuine members?

A synthetic network from ``spycatcher.synth.generate`` (campaigns of personas, lone fakes, and the
hard negatives: genuine recruiters and researchers who write to many people, and new members) goes
through the real :class:`~spycatcher.signals.behaviour.BehaviourStage` and the ``behaviour.*`` and
``message.*`` detectors only (no profile, photo, template, graph or intel signals); the zero-shot
scorer combines their declared weights. Reported: the results-contract metrics over all labelled
profiles, the same over fakes versus hard negatives only, how often each signal fires per group,
and the stage's cost per event.

    .venv/bin/python bench/eval_behaviour.py --profiles 50000 --seed 5
    .venv/bin/python bench/eval_behaviour.py --net /path/to/synth/dir   # an existing network
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spycatcher.io.records import read_events, read_profiles  # noqa: E402
from spycatcher.schema import parse_datetime  # noqa: E402
from spycatcher.scoring.metrics import binary_metrics, tpr_at_fpr  # noqa: E402
from spycatcher.scoring.zero_shot import ZeroShotScorer  # noqa: E402
from spycatcher.signals.base import ProfileContext  # noqa: E402
from spycatcher.signals.behaviour import BehaviourDetector, BehaviourStage  # noqa: E402
from spycatcher.signals.message import MessageDetector  # noqa: E402


def _groups(truth: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, ids in truth.get("hard_negatives", {}).items():
        for pid in ids:
            out[pid] = kind
    for camp in truth.get("campaigns", []):
        for pid in camp["members"]:
            out[pid] = f"fake_{camp.get('style', 'campaign')}"
    for lone in truth.get("lone_fakes", []):
        for pid in lone["members"]:
            out[pid] = f"fake_lone_{lone.get('style', '')}".rstrip("_")
    return out


def evaluate(net: Path) -> dict[str, Any]:
    truth = json.loads((net / "truth.json").read_text(encoding="utf-8"))
    as_of = parse_datetime(truth["as_of"]) or datetime.now()
    groups = _groups(truth)

    stage = BehaviourStage({})
    t0 = time.perf_counter()
    for p in read_profiles(net / "profiles.jsonl"):
        stage.observe_profile(p)
    t_profiles = time.perf_counter() - t0
    events = list(read_events(net / "events.jsonl"))
    t0 = time.process_time()
    for e in events:
        stage.observe_event(e)
    t_events = time.process_time() - t0
    n_events = len(events)
    del events
    t0 = time.process_time()
    stage.finish(as_of)
    t_finish = time.process_time() - t0

    detectors = [BehaviourDetector(), MessageDetector()]
    specs = {s.name: s for d in detectors for s in d.specs}
    scorer = ZeroShotScorer(specs)
    labels: list[int] = []
    scores: list[float] = []
    kinds: list[str] = []
    fired: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    t0 = time.process_time()
    for p in read_profiles(net / "profiles.jsonl"):
        if p.label is None:
            continue
        ctx = ProfileContext(as_of=as_of)
        stage.annotate(p, ctx)
        signals = [s for d in detectors for s in d.detect(p, ctx)]
        a = scorer.score(p, signals)
        labels.append(1 if p.label == "fake" else 0)
        scores.append(a.score)
        kind = groups.get(p.id, "fake_other" if p.label == "fake" else "genuine")
        kinds.append(kind)
        sizes[kind] += 1
        for s in signals:
            fired[kind][s.name] += 1
    t_detect = time.process_time() - t0

    y = np.asarray(labels)
    s = np.asarray(scores)
    k = np.asarray(kinds)
    hard = (y == 1) | np.isin(k, ["recruiter", "researcher"])
    threshold_1pct = float(np.quantile(s[y == 0], 0.99)) if (y == 0).any() else 1.0
    result: dict[str, Any] = {
        "network": str(net),
        "profiles": int(truth["n_profiles"]),
        "events": n_events,
        "all": binary_metrics(y, s),
        "fakes_vs_recruiters_and_researchers": {
            "n": int(hard.sum()),
            "tpr_at_fpr_1pct": tpr_at_fpr(y[hard], s[hard], 0.01),
            "tpr_at_fpr_5pct": tpr_at_fpr(y[hard], s[hard], 0.05),
        },
        "share_flagged_at_1pct_fpr_threshold": {
            g: round(float((s[k == g] > threshold_1pct).mean()), 4) for g in sorted(sizes)
        },
        "group_sizes": dict(sorted(sizes.items())),
        "signal_rates": {
            g: {name: round(c / sizes[g], 3) for name, c in sorted(fired[g].items())}
            for g in sorted(fired)
        },
        "seconds": {
            "observe_profiles_wall": round(t_profiles, 2),
            "observe_events_cpu": round(t_events, 2),
            "microseconds_per_event_cpu": round(1e6 * t_events / max(n_events, 1), 2),
            "finish_cpu": round(t_finish, 2),
            "annotate_and_detect_cpu": round(t_detect, 2),
        },
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--profiles", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--events-per-profile", type=float, default=20.0)
    ap.add_argument("--net", type=Path, default=None, help="an existing synth output directory")
    args = ap.parse_args()
    if args.net is not None:
        if not (args.net / "truth.json").exists():
            print(json.dumps({"skipped": f"{args.net} has no truth.json"}))
            return
        print(json.dumps(evaluate(args.net), indent=2, default=str))
        return
    from spycatcher.synth import generate

    with tempfile.TemporaryDirectory(prefix="eval-behaviour-") as tmp:
        generate(Path(tmp), args.profiles, args.seed, args.events_per_profile)
        print(json.dumps(evaluate(Path(tmp)), indent=2, default=str))


if __name__ == "__main__":
    main()
