"""The demo: synthesise a network, scan it into the SQLite store, write report.html.

It is what ``make demo`` runs on a fresh clone: the whole main job, end to end, on the embedded
default store, in about a minute.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from spycatcher.engine.local import ScanOptions, scan
from spycatcher.report import write_report
from spycatcher.store import Store
from spycatcher.synth import generate


def run_demo(
    out_dir: Path,
    profiles: int = 20_000,
    seed: int = 7,
    progress: Callable[[str, int], None] | None = None,
    log: Callable[[str], Any] = print,
) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    net = out_dir / "network"
    log(f"1/3 synthesising a {profiles:,}-profile network in {net}")
    generate(
        net,
        profiles,
        seed,
        progress=(lambda stage, n, _t: progress(stage, n)) if progress else None,
    )
    db_path = (out_dir / "spycatcher.db").resolve()
    store = Store(f"sqlite:///{db_path}")
    log("2/3 scanning it into the store")
    result = scan(
        net / "profiles.jsonl",
        net / "events.jsonl",
        ScanOptions(store=store, progress=progress, source=str(net)),
    )
    with result:
        results_json = out_dir / "results.json"
        result.write_json(results_json)
        ranked = result.top(200)
        scores = [r["score"] for r in result.iter_ranked()]
        truth = _truth(net, {r["id"] for r in ranked})
        log("3/3 writing report.html")
        report = write_report(
            out_dir / "report.html",
            ranked,
            scores,
            result.campaigns,
            result.summary(),
            title=f"spycatcher demo: {profiles:,} synthetic profiles",
            truth=truth,
        )
        return {
            "report": report.resolve(),
            "db": db_path,
            "results": results_json.resolve(),
            "top": ranked[:15],
            "summary": result.summary(),
        }


def _truth(net: Path, ids: set[str]) -> dict[str, str]:
    """Ground-truth labels of the shown profiles (synthetic data has them), beside the scores."""
    from spycatcher.io.records import read_profiles

    return {
        p.id: p.label + (f" ({p.campaign})" if p.campaign else "")
        for p in read_profiles(net / "profiles.jsonl")
        if p.id in ids and p.label
    }
