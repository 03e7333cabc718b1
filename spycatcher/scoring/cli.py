"""``spycatcher train`` and ``spycatcher evaluate``: thin commands over :mod:`spycatcher.scoring`.

Each command parses its arguments, calls :func:`spycatcher.scoring.train.train` (or
``train_from_store``) or :func:`spycatcher.scoring.evaluate.evaluate`, and prints what came back.
File names may have been chosen by someone else, so they are printed with control characters
removed and Rich markup escaped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

console = Console(stderr=True)
out = Console()

METRIC_KEYS = ("n", "positives", "roc_auc", "pr_auc", "tpr_at_fpr_1pct", "tpr_at_fpr_5pct", "brier")


def _safe(value: object, limit: int = 300) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in str(value))
    return escape(text if len(text) <= limit else text[: limit - 1] + "\u2026")


def _names(option: str | None) -> list[str]:
    return [n.strip() for n in (option or "").split(",") if n.strip()]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "n/a" if value is None else str(value)


def _check_inputs(data: list[Path], events: list[Path] | None) -> None:
    for p in data:
        if not p.is_file():
            raise typer.BadParameter(f"{_safe(p)} is not a file")
    if events and len(events) > len(data):
        raise typer.BadParameter("more --events files than data files")


def train(
    data: Annotated[
        list[Path] | None, typer.Argument(help="labelled profiles JSONL (one or more files)")
    ] = None,
    model: Annotated[Path, typer.Option("--model", help="model file to write")] = Path(
        "spycatcher-model.zip"
    ),
    events: Annotated[
        list[Path] | None,
        typer.Option(help="events JSONL for each data file, in order (default: found beside it)"),
    ] = None,
    from_store: Annotated[
        bool,
        typer.Option("--from-store", help="learn from the store: reviewers' decisions as labels"),
    ] = False,
    db: Annotated[str | None, typer.Option(help="database URL (with --from-store)")] = None,
    exclude_features: Annotated[
        str | None, typer.Option(help="comma-separated features or fields to leave out")
    ] = None,
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    rounds: Annotated[int, typer.Option(help="boosting rounds per booster")] = 400,
    bags: Annotated[
        int | None, typer.Option(help="boosters averaged (default: 5, 3 or 1 by data size)")
    ] = None,
) -> None:
    """Train a calibrated, explainable model from labelled profiles (the 'label' field).

    Example: spycatcher train labelled.jsonl --model model.zip
    """
    from spycatcher.scoring.model import TrainConfig
    from spycatcher.scoring.train import train as run_train
    from spycatcher.scoring.train import train_from_store

    config = TrainConfig(seed=seed, rounds=rounds, bags=bags)
    exclude = _names(exclude_features)
    try:
        if from_store:
            if data:
                raise typer.BadParameter("give data files or --from-store, not both")
            from spycatcher.store import Store

            result = train_from_store(Store(db), model, exclude=exclude, config=config)
        else:
            if not data:
                raise typer.BadParameter("give at least one labelled profiles file")
            _check_inputs(data, events)
            result = run_train(data, model, events=events, exclude=exclude, config=config)
    except ValueError as exc:
        if isinstance(exc, typer.BadParameter):
            raise
        console.print(f"[red]error[/] {_safe(exc, 500)}")
        raise typer.Exit(2) from exc
    meta = result.metadata
    cv = meta.get("cv_metrics", {})
    console.print(
        f"trained on {meta['n']:,} profiles ({meta['positives']:,} fake), "
        f"{meta.get('features', len(result.manifest))} features; "
        f"{cv.get('folds', '?')}-fold CV: "
        + ", ".join(f"{k} {_fmt(cv.get(k))}" for k in METRIC_KEYS[2:])
    )
    console.print(f"model written to {_safe(model)}")


def evaluate(
    data: Annotated[list[Path], typer.Argument(help="labelled profiles JSONL")],
    model: Annotated[
        Path | None, typer.Option("--model", help="trained model (default: zero-shot)")
    ] = None,
    cv: Annotated[
        int | None, typer.Option("--cv", help="train and test in K folds (grouped by campaign)")
    ] = None,
    events: Annotated[
        list[Path] | None, typer.Option(help="events JSONL for each data file, in order")
    ] = None,
    exclude_features: Annotated[
        str | None, typer.Option(help="comma-separated features or fields to leave out")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    seed: Annotated[int, typer.Option(help="random seed for the folds")] = 0,
    rounds: Annotated[int, typer.Option(help="boosting rounds per booster (--cv)")] = 400,
    bags: Annotated[int | None, typer.Option(help="boosters averaged (--cv)")] = None,
) -> None:
    """Measure a scorer on labelled profiles: ROC-AUC, PR-AUC, TPR at 1%/5% FPR, Brier.

    Example: spycatcher evaluate labelled.jsonl --cv 5 --exclude-features lang,time_zone --json
    """
    from spycatcher.scoring.evaluate import evaluate as run_evaluate
    from spycatcher.scoring.model import ModelFileError, TrainConfig

    _check_inputs(data, events)
    try:
        report = run_evaluate(
            data,
            model=model,
            cv=cv,
            exclude=_names(exclude_features),
            events=events,
            config=TrainConfig(seed=seed, rounds=rounds, bags=bags),
            seed=seed,
        )
    except (ValueError, ModelFileError) as exc:
        console.print(f"[red]error[/] {_safe(exc, 500)}")
        raise typer.Exit(2) from exc
    if json_out:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    for key in ("scorer", *METRIC_KEYS):
        out.print(f"{key:>16}  {_safe(_fmt(report.get(key)))}")


def register(app: typer.Typer) -> None:
    """Add ``train`` and ``evaluate`` to the main CLI."""
    app.command("train")(train)
    app.command("evaluate")(evaluate)
