"""The evaluation metrics every ``evaluate`` command reports, computed one way in one place.

``binary_metrics`` gives the keys of the results contract: ``n``, ``positives``, ``roc_auc``,
``pr_auc``, ``tpr_at_fpr_1pct``, ``tpr_at_fpr_5pct`` and ``brier``. Fakes are rare and the cost of
a false accusation is high, so the true-positive rate at a fixed low false-positive rate says more
than accuracy; the Brier score says whether the scores can be read as probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score, roc_curve


def tpr_at_fpr(y_true: np.ndarray, y_score: np.ndarray, max_fpr: float) -> float:
    """The highest true-positive rate reachable while the false-positive rate stays <= max_fpr."""
    fpr, tpr, _ = roc_curve(y_true, y_score)
    ok = fpr <= max_fpr + 1e-12
    return float(tpr[ok].max()) if ok.any() else 0.0


def binary_metrics(
    y_true: Sequence[Any] | np.ndarray, y_score: Sequence[float] | np.ndarray
) -> dict[str, Any]:
    """Metrics of scores in 0..1 (higher = more likely positive) against 0/1 labels.

    Ranking metrics are None when only one class is present (they are undefined, not zero).
    """
    y = np.asarray(y_true).astype(np.int64).ravel()
    s = np.asarray(y_score, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise ValueError("labels and scores differ in length")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite")
    n = int(y.size)
    positives = int(y.sum())
    out: dict[str, Any] = {"n": n, "positives": positives}
    both = 0 < positives < n
    out["roc_auc"] = float(roc_auc_score(y, s)) if both else None
    out["pr_auc"] = float(average_precision_score(y, s)) if both else None
    out["tpr_at_fpr_1pct"] = tpr_at_fpr(y, s, 0.01) if both else None
    out["tpr_at_fpr_5pct"] = tpr_at_fpr(y, s, 0.05) if both else None
    out["brier"] = float(brier_score_loss(y, np.clip(s, 0.0, 1.0))) if n else None
    return out
