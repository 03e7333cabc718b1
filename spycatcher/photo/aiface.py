"""Is this face generated? Face/eye geometry plus a trainable detector on pixel statistics.

Two kinds of evidence, from what the image itself shows (never from its metadata):

**Geometry** (:func:`face_geometry`). StyleGAN-family generators are trained on FFHQ, whose photos
are cropped so that the eyes sit at one fixed spot; every generated portrait inherits it. OpenCV's
Haar cascades (shipped inside opencv-python-headless < 5) find the face and the eyes, and
:attr:`FaceGeometry.stylegan_alignment` says how close the eyes are to that spot. On ordinary
profile photos (people crop their own) it is a useful hint; on FFHQ itself it separates nothing,
because real FFHQ photos are aligned the same way, so it is never the whole story.

**Pixel statistics** (:class:`AIFaceDetector`). A camera photo and a generator's output differ in
the fine texture of the pixels more than in anything a person sees: a camera adds sensor noise,
demosaicing couples the colour channels in a particular way, and processing leaves its traces; a
generator synthesises all three channels together from upsampled feature maps with injected noise.
Following steganalysis (SPAM features, Pevny et al.) and GAN forensics (co-occurrence and
cross-band co-occurrence matrices, Nataraj et al.; Barni et al.), every 64 x 64 patch is described
by

* co-occurrences of neighbouring first-order and second-order pixel differences (grey), truncated
  to [-2, 2]: how the local noise is structured;
* cross-band co-occurrences of the red/green and green/blue first-order differences at the same
  pixel: how the colour channels' fine detail moves together;
* simple colour statistics (mean and spread of luma, both chroma channels and saturation):
  generators rarely produce strongly saturated colour (McCloskey and Albright).

A logistic regression is trained on *patches* (each labelled with its image's label), which turns
a few dozen labelled images into thousands of training rows; an image's score is the mean patch
log-odds, calibrated to a probability by a one-dimensional logistic fit on out-of-fold scores.
Hyper-parameters are fixed (patch 64, truncation 2, C 0.1), not tuned on evaluation folds.

The estimator follows the scikit-learn contract (``__init__`` stores parameters, ``fit`` returns
self, learned state ends in ``_``) so ``clone`` and cross-validation work. It is saved as JSON of
its parameters and numbers; loading parses JSON and checks shapes, never unpickles anything.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

MODEL_FORMAT = "spycatcher-aiface"
MODEL_VERSION = 1
MAX_MODEL_BYTES = 5 * 1024 * 1024
LABELS = ("real", "ai_generated")

# Where FFHQ alignment (and so every StyleGAN-family portrait) puts the eye centres, as fractions
# of the image width and height: measured with the Haar eye cascade on FFHQ-aligned portraits.
STYLEGAN_LEFT_EYE = (0.367, 0.471)
STYLEGAN_RIGHT_EYE = (0.616, 0.471)
#: eye-centre error (fraction of the image width) at which alignment counts as 0
ALIGNMENT_TOLERANCE = 0.05


# --------------------------------------------------------------------------------------------
# geometry


@dataclass(slots=True)
class FaceGeometry:
    """Where the face and eyes are, as fractions of the image size (x right, y down)."""

    face: tuple[float, float, float, float] | None = None
    eyes: list[tuple[float, float]] = field(default_factory=list)
    #: 1.0 = both eyes exactly where StyleGAN portraits put them; 0.0 = nowhere near (or unknown)
    stylegan_alignment: float = 0.0
    square: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "face_found": self.face is not None,
            "eyes_found": len(self.eyes),
            "stylegan_eye_alignment": round(self.stylegan_alignment, 3),
            "square": self.square,
        }


_cascades: dict[str, Any] = {}


def _cascade(name: str) -> Any:
    if name not in _cascades:
        path = Path(cv2.data.haarcascades) / name  # type: ignore[attr-defined]
        clf = cv2.CascadeClassifier(str(path))
        if clf.empty():
            raise RuntimeError(f"OpenCV Haar cascade {name} is missing (opencv-python-headless<5)")
        _cascades[name] = clf
    return _cascades[name]


def face_geometry(rgb: np.ndarray) -> FaceGeometry:
    """Find the largest frontal face and its eyes; score closeness to the StyleGAN eye spot."""
    h, w = rgb.shape[:2]
    small = normalise_for_analysis(rgb, 512)
    sh, sw = small.shape[:2]
    grey = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
    geom = FaceGeometry(square=abs(h - w) <= 0.02 * max(h, w))
    min_face = max(24, min(sh, sw) // 8)
    faces = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        grey, scaleFactor=1.1, minNeighbors=5, minSize=(min_face, min_face)
    )
    if len(faces) == 0:
        return geom
    fx, fy, fw, fh = (int(v) for v in max(faces, key=lambda f: int(f[2]) * int(f[3])))
    geom.face = (fx / sw, fy / sh, fw / sw, fh / sh)
    # eyes live in the upper part of the face box
    roi = grey[fy : fy + fh * 5 // 8, fx : fx + fw]
    min_eye = max(8, fw // 10)
    eyes = _cascade("haarcascade_eye.xml").detectMultiScale(
        roi, scaleFactor=1.1, minNeighbors=5, minSize=(min_eye, min_eye)
    )
    centres = sorted(((fx + ex + ew / 2) / sw, (fy + ey + eh / 2) / sh) for ex, ey, ew, eh in eyes)
    geom.eyes = [(float(x), float(y)) for x, y in centres]
    if len(centres) >= 2 and geom.square:
        left = min(centres, key=lambda c: math.dist(c, STYLEGAN_LEFT_EYE))
        right = min(centres, key=lambda c: math.dist(c, STYLEGAN_RIGHT_EYE))
        if left != right:
            err = max(math.dist(left, STYLEGAN_LEFT_EYE), math.dist(right, STYLEGAN_RIGHT_EYE))
            geom.stylegan_alignment = max(0.0, 1.0 - err / ALIGNMENT_TOLERANCE)
    return geom


# --------------------------------------------------------------------------------------------
# pixel statistics


def normalise_for_analysis(rgb: np.ndarray, max_side: int = 512) -> np.ndarray:
    """Downscale large images (area filter) so that statistics are measured at one scale."""
    h, w = rgb.shape[:2]
    if max(h, w) <= max_side:
        return np.ascontiguousarray(rgb)
    s = max_side / max(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _codes(a: np.ndarray, b: np.ndarray, t: int) -> np.ndarray:
    """Joint code of two truncated residual maps: (a + t) * (2t + 1) + (b + t)."""
    qa = np.clip(np.rint(a), -t, t).astype(np.int64) + t
    qb = np.clip(np.rint(b), -t, t).astype(np.int64) + t
    return qa * (2 * t + 1) + qb


def _patch_hist(code: np.ndarray, bins: int, p: int) -> np.ndarray:
    """Normalised histogram of ``code`` in every non-overlapping p x p patch: (patches, bins)."""
    h, w = code.shape
    h, w = h - h % p, w - w % p
    c = code[:h, :w].reshape(h // p, p, w // p, p).transpose(0, 2, 1, 3).reshape(-1, p * p)
    n = c.shape[0]
    flat = (c + (np.arange(n, dtype=np.int64) * bins)[:, None]).ravel()
    hist = np.bincount(flat, minlength=n * bins).reshape(n, bins).astype(np.float64)
    return hist / (p * p)


def _patch_stats(channel: np.ndarray, p: int) -> np.ndarray:
    h, w = channel.shape
    h, w = h - h % p, w - w % p
    c = channel[:h, :w].reshape(h // p, p, w // p, p).transpose(0, 2, 1, 3).reshape(-1, p * p)
    return np.stack([c.mean(1), c.std(1)], axis=1)


def _diff(a: np.ndarray, axis: int) -> np.ndarray:
    """First-order difference, same shape (the last row/column repeats its neighbour)."""
    d = np.diff(a, axis=axis)
    return np.concatenate([d, d.take([-1], axis=axis)], axis=axis)


def _diff2(a: np.ndarray, axis: int) -> np.ndarray:
    """Second-order difference x[i-1] - 2 x[i] + x[i+1], same shape (edges replicated)."""
    pad = [(1, 1) if ax == axis else (0, 0) for ax in range(a.ndim)]
    e = np.pad(a, pad, mode="edge")
    n = a.shape[axis]
    lo, mid, hi = (e.take(range(k, k + n), axis=axis) for k in (0, 1, 2))
    return lo - 2 * mid + hi


def _pairs(d: np.ndarray, axis: int, t: int) -> np.ndarray:
    """Codes of each difference with its next neighbour along ``axis`` (edge pairs repeat)."""
    nxt = np.concatenate(
        [d.take(range(1, d.shape[axis]), axis=axis), d.take([-1], axis=axis)], axis=axis
    )
    return _codes(d, nxt, t)


FEATURE_GROUPS = ("grey_d1_cooc", "grey_d2_cooc", "cross_rg_cooc", "cross_gb_cooc", "colour")


def patch_features(
    rgb: np.ndarray, patch: int = 64, trunc: int = 2, min_std: float = 0.5
) -> np.ndarray:
    """Per-patch statistics (rows = informative patches) of an RGB uint8 image.

    Constant patches (luma spread below ``min_std``: padding, a solid overlay) carry no texture at
    all and are dropped; merely smooth ones are kept, because how smooth a background is (sensor
    noise or none) is itself evidence. If every patch is flat, all are kept.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError("expected an H x W x 3 RGB image")
    if min(rgb.shape[:2]) < patch:
        raise ValueError(f"image is smaller than {patch} x {patch} pixels: too small to analyse")
    f = rgb.astype(np.float32)
    grey = f @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    bins = (2 * trunc + 1) ** 2
    groups: list[np.ndarray] = []
    for order in (_diff, _diff2):
        hh = _patch_hist(_pairs(order(grey, 1), 1, trunc), bins, patch)
        vv = _patch_hist(_pairs(order(grey, 0), 0, trunc), bins, patch)
        groups.append(np.sqrt((hh + vv) / 2))
    dh = [_diff(f[..., c], 1) for c in range(3)]
    dv = [_diff(f[..., c], 0) for c in range(3)]
    for a, b in ((0, 1), (1, 2)):
        hh = _patch_hist(_codes(dh[a], dh[b], trunc), bins, patch)
        vv = _patch_hist(_codes(dv[a], dv[b], trunc), bins, patch)
        groups.append(np.sqrt((hh + vv) / 2))
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    sat = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[..., 1].astype(np.float32)
    colour = np.hstack(
        [_patch_stats(ch, patch) for ch in (ycc[..., 0], ycc[..., 1], ycc[..., 2], sat)]
    )
    groups.append(colour / 255.0)
    feats = np.hstack(groups)
    informative = _patch_stats(grey, patch)[:, 1] >= min_std
    if informative.any():
        feats = feats[informative]
    return feats


