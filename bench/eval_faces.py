"""Cross-validated AI-face detection on ../shared/datasets/faces (real FFHQ vs StyleGAN2).

Usage: .venv/bin/python bench/eval_faces.py [../shared/datasets/faces] [--folds 5] [--repeats 5]

Reports, on the same repeated stratified K-fold splits:

* spycatcher's detector (:class:`spycatcher.photo.aiface.AIFaceDetector`, fixed
  hyper-parameters, everything refitted inside each training fold);
* the plain baseline the issue names: radial power spectrum + noise-residual statistics with a
  standardised logistic regression;
* the Haar eye-alignment score alone (no training), to show that eye position does not separate
  the classes in this set (SOURCE.txt: FFHQ photos are aligned like StyleGAN output).

Exits 0 with a message when the data set is absent (a fresh clone has no ../shared).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage, stats
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from spycatcher.photo.aiface import AIFaceDetector, face_geometry
from spycatcher.photo.training import cross_validate, image_features, load_labelled
from spycatcher.scoring.metrics import binary_metrics

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "faces"
KEYS = ("roc_auc", "pr_auc", "tpr_at_fpr_1pct", "tpr_at_fpr_5pct", "brier")


def radial_spectrum(grey: np.ndarray, bins: int = 32) -> np.ndarray:
    f = np.abs(np.fft.fftshift(np.fft.fft2(grey - grey.mean()))) ** 2
    h, w = grey.shape
    yy, xx = np.indices((h, w))
    r = np.hypot(yy - h / 2, xx - w / 2) / (min(h, w) / 2)
    b = np.minimum((r * bins).astype(int), bins)
    sums = np.bincount(b.ravel(), f.ravel(), bins + 1)[:bins]
    counts = np.bincount(b.ravel(), None, bins + 1)[:bins]
    return np.log(sums / np.maximum(counts, 1) + 1e-9)


def baseline_features(rgb: np.ndarray) -> np.ndarray:
    """The plain baseline: radial power spectrum + noise-residual statistics (grey)."""
    grey = rgb.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    resid = grey - ndimage.median_filter(grey, 3)
    r = resid.ravel()
    return np.r_[radial_spectrum(grey), r.std(), np.abs(r).mean(), stats.kurtosis(r)]


def baseline_cv(X: np.ndarray, y: np.ndarray, folds: int, repeats: int) -> dict[str, Any]:
    runs = []
    for seed in range(repeats):
        scores = np.zeros(len(y))
        for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y):
            m = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
            scores[te] = m.fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
        runs.append(binary_metrics(y, scores))
    out: dict[str, Any] = {"n": runs[0]["n"], "positives": runs[0]["positives"]}
    for k in KEYS:
        out[k] = float(np.mean([r[k] for r in runs]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", nargs="?", default=str(DEFAULT))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", dest="json_out", default=None)
    args = ap.parse_args()
    labels = Path(args.dataset) / "labels.csv"
    if not labels.is_file():
        print(f"skipped: {labels} not found (the faces data set lives in ../shared/datasets)")
        return 0
    t0 = time.perf_counter()
    data = load_labelled(labels)
    feats, keep = image_features(AIFaceDetector(), data)
    y = np.asarray(data.labels, dtype=np.int64)[keep]
    images = [data.images[i] for i in keep]
    ours = cross_validate(feats, y, folds=args.folds, repeats=args.repeats)
    base = baseline_cv(
        np.array([baseline_features(im) for im in images]), y, args.folds, args.repeats
    )
    alignment = np.array([face_geometry(im).stylegan_alignment for im in images])
    eyes = binary_metrics(y, alignment)
    result = {
        "dataset": str(Path(args.dataset).name),
        "protocol": f"{args.repeats} x stratified {args.folds}-fold CV, metrics averaged",
        "skipped_images": len(data.errors),
        "spycatcher_aiface": ours,
        "baseline_radial_spectrum_noise_residual_logreg": base,
        "haar_eye_alignment_alone": {k: eyes[k] for k in ("n", "positives", "roc_auc")},
        "seconds": round(time.perf_counter() - t0, 1),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out:
        Path(args.json_out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
