"""Platt scaling: a tree model's log-odds -> a probability that means what it says.

Boosted trees rank well but their raw log-odds are over- or under-confident. Platt scaling fits
``p = sigmoid(a * margin + b)`` on out-of-fold margins. It was chosen over isotonic regression
because it is linear in log-odds: every tree contribution is simply multiplied by ``a``, so the
explanation still adds up exactly to the calibrated score, and two numbers are all a model file
needs to store. Targets are smoothed as in Platt (1999), ``(N+ + 1)/(N+ + 2)`` and
``1/(N- + 2)``, so perfectly separable data (a real case here) gives a finite slope.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64))))


def fit_platt(margin: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The slope and intercept that best map margins to the labels (smoothed log-loss)."""
    m = np.asarray(margin, dtype=np.float64).ravel()
    yy = np.asarray(y, dtype=np.float64).ravel()
    n_pos, n_neg = float(yy.sum()), float(len(yy) - yy.sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("calibration needs both classes")
    t = np.where(yy > 0.5, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def loss(ab: np.ndarray) -> tuple[float, np.ndarray]:
        z = ab[0] * m + ab[1]
        # log(1 + e^z) - t z, stably
        lse = np.logaddexp(0.0, z)
        value = float(np.sum(lse - t * z))
        g = sigmoid(z) - t
        return value, np.array([float(np.sum(g * m)), float(np.sum(g))])

    start = np.array([1.0, math.log((n_pos + 1) / (n_neg + 1))])
    res = minimize(loss, start, jac=True, method="L-BFGS-B")
    a, b = float(res.x[0]), float(res.x[1])
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ValueError("calibration failed to converge")
    return a, b
