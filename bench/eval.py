"""Detection quality in one run: zero-shot and trained scoring beside a plain random forest.

Usage (from the project root)::

    python bench/eval.py --datasets ../shared/datasets --synth-profiles 20000 --write

For each dataset found (absent ones are skipped with a note):

* cresci2015 (Twitter, bought fake followers vs verified humans), with all features and without
  the collection shortcuts ``lang``, ``time_zone`` (and ``utc_offset``, which is the same fact as a
  number) and ``created_at`` (the creation year: 89% of the fakes were made in 2012; removing the
  field removes every feature and detector that reads it), see ../shared/datasets/README.md;
* instafake (Instagram, 8 numeric fields);
* a seeded synthetic network from :func:`spycatcher.synth.generate` with hard negatives (genuine
  recruiters, researchers and new members who look like personas), folds grouped by campaign.

Each is scanned once, exactly as ``spycatcher scan`` does, recording every labelled profile's
features and zero-shot score (:func:`spycatcher.scoring.dataset.collect`). Rows:

* zero-shot: the scan's score, no training on the data;
* trained (K-fold CV): :func:`spycatcher.scoring.evaluate.cross_validate` (what
  ``spycatcher evaluate --cv K`` runs), out-of-fold probabilities pooled;
* random forest: scikit-learn's RandomForestClassifier (500 trees, defaults otherwise) on the raw
  numeric columns of the same converted data (``counts``, numeric and boolean ``features``,
  ``verified``), in the same folds.

``--write`` puts the table in BENCHMARKS.md under "## Detection quality" (that section only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spycatcher.io.formats import convert_to_files  # noqa: E402
from spycatcher.io.records import LoadReport  # noqa: E402
from spycatcher.scoring.dataset import LabelledSet, collect  # noqa: E402
from spycatcher.scoring.evaluate import cross_validate  # noqa: E402
from spycatcher.scoring.metrics import binary_metrics  # noqa: E402
from spycatcher.scoring.model import TrainConfig  # noqa: E402
from spycatcher.scoring.splits import stratified_folds  # noqa: E402

SHORTCUTS = ("lang", "time_zone", "utc_offset", "created_at")
SECTION = "## Detection quality"
METRICS = ("roc_auc", "pr_auc", "tpr_at_fpr_1pct", "tpr_at_fpr_5pct", "brier")
#: datasets smaller than this are also cross-validated with other fold seeds (--repeats)
SMALL = 2_000


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children (scan workers)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- the baseline ------------------------------------------------------------------------------


def raw_numeric(path: Path, exclude: Sequence[str] = ()) -> tuple[list[str], np.ndarray]:
    """(ids, matrix) of the raw numeric columns of a contract file, NaN where absent."""
    drop = set(exclude)
    rows: list[dict[str, float]] = []
    ids: list[str] = []
    with open(path, "rb") as fh:
        for line in fh:
            rec = orjson.loads(line)
            if rec.get("label") not in ("fake", "genuine"):
                continue
            row: dict[str, float] = {}
            for k, v in (rec.get("counts") or {}).items():
                if k not in drop and f"counts.{k}" not in drop:
                    row[f"counts.{k}"] = float(v)
            for k, v in (rec.get("features") or {}).items():
                if k in drop or isinstance(v, str) or v is None:
                    continue
                row[f"features.{k}"] = float(v)
            if isinstance(rec.get("verified"), bool) and "verified" not in drop:
                row["verified"] = float(rec["verified"])
            rows.append(row)
            ids.append(rec["id"])
    cols = sorted({k for r in rows for k in r})
    x = np.full((len(rows), len(cols)), np.nan)
    index = {c: j for j, c in enumerate(cols)}
    for i, r in enumerate(rows):
        for k, v in r.items():
            x[i, index[k]] = v
    return ids, x


def random_forest_cv(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, k: int, seed: int
) -> tuple[dict[str, Any], np.ndarray]:
    from sklearn.ensemble import RandomForestClassifier

    x = np.nan_to_num(x, nan=-1.0)
    oof = np.zeros(len(y))
    for tr, te in stratified_folds(y, groups, k, seed=seed):
        rf = RandomForestClassifier(n_estimators=500, random_state=seed, n_jobs=1)
        rf.fit(x[tr], y[tr])
        oof[te] = rf.predict_proba(x[te])[:, 1]
    return binary_metrics(y, oof), oof


# -- one dataset -------------------------------------------------------------------------------


def evaluate_dataset(
    name: str,
    path: Path,
    k: int,
    seed: int,
    exclude: Sequence[str] = (),
    variant: str = "all features",
    hard_negatives: set[str] | None = None,
    repeats: int = 1,
) -> list[dict[str, Any]]:
    t0, c0 = time.perf_counter(), cpu_seconds()
    data = collect([path], exclude=exclude)
    t_scan, c_scan = time.perf_counter() - t0, cpu_seconds() - c0
    log(f"{name} ({variant}): scanned {len(data):,} labelled profiles in {t_scan:.0f}s")
    y, groups = data.y, data.groups
    grouped = bool(len(np.unique(groups)) < len(y))
    rows = []
    base = {"dataset": name, "variant": variant, "grouped": grouped}
    zs = np.asarray(data.scores)
    rows.append(
        {**base, "scorer": "zero-shot", **binary_metrics(y, zs), "seconds": t_scan, "cpu": c_scan}
    )
    rows[-1]["levels"] = levels(y, zs)
    if hard_negatives:
        rows[-1]["hard_negatives_flagged"] = _hard_negative_rate(data, zs, hard_negatives)

    t0, c0 = time.perf_counter(), cpu_seconds()
    cfg = TrainConfig(seed=seed)
    cv, oof = cross_validate(data, k, exclude=exclude, config=cfg, seed=seed)
    t_cv, c_cv = time.perf_counter() - t0, cpu_seconds() - c0
    log(f"{name} ({variant}): {cv['folds']}-fold CV in {t_cv:.0f}s: {_short(cv)}")
    trained = {
        **base,
        "scorer": f"trained, {cv['folds']}-fold CV",
        **cv,
        "seconds": t_cv,
        "cpu": c_cv,
    }
    trained["reliability"] = reliability(y, oof)
    if hard_negatives:
        trained["hard_negatives_flagged"] = _hard_negative_rate(data, oof, hard_negatives)
    rows.append(trained)

    t0, c0 = time.perf_counter(), cpu_seconds()
    ids, x = raw_numeric(path, exclude)
    order = {pid: i for i, pid in enumerate(ids)}
    take = np.array([order[i] for i in data.ids])  # the collected rows, in their order
    rf, rf_oof = random_forest_cv(x[take], y, groups, k, seed)
    t_rf, c_rf = time.perf_counter() - t0, cpu_seconds() - c0
    log(f"{name} ({variant}): random forest on {x.shape[1]} raw numeric columns: {_short(rf)}")
    rows.append(
        {
            **base,
            "scorer": f"random forest, {x.shape[1]} raw numeric columns",
            **rf,
            "seconds": t_rf,
            "cpu": c_rf,
        }
    )
    if hard_negatives:
        rows[-1]["hard_negatives_flagged"] = _hard_negative_rate(data, rf_oof, hard_negatives)
    if repeats > 1 and len(data) < SMALL:
        # on a small set one split's luck moves TPR at 1% FPR by a few points: show the spread
        more_t = [cv] + [
            cross_validate(data, k, exclude=exclude, config=TrainConfig(seed=s), seed=s)[0]
            for s in range(seed + 1, seed + repeats)
        ]
        more_rf = [rf] + [
            random_forest_cv(x[take], y, groups, k, s)[0] for s in range(seed + 1, seed + repeats)
        ]
        trained["repeats"] = _spread(more_t)
        rows[-1]["repeats"] = _spread(more_rf)
        log(f"{name} ({variant}): over {repeats} fold seeds: trained {trained['repeats']}")
    return rows


def _spread(results: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(results)}
    for key in METRICS:
        vals = [r[key] for r in results if isinstance(r.get(key), float)]
        if vals:
            out[key] = (float(np.mean(vals)), float(np.std(vals)))
    return out


def reliability(y: np.ndarray, p: np.ndarray) -> list[dict[str, Any]]:
    """Predicted vs observed share of fakes in score bands: does 0.9 mean about 90%?"""
    out = []
    for lo, hi in ((0.0, 0.1), (0.1, 0.5), (0.5, 0.9), (0.9, 1.0001)):
        m = (p >= lo) & (p < hi)
        if m.any():
            out.append(
                {
                    "band": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                    "n": int(m.sum()),
                    "predicted": float(p[m].mean()),
                    "observed": float(y[m].mean()),
                }
            )
    return out


def levels(y: np.ndarray, p: np.ndarray) -> dict[str, dict[str, int]]:
    """Profiles and fakes at each level of the score: does "high" mean what it says?"""
    from spycatcher.scoring.assessment import HIGH, MEDIUM

    out = {}
    for name, m in (("high", p >= HIGH), ("medium", (p >= MEDIUM) & (p < HIGH))):
        out[name] = {"n": int(m.sum()), "fakes": int(y[m].sum())}
    return out


def _level_text(name: str, lv: dict[str, int]) -> str:
    n, f = lv["n"], lv["fakes"]
    return f"{name} {n:,}" + (f" ({f:,} fake, precision {f / n:.3f})" if n else "")


def _hard_negative_rate(data: LabelledSet, scores: np.ndarray, hard: set[str]) -> float | None:
    """Share of hard negatives flagged at the operating point of TPR at 1% FPR.

    The operating point is the highest threshold that reaches the best TPR with FPR <= 1% (so a
    scorer that separates the classes perfectly flags no genuine profile at all).
    """
    from sklearn.metrics import roc_curve

    y = data.y
    mask = np.array([pid in hard for pid in data.ids])
    if not mask.any() or y.min() == y.max():
        return None
    fpr, tpr, thr = roc_curve(y, scores)
    ok = np.where(fpr <= 0.01 + 1e-12)[0]
    best = ok[np.argmax(tpr[ok])]  # first index with the best TPR: the highest threshold
    return float(np.mean(scores[mask] >= thr[best]))


def _short(m: dict[str, Any]) -> str:
    return ", ".join(f"{k} {m[k]:.4f}" for k in METRICS if isinstance(m.get(k), float))


# -- the report --------------------------------------------------------------------------------


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f"; load average {os.getloadavg()[0]:.1f} at the end of the run"
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"
        f"{load}"
    )


def fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| data | features | scorer | n | fakes | ROC-AUC | PR-AUC | TPR @ 1% FPR | TPR @ 5% FPR "
        "| Brier | time |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['variant']} | {r['scorer']} | {r['n']:,} | "
            f"{r['positives']:,} | "
            + " | ".join(fmt(r.get(k)) for k in METRICS)
            + f" | {r['seconds']:.0f} s"
            + (f" ({r['cpu']:.0f} CPU-s)" if isinstance(r.get("cpu"), float) else "")
            + " |"
        )
    return head + "\n".join(lines) + "\n"


#: issue 3's targets: (dataset prefix, variant, scorer prefix, metric, minimum)
TARGETS = (
    ("cresci2015", "without shortcuts", "trained", "roc_auc", 0.999),
    ("cresci2015", "without shortcuts", "trained", "tpr_at_fpr_1pct", 0.99),
    ("instafake", "all features", "trained", "pr_auc", 0.97),
    ("instafake", "all features", "trained", "tpr_at_fpr_1pct", 0.85),
    ("cresci2015", "all features", "zero-shot", "roc_auc", 0.90),
    ("instafake", "all features", "zero-shot", "roc_auc", 0.90),
    ("synthetic", "", "trained", "tpr_at_fpr_1pct", 0.95),
)


def targets(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for data, variant, scorer, metric, minimum in TARGETS:
        for r in rows:
            if (
                r["dataset"].startswith(data)
                and r["variant"].startswith(variant)
                and r["scorer"].startswith(scorer)
            ):
                v = r.get(metric)
                met = isinstance(v, float) and v >= minimum
                out.append(
                    f"{data} {variant + ', ' if variant else ''}{scorer}: {metric} {fmt(v)} "
                    f"(target >= {minimum}): {'met' if met else 'NOT met'}"
                )
    return out


def section(
    rows: list[dict[str, Any]], command: str, notes: list[str], where: str | None = None
) -> str:
    """The section's text; ``where`` is :func:`machine` as it was at the end of the run."""
    hard = [r for r in rows if r.get("hard_negatives_flagged") is not None]
    text = [
        SECTION,
        "",
        f"`{command}` on {where or machine()}. Each dataset is scanned once, as `spycatcher scan` "
        "does; zero-shot is that scan's score (no training on the data); trained is `spycatcher "
        "evaluate --cv` (out-of-fold probabilities pooled over the folds, each fold's model and "
        "feature manifest built from its training side only, folds grouped by campaign where "
        "there are campaigns); the random forest (500 trees) sees the raw numeric columns of the "
        "same data in the same folds. Without shortcuts = without `lang`, `time_zone`, "
        "`utc_offset` and `created_at` (removed from the data before the scan). Times are "
        "wall-clock on a shared machine, with the CPU seconds of this process and its workers.",
        "",
        table(rows).rstrip("\n"),
    ]
    if hard:
        text += [
            "",
            "Hard negatives (genuine recruiters, researchers and new members built to look like "
            "personas) flagged at the operating point of the TPR @ 1% FPR column: "
            + "; ".join(f"{r['scorer']} {r['hard_negatives_flagged']:.1%}" for r in hard)
            + ".",
        ]
    leveled = [r for r in rows if r.get("levels")]
    if leveled:
        text += [
            "",
            "Levels of the zero-shot score (high >= 0.7, medium 0.4 to 0.7): profiles rated so, "
            "how many of them are fake, and the share of all fakes rated high or medium.",
            "",
        ]
        for r in leveled:
            lv = r["levels"]
            found = lv["high"]["fakes"] + lv["medium"]["fakes"]
            text.append(
                f"- {r['dataset']} ({r['variant']}): {_level_text('high', lv['high'])}; "
                f"{_level_text('medium', lv['medium'])}; fakes rated high or medium "
                f"{found / max(1, r['positives']):.1%}"
            )
    checked = targets(rows)
    if checked:
        text += ["", "Against the targets of issue 3 (the table's fold seed):", ""]
        text += [f"- {c}" for c in checked]
    repeated = [r for r in rows if r.get("repeats")]
    if repeated:
        text += ["", "Spread over fold seeds (mean ± standard deviation):", ""]
        for r in repeated:
            rep = r["repeats"]
            parts = ", ".join(f"{k} {rep[k][0]:.4f} ± {rep[k][1]:.4f}" for k in METRICS if k in rep)
            text.append(f"- {r['dataset']}, {r['scorer']}, {rep['n']} seeds: {parts}")
    calibrated = [r for r in rows if r.get("reliability")]
    if calibrated:
        text += [
            "",
            "Calibration of the trained models (out-of-fold): score band: profiles, mean score "
            "-> share that are fake.",
            "",
        ]
        for r in calibrated:
            bands = "; ".join(
                f"{b['band']}: {b['n']:,}, {b['predicted']:.3f} -> {b['observed']:.3f}"
                for b in r["reliability"]
            )
            text.append(f"- {r['dataset']} ({r['variant']}): {bands}")
    if notes:
        text += ["", *[f"- {n}" for n in notes]]
    return "\n".join(text) + "\n"


