"""``spycatcher evaluate``: how well a scorer separates fake from genuine on labelled data.

Three ways, one report (the keys of :func:`spycatcher.scoring.metrics.binary_metrics`):

* no model: the zero-shot scorer, exactly as ``scan`` runs it (no training on the data);
* ``--model PATH``: a trained model file, scored the way ``scan --model`` scores;
* ``--cv K``: train and test in K folds, stratified by label and grouped by ``campaign`` (a
  campaign's members never sit on both sides). Each fold builds its manifest and model from its
  training side only; the report pools the out-of-fold probabilities, so a 1% false-positive rate
  is measured on every genuine profile rather than on a fifth of them.

``--exclude-features a,b`` removes fields from the data and their features from the model (see
:mod:`spycatcher.scoring.dataset`), to measure how much a score leans on them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spycatcher.scoring.dataset import LabelledSet, collect
from spycatcher.scoring.metrics import binary_metrics
from spycatcher.scoring.model import TrainConfig, load_model
from spycatcher.scoring.splits import stratified_folds

Progress = Callable[[str, int], None]


def cross_validate(
    data: LabelledSet,
    k: int,
    *,
    exclude: Sequence[str] = (),
    config: TrainConfig | None = None,
    seed: int = 0,
    on_fold: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, Any], np.ndarray]:
    """Pooled out-of-fold metrics and probabilities of K models, each trained without its fold."""
    from spycatcher.scoring.train import train_on

    y = data.y
    groups = data.groups
    folds = stratified_folds(y, groups, k, seed=seed)
    oof = np.full(len(y), np.nan)
    for n, (tr, te) in enumerate(folds, 1):
        sub = LabelledSet(
            table=data.table.subset(tr),
            ids=[data.ids[i] for i in tr],
            labels=[data.labels[i] for i in tr],
            campaigns=[data.campaigns[i] for i in tr],
            scores=[data.scores[i] for i in tr],
            sources=data.sources,
        )
        model = train_on(sub, exclude=exclude, config=config)
        x_te = model.manifest.matrix(data.table.rows(te))
        oof[te] = model.predict(x_te)
        if on_fold is not None:
            on_fold(n, len(folds))
    metrics = binary_metrics(y, oof)
    metrics["folds"] = len(folds)
    metrics["grouped"] = bool(len(np.unique(groups)) < len(y))
    return metrics, oof


def evaluate(
    paths: Sequence[str | Path],
    *,
    model: str | Path | None = None,
    cv: int | None = None,
    exclude: Sequence[str] = (),
    events: Sequence[str | Path | None] | None = None,
    config: TrainConfig | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The evaluation report (one JSON object; see the module docstring)."""
    if model is not None and cv is not None:
        raise ValueError("--model evaluates a trained model and --cv trains new ones: pick one")
    exclude = [e for e in exclude if e]
    report: dict[str, Any]
    if cv is not None:
        if cv < 2:
            raise ValueError("--cv needs at least 2 folds")
        data = collect(paths, events=events, exclude=exclude, progress=progress)
        _need_both(data)
        report, _ = cross_validate(data, cv, exclude=exclude, config=config, seed=seed)
        report = {"scorer": f"trained, {report['folds']}-fold cross-validation", **report}
    else:
        scorer = load_model(model) if model is not None else None
        data = collect(
            paths, scorer=scorer, events=events, exclude=exclude, features=False, progress=progress
        )
        _need_both(data, allow_one_class=True)
        report = {
            "scorer": scorer.name if scorer is not None else "zero-shot",
            **binary_metrics(data.y, np.asarray(data.scores)),
        }
    report["excluded"] = sorted(set(exclude))
    report["unlabelled"] = data.unlabelled
    return report


def _need_both(data: LabelledSet, allow_one_class: bool = False) -> None:
    if len(data) == 0:
        raise ValueError("no labelled profiles to evaluate on (the 'label' field is empty)")
    if not allow_one_class and (data.positives == 0 or data.positives == len(data)):
        raise ValueError("cross-validation needs both fake and genuine profiles")
