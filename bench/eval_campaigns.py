"""Campaign recovery on a synthetic network: purity, member recall and adjusted Rand index.

The network comes from ``spycatcher.synth.generate`` (campaigns of personas with partial shared
traits, lone fakes, and hard negatives: genuine recruiters and researchers who approach many
people, and new members). Two ways of choosing the suspects that campaign detection sees:

* ``oracle``: every campaign member, lone fake and hard negative, with traits gathered by the
  real population stages and detectors (``spycatcher.engine.local.suspect_traits``). This measures
  the clustering alone, on a suspect list that contains every hard negative.
* ``scan``: the full local scan; suspects are whatever scored >= 0.4, campaigns are the scan's.
  This is end to end: a persona the detectors missed cannot be clustered.

Metrics, over the suspects (a suspect outside any true campaign is its own class, so a predicted
campaign that merges unrelated suspects loses purity):

* purity: for each predicted campaign, the share of members from its most common true campaign,
  weighted by size;
* member recall: the share of true campaign members (among suspects) placed in a predicted
  campaign whose most common true campaign is theirs; ``end_to_end_recall`` divides by all true
  campaign members instead;
* ARI: adjusted Rand index between predicted and true groupings of the suspects (it also
  counts a campaign found in two halves as an error, which member recall does not);
* split and impure campaigns: true campaigns spread over several predicted ones, and predicted
  campaigns holding suspects from more than one true campaign (or none).

    .venv/bin/python bench/eval_campaigns.py --profiles 50000 --seed 5 --mode oracle scan
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sklearn.metrics import adjusted_rand_score


def recovery_metrics(
    predicted: Iterable[Iterable[str]], truth: Mapping[str, str | None], suspects: Iterable[str]
) -> dict[str, Any]:
    """Purity, member recall and ARI of predicted campaigns against true campaign labels."""
    suspects = list(dict.fromkeys(suspects))
    pred_of: dict[str, int] = {}
    groups = [list(dict.fromkeys(g)) for g in predicted]
    for gi, members in enumerate(groups):
        for m in members:
            pred_of[m] = gi

    def true_label(pid: str) -> str:
        c = truth.get(pid)
        return f"campaign:{c}" if c else f"single:{pid}"

    size_total = 0
    majority_total = 0
    majority_of: list[str] = []
    for members in groups:
        counts = Counter(true_label(m) for m in members)
        label, k = counts.most_common(1)[0] if counts else ("", 0)
        majority_of.append(label)
        size_total += len(members)
        majority_total += k
    in_campaign = [s for s in suspects if truth.get(s)]
    recovered = sum(
        1 for s in in_campaign if s in pred_of and majority_of[pred_of[s]] == true_label(s)
    )
    all_members = sum(1 for v in truth.values() if v)
    t_labels = [true_label(s) for s in suspects]
    p_labels = [f"pred:{pred_of[s]}" if s in pred_of else f"single:{s}" for s in suspects]
    true_campaigns = Counter(truth[s] for s in in_campaign)
    return {
        "suspects": len(suspects),
        "campaign_members_among_suspects": len(in_campaign),
        "campaign_members_total": all_members,
        "true_campaigns_with_2plus_suspects": sum(1 for c in true_campaigns.values() if c >= 2),
        "predicted_campaigns": len(groups),
        "purity": majority_total / size_total if size_total else float("nan"),
        "member_recall": recovered / len(in_campaign) if in_campaign else float("nan"),
        "end_to_end_recall": recovered / all_members if all_members else float("nan"),
        "ari": adjusted_rand_score(t_labels, p_labels) if suspects else float("nan"),
        "split_campaigns": sum(
            1
            for c in true_campaigns
            if len({pred_of[s] for s in in_campaign if truth[s] == c and s in pred_of}) > 1
        ),
        "impure_campaigns": sum(
            1
            for gi, members in enumerate(groups)
            if any(true_label(m) != majority_of[gi] for m in members)
        ),
    }


def read_truth(net: Path) -> tuple[dict[str, str | None], list[str], dict[str, Any]]:
    """id -> true campaign (None outside any), the oracle suspect list, and truth.json."""
    with open(net / "truth.json") as fh:
        meta = json.load(fh)
    truth: dict[str, str | None] = {}
    with open(net / "profiles.jsonl", "rb") as fh:
        for line in fh:
            row = json.loads(line)
            truth[row["id"]] = row.get("campaign") or None
    oracle = [m for c in meta["campaigns"] for m in c["members"]]
    for lone in meta.get("lone_fakes", []):
        oracle += list(lone["members"]) if isinstance(lone, dict) else [lone]
    for ids in meta.get("hard_negatives", {}).values():
        oracle += list(ids)
    return truth, oracle, meta


def oracle_campaigns(net: Path, suspects: set[str], as_of: datetime) -> list[list[str]]:
    """Traits gathered by the real stages and detectors for a given suspect list, then clustered."""
    from spycatcher.engine.core import assess
    from spycatcher.engine.local import suspect_traits
    from spycatcher.engine.stages import build_stages
    from spycatcher.graph.campaigns import find_campaigns
    from spycatcher.io.records import LoadReport, read_events, read_profiles
    from spycatcher.scoring.zero_shot import ZeroShotScorer
    from spycatcher.signals.base import ProfileContext
    from spycatcher.signals.registry import detectors

    dets, scorer = detectors(), ZeroShotScorer()  # importing detectors registers their stages
    stages = build_stages({"profiles_dir": str(net.resolve())})
    for p in read_profiles(net / "profiles.jsonl", LoadReport()):
        for st in stages:
            st.observe_profile(p)
    for e in read_events(net / "events.jsonl", LoadReport()):
        for st in stages:
            st.observe_event(e)
    for st in stages:
        st.finish(as_of)
    traits = []
    for p in read_profiles(net / "profiles.jsonl", LoadReport()):
        if p.id not in suspects:
            continue
        ctx = ProfileContext(as_of=as_of)
        for st in stages:
            st.annotate(p, ctx)
        a, _ = assess(p, ctx, dets, scorer)
        t = suspect_traits(p, ctx, a)
        if "employer_staff" in ctx.extra and "employer_staff" not in t.extra:
            t.extra["employer_staff"] = ctx.extra["employer_staff"]
        traits.append(t)
    return [c.members for c in find_campaigns(traits, as_of)]


def scan_campaigns(net: Path) -> tuple[list[list[str]], list[str], float]:
    from spycatcher.engine.local import ScanOptions, scan
    from spycatcher.engine.traits import CAMPAIGN_MIN_SCORE

    t0 = time.perf_counter()
    with scan(net / "profiles.jsonl", net / "events.jsonl", ScanOptions()) as res:
        seconds = time.perf_counter() - t0
        suspects = [r["id"] for r in res.iter_ranked() if r["score"] >= CAMPAIGN_MIN_SCORE]
        groups = [list(c["members"]) for c in res.campaigns]
    return groups, suspects, seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--profiles", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--events-per-profile", type=float, default=20.0)
    ap.add_argument("--network", type=Path, default=None, help="reuse (or keep) the network here")
    ap.add_argument("--mode", nargs="+", choices=["oracle", "scan"], default=["oracle", "scan"])
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    try:
        from spycatcher.synth import generate
    except ImportError:
        print("spycatcher.synth is not available: skipping", file=sys.stderr)
        return 0

    net = args.network or Path(tempfile.mkdtemp(prefix="spycatcher-campaigns-"))
    if not (net / "truth.json").exists():
        t0 = time.perf_counter()
        generate(net, args.profiles, args.seed, events_per_profile=args.events_per_profile)
        print(f"generated {args.profiles:,} profiles in {time.perf_counter() - t0:.1f} s")
    truth, oracle, meta = read_truth(net)
    as_of = datetime.fromisoformat(meta["as_of"].replace("Z", "+00:00"))
    out: dict[str, Any] = {
        "profiles": len(truth),
        "seed": meta.get("seed"),
        "true_campaigns": len(meta["campaigns"]),
        "campaign_members": sum(len(c["members"]) for c in meta["campaigns"]),
        "hard_negatives": {k: len(v) for k, v in meta.get("hard_negatives", {}).items()},
    }
    if "oracle" in args.mode:
        t0 = time.perf_counter()
        groups = oracle_campaigns(net, set(oracle), as_of)
        out["oracle"] = recovery_metrics(groups, truth, oracle)
        out["oracle"]["seconds"] = time.perf_counter() - t0
    if "scan" in args.mode:
        groups, suspects, seconds = scan_campaigns(net)
        out["scan"] = recovery_metrics(groups, truth, suspects)
        out["scan"]["seconds"] = seconds
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