def write_section(path: Path, body: str) -> None:
    """Replace the "## Detection quality" section (or append it); nothing else changes."""
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _m: body + "\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + body
    path.write_text(new.rstrip("\n") + "\n")


def _without_notes(argv: Sequence[str]) -> list[str]:
    """The command line as shown in BENCHMARKS.md: the notes are printed under the table."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--note":
            skip = True
        elif not arg.startswith("--note="):
            out.append(arg)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    ap.add_argument("--synth-profiles", type=int, default=20_000, help="0 to skip")
    ap.add_argument("--synth-seed", type=int, default=1)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--repeats",
        type=int,
        default=3,
        help=f"fold seeds for datasets under {SMALL:,} profiles (the table shows the first)",
    )
    ap.add_argument("--only", default="", help="comma-separated: cresci2015,instafake,synthetic")
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    ap.add_argument("--benchmarks", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    ap.add_argument("--from-json", type=Path, help="only re-render rows saved with --json")
    ap.add_argument(
        "--note",
        action="append",
        default=[],
        help="a line added under the table (e.g. a measurement made outside this run)",
    )
    args = ap.parse_args(argv)
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        body = section(saved["rows"], saved["command"], saved["notes"], saved.get("machine"))
        print(body)
        if args.write:
            write_section(args.benchmarks, body)
        return 0
    only = {s for s in args.only.split(",") if s}
    rows: list[dict[str, Any]] = []
    notes: list[str] = list(args.note)
    with tempfile.TemporaryDirectory(prefix="spycatcher-eval-") as tmp:
        work = Path(tmp)
        for name in ("cresci2015", "instafake"):
            if only and name not in only:
                continue
            src = args.datasets / name
            if not src.exists():
                notes.append(f"{name}: not found at {src}; skipped")
                log(notes[-1])
                continue
            report = LoadReport()
            out = work / f"{name}.jsonl"
            summary = convert_to_files(name, src, out, report)
            log(f"{name}: converted {summary.profiles:,} profiles ({report.rejected} rejected)")
            rows += evaluate_dataset(name, out, args.folds, args.seed, repeats=args.repeats)
            if name == "cresci2015":
                rows += evaluate_dataset(
                    name, out, args.folds, args.seed, SHORTCUTS, "without shortcuts"
                )
        if args.synth_profiles and (not only or "synthetic" in only):
            from spycatcher.synth import generate

            folder = work / "synthetic"
            t0 = time.perf_counter()
            s = generate(folder, args.synth_profiles, args.synth_seed)
            took = time.perf_counter() - t0
            log(f"synthetic: {s.n_profiles:,} profiles, {s.n_fake} fakes in {took:.0f}s")
            truth = json.loads((folder / "truth.json").read_text())
            hard = {pid for ids in truth.get("hard_negatives", {}).values() for pid in ids}
            name = f"synthetic ({s.n_profiles:,}, seed {args.synth_seed})"
            rows += evaluate_dataset(
                name,
                folder / "profiles.jsonl",
                args.folds,
                args.seed,
                variant=f"all; {len(hard)} hard negatives",
                hard_negatives=hard,
            )
    command = "python bench/eval.py " + " ".join(_without_notes(argv or sys.argv[1:]))
    where = machine()  # the load at the end of the run, kept for --from-json
    body = section(rows, command.strip(), notes, where)
    print(body)
    if args.json:
        saved = {"rows": rows, "command": command.strip(), "notes": notes, "machine": where}
        args.json.write_text(json.dumps(saved, indent=1, default=str))
    if args.write:
        write_section(args.benchmarks, body)
        log(f"wrote the '{SECTION[3:]}' section of {args.benchmarks}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
