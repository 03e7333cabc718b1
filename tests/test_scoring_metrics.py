"""binary_metrics agrees with scikit-learn and with a brute-force TPR at a fixed FPR."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from spycatcher.scoring.metrics import binary_metrics, tpr_at_fpr

KEYS = {"n", "positives", "roc_auc", "pr_auc", "tpr_at_fpr_1pct", "tpr_at_fpr_5pct", "brier"}


def brute_tpr_at_fpr(y: np.ndarray, s: np.ndarray, max_fpr: float) -> float:
    """Try every threshold: the best recall whose false-positive rate stays within the bound."""
    best = 0.0
    for t in np.unique(np.concatenate([s, [np.inf]])):
        pred = s >= t
        fpr = (pred & (y == 0)).sum() / (y == 0).sum()
        if fpr <= max_fpr:
            best = max(best, (pred & (y == 1)).sum() / (y == 1).sum())
    return float(best)


def test_known_small_case():
    y = [0, 0, 1, 1]
    s = [0.1, 0.4, 0.35, 0.8]
    m = binary_metrics(y, s)
    assert set(m) == KEYS
    assert m["n"] == 4 and m["positives"] == 2
    assert m["roc_auc"] == pytest.approx(0.75)
    assert m["pr_auc"] == pytest.approx(average_precision_score(y, s))
    assert m["brier"] == pytest.approx((0.01 + 0.16 + 0.4225 + 0.04) / 4)
    # one genuine (0.4) sits above a fake: at FPR 0 only the 0.8 fake is caught
    assert m["tpr_at_fpr_1pct"] == 0.5


def test_against_sklearn_and_brute_force_on_random_scores():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 700)
    s = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1).round(2)  # ties on purpose
    m = binary_metrics(y, s)
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, s))
    assert m["pr_auc"] == pytest.approx(average_precision_score(y, s))
    assert m["brier"] == pytest.approx(brier_score_loss(y, s))
    for key, fpr in (("tpr_at_fpr_1pct", 0.01), ("tpr_at_fpr_5pct", 0.05)):
        assert m[key] == pytest.approx(brute_tpr_at_fpr(y, s, fpr))
        assert tpr_at_fpr(y, s, fpr) == m[key]


def test_one_class_leaves_ranking_metrics_undefined():
    m = binary_metrics([1, 1, 1], [0.2, 0.9, 0.5])
    assert m["roc_auc"] is None and m["tpr_at_fpr_1pct"] is None
    assert m["brier"] == pytest.approx(np.mean([0.64, 0.01, 0.25]))


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        binary_metrics([0, 1], [0.5])
    with pytest.raises(ValueError):
        binary_metrics([0, 1], [0.5, float("nan")])
