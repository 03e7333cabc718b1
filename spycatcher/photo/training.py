"""Training and evaluating the AI-face detector from a labels file.

``labels.csv`` has the columns ``path`` and ``label`` (``real`` or ``ai_generated``); each path is
relative to the CSV's folder and must stay inside it (the same rule as a profile's photo). A row
whose image cannot be loaded is reported and skipped, never fatal, so one corrupt file does not
stop training on the rest.

Cross-validation extracts every image's features once, then refits the whole estimator (scaler,
patch classifier and calibration) inside each training fold, so no test image ever influences
the model that scores it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from spycatcher.io.limits import Limits, bounded_lines, check_file
from spycatcher.photo.aiface import LABELS, AIFaceDetector
from spycatcher.photo.load import DEFAULT_LIMITS, ImageLimits, ImageRejected, load_profile_photo
from spycatcher.scoring.metrics import binary_metrics

#: a labels file bigger than this is not a labels file
MAX_LABELS_BYTES = 64 * 1024 * 1024


@dataclass(slots=True)
class LabelledImages:
    """Images that loaded (paths, RGB arrays, 0/1 labels) and the rows that did not, with why."""

    paths: list[str] = field(default_factory=list)
    images: list[np.ndarray] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_labels(csv_path: str | Path) -> list[tuple[int, str, str]]:
    """(line number, path, label) rows of a labels CSV; bad rows raise ValueError with the line."""
    p = Path(csv_path)
    check_file(p, Limits(max_file_bytes=MAX_LABELS_BYTES))
    rows: list[tuple[int, str, str]] = []
    with open(p, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(bounded_lines(fh, p))
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        if "path" not in fields or "label" not in fields:
            raise ValueError(f"{p}: needs the columns 'path' and 'label'")
        reader.fieldnames = fields
        for row in reader:
            line = reader.line_num
            path = (row.get("path") or "").strip()
            label = (row.get("label") or "").strip().lower()
            if not path:
                raise ValueError(f"{p}:{line}: path: empty")
            if label not in LABELS:
                raise ValueError(f"{p}:{line}: label: must be one of {', '.join(LABELS)}")
            rows.append((line, path, label))
    return rows


def load_labelled(
    csv_path: str | Path,
    limits: ImageLimits = DEFAULT_LIMITS,
    progress: Callable[[int], None] | None = None,
) -> LabelledImages:
    """Load every image a labels CSV names, collecting per-row errors instead of stopping."""
    base = Path(csv_path).parent
    out = LabelledImages()
    for line, rel, label in read_labels(csv_path):
        try:
            img = load_profile_photo(base, rel, limits)
        except ImageRejected as exc:
            out.errors.append(f"{csv_path}:{line}: path: {rel}: {exc.reason}")
            continue
        out.paths.append(rel)
        out.images.append(img.rgb)
        out.labels.append(LABELS.index(label))
        if progress is not None:
            progress(1)
    return out


def image_features(
    model: AIFaceDetector, data: LabelledImages
) -> tuple[list[np.ndarray], list[int]]:
    """Features of every image that is large enough to analyse; the rest become errors."""
    feats: list[np.ndarray] = []
    keep: list[int] = []
    for i, img in enumerate(data.images):
        try:
            feats.append(model.image_features(img))
            keep.append(i)
        except ValueError as exc:
            data.errors.append(f"{data.paths[i]}: {exc}")
    return feats, keep


def cross_validated_scores(
    feats: list[np.ndarray],
    y: np.ndarray,
    folds: int = 5,
    seed: int = 0,
    make: Callable[[], AIFaceDetector] = AIFaceDetector,
) -> np.ndarray:
    """Out-of-fold probabilities of "generated" for every image (one stratified K-fold split)."""
    k = min(folds, int(np.bincount(y, minlength=2).min()))
    if k < 2:
        raise ValueError("cross-validation needs at least 2 images of each class")
    scores = np.zeros(len(y))
    for tr, te in StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        model = make().fit_features([feats[i] for i in tr], y[tr])
        scores[te] = model.predict_proba_features([feats[i] for i in te])[:, 1]
    return scores


def cross_validate(
    feats: list[np.ndarray],
    y: np.ndarray,
    folds: int = 5,
    repeats: int = 1,
    make: Callable[[], AIFaceDetector] = AIFaceDetector,
) -> dict[str, Any]:
    """Metrics of out-of-fold scores, averaged over ``repeats`` different fold splits.

    Each repeat's metrics are computed on that repeat's pooled out-of-fold scores; the mean is
    reported under the contract's keys and the per-repeat spread under ``"repeats"``.
    """
    runs = [
        binary_metrics(y, cross_validated_scores(feats, y, folds, r, make)) for r in range(repeats)
    ]
    out: dict[str, Any] = {"n": runs[0]["n"], "positives": runs[0]["positives"]}
    for key in ("roc_auc", "pr_auc", "tpr_at_fpr_1pct", "tpr_at_fpr_5pct", "brier"):
        vals = [r[key] for r in runs if r[key] is not None]
        out[key] = float(np.mean(vals)) if vals else None
    out["cv_folds"] = folds
    out["cv_repeats"] = repeats
    if repeats > 1:
        aucs = [r["roc_auc"] for r in runs if r["roc_auc"] is not None]
        out["roc_auc_min"] = float(min(aucs)) if aucs else None
        out["roc_auc_max"] = float(max(aucs)) if aucs else None
    return out