# --------------------------------------------------------------------------------------------
# the estimator


def _as_binary(y: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Labels as 0 (real) / 1 (ai_generated); accepts those strings, booleans or 0/1."""
    out = []
    for v in y:
        if isinstance(v, str):
            key = v.strip().lower()
            if key not in LABELS:
                raise ValueError(f"label must be one of {LABELS}, got {v[:40]!r}")
            out.append(LABELS.index(key))
        else:
            out.append(int(bool(v)))
    return np.asarray(out, dtype=np.int64)


class AIFaceDetector(ClassifierMixin, BaseEstimator):
    """Probability that a portrait is AI-generated, from patch statistics (see module docs).

    ``X`` is a sequence of decoded RGB uint8 images (H x W x 3), ``y`` their labels (0/1, or
    "real"/"ai_generated"). ``classes_`` is [0, 1]; column 1 of ``predict_proba`` is "generated".
    """

    def __init__(
        self,
        patch: int = 64,
        trunc: int = 2,
        C: float = 0.1,
        max_side: int = 512,
        calibration_folds: int = 5,
        random_state: int = 0,
    ) -> None:
        self.patch = patch
        self.trunc = trunc
        self.C = C
        self.max_side = max_side
        self.calibration_folds = calibration_folds
        self.random_state = random_state

    # -- features ------------------------------------------------------------------------------

    def image_features(self, rgb: np.ndarray) -> np.ndarray:
        img = normalise_for_analysis(np.asarray(rgb, dtype=np.uint8), self.max_side)
        return patch_features(img, self.patch, self.trunc)

    def _features(self, X: Sequence[np.ndarray]) -> list[np.ndarray]:
        return [self.image_features(im) for im in X]

    # -- fitting -------------------------------------------------------------------------------

    def _fit_patches(
        self, feats: list[np.ndarray], y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        rows = np.vstack(feats)
        labels = np.concatenate([np.full(len(f), lab) for f, lab in zip(feats, y, strict=True)])
        scaler = StandardScaler().fit(rows)
        clf = LogisticRegression(C=self.C, max_iter=5000)
        clf.fit(scaler.transform(rows), labels)
        scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
        return scaler.mean_, scale, clf.coef_[0].copy(), float(clf.intercept_[0])

    @staticmethod
    def _image_logit(
        f: np.ndarray, mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, icpt: float
    ) -> float:
        return float(np.mean(((f - mean) / scale) @ coef + icpt))

    def fit_features(
        self, feats: list[np.ndarray], y: Sequence[Any] | np.ndarray
    ) -> AIFaceDetector:
        """Fit from precomputed :meth:`image_features` (lets evaluation extract features once).

        The problems are small (a few thousand rows of 108 numbers), where multi-threaded BLAS
        costs far more in coordination than it saves, so fitting runs single-threaded.
        """
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit_features(feats, y)

    def _fit_features(
        self, feats: list[np.ndarray], y: Sequence[Any] | np.ndarray
    ) -> AIFaceDetector:
        yb = _as_binary(y)
        if len(feats) != len(yb):
            raise ValueError("X and y differ in length")
        if len(set(yb.tolist())) < 2:
            raise ValueError("training needs both real and ai_generated images")
        self.mean_, self.scale_, self.coef_, self.intercept_ = self._fit_patches(feats, yb)
        # calibrate the mean patch log-odds on out-of-fold images (1-D Platt scaling)
        self.calib_a_, self.calib_b_ = 1.0, 0.0
        folds = min(self.calibration_folds, int(np.bincount(yb).min()))
        if folds >= 2:
            oof = np.zeros(len(yb))
            skf = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
            for tr, te in skf.split(np.zeros(len(yb)), yb):
                params = self._fit_patches([feats[i] for i in tr], yb[tr])
                for i in te:
                    oof[i] = self._image_logit(feats[i], *params)
            platt = LogisticRegression(C=100.0).fit(oof.reshape(-1, 1), yb)
            self.calib_a_, self.calib_b_ = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        self.classes_ = np.array([0, 1])
        self.n_features_ = int(self.coef_.shape[0])
        return self

    def fit(self, X: Sequence[np.ndarray], y: Sequence[Any] | np.ndarray) -> AIFaceDetector:
        return self.fit_features(self._features(X), y)

    # -- prediction ----------------------------------------------------------------------------

    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise RuntimeError("AIFaceDetector is not fitted: train it or load a model file")

    def decision_features(self, feats: list[np.ndarray]) -> np.ndarray:
        """Calibrated log-odds of "generated" from precomputed features."""
        self._check()
        raw = np.array(
            [
                self._image_logit(f, self.mean_, self.scale_, self.coef_, self.intercept_)
                for f in feats
            ]
        )
        return self.calib_a_ * raw + self.calib_b_

    def decision_function(self, X: Sequence[np.ndarray]) -> np.ndarray:
        return self.decision_features(self._features(X))

    def predict_proba(self, X: Sequence[np.ndarray]) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.stack([1 - p, p], axis=1)

    def predict_proba_features(self, feats: list[np.ndarray]) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_features(feats)))
        return np.stack([1 - p, p], axis=1)

    def predict(self, X: Sequence[np.ndarray]) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(np.int64)

    # -- persistence (JSON, never pickle) ------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        self._check()
        return {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "params": self.get_params(),
            "feature_groups": list(FEATURE_GROUPS),
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_,
            "calibration": [self.calib_a_, self.calib_b_],
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict()), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: Any) -> AIFaceDetector:
        """Rebuild a model from parsed JSON, checking every field's type and shape."""
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise ValueError("not a spycatcher AI-face model file")
        if data.get("version") != MODEL_VERSION:
            raise ValueError(f"unsupported model version {data.get('version')!r}")
        params = data.get("params")
        if not isinstance(params, dict):
            raise ValueError("model file has no parameters")
        allowed = {"patch": int, "trunc": int, "C": float, "max_side": int,
                   "calibration_folds": int, "random_state": int}  # fmt: skip
        kwargs: dict[str, Any] = {}
        for key, typ in allowed.items():
            value = params.get(key)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ValueError(f"model parameter {key} must be a number")
            kwargs[key] = typ(value)
        if not (8 <= kwargs["patch"] <= 512 and 1 <= kwargs["trunc"] <= 8):
            raise ValueError("model parameters out of range")
        model = cls(**kwargs)
        n = 4 * (2 * model.trunc + 1) ** 2 + 8
        arrays = {}
        for key in ("mean", "scale", "coef"):
            arr = np.asarray(data.get(key), dtype=np.float64)
            if arr.shape != (n,) or not np.all(np.isfinite(arr)):
                raise ValueError(f"model field {key} must be {n} finite numbers")
            arrays[key] = arr
        if np.any(arrays["scale"] <= 0):
            raise ValueError("model field scale must be positive")
        calib = data.get("calibration")
        icpt = data.get("intercept")
        if (
            not isinstance(calib, list)
            or len(calib) != 2
            or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in calib)
            or not isinstance(icpt, (int, float))
            or not math.isfinite(icpt)
        ):
            raise ValueError("model calibration or intercept is malformed")
        model.mean_, model.scale_, model.coef_ = arrays["mean"], arrays["scale"], arrays["coef"]
        model.intercept_ = float(icpt)
        model.calib_a_, model.calib_b_ = float(calib[0]), float(calib[1])
        model.classes_ = np.array([0, 1])
        model.n_features_ = n
        return model

    @classmethod
    def load(cls, path: str | Path) -> AIFaceDetector:
        p = Path(path)
        if p.stat().st_size > MAX_MODEL_BYTES:
            raise ValueError(f"model file is over {MAX_MODEL_BYTES} bytes")
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"model file is not valid JSON: {exc}") from exc
        return cls.from_dict(data)
