"""The trained scorer: gradient-boosted trees over signals and generic features, calibrated,
explained, and stored in a file that is parsed, never executed.

Training (:func:`train_model`)
    LightGBM boosters over the columns of a :class:`~spycatcher.scoring.features.Manifest`.
    Several boosters are bagged on different seeds with randomised split points
    (``extra_trees``), and trained on smoothed targets (cross-entropy towards 0.05 and 0.95
    rather than 0 and 1): labels are noisy and some fakes are indistinguishable from quiet
    genuine members, and on small sets (InstaFake has 200 fakes) boosting otherwise spends its
    later trees memorising those, which costs ranking quality exactly where it matters, at low
    false-positive rates. Calibration afterwards restores probabilities. A signal whose zero-shot
    weight is positive may only raise the score and one with a negative weight only lower it
    (monotone constraints), so the model cannot learn that a reused photo is reassuring from a
    quirk of one dataset.
    Out-of-fold margins (folds grouped by campaign) give the Platt calibration and the
    cross-validated metrics recorded in the model file.

Scoring (:class:`TrainedScorer`)
    ``score(profile, signals, ctx)`` computes the same features, LightGBM's exact per-feature
    contributions (``pred_contrib``, TreeSHAP), scaled by the calibration slope so that they add up
    to the calibrated log-odds. Contributions are grouped into readable reasons: a signal's
    contribution sits under the signal's own name beside the detector's evidence; the generic
    features are summarised in a ``model.pattern`` (or ``model.reassuring``) signal in words.

Model file (:func:`save_model` / :func:`load_model`)
    A zip holding ``model.json`` (format version, metadata, manifest, calibration, the SHA-256 of
    every other member) and one LightGBM text model per booster. Loading reads JSON and
    LightGBM's text format only (no pickle), with bounds on sizes and member names, and refuses a
    file whose members do not match their recorded hashes.
"""

from __future__ import annotations

import hashlib
import json
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from spycatcher.schema import Profile
from spycatcher.scoring.assessment import Assessment, level_for
from spycatcher.scoring.calibration import fit_platt, sigmoid
from spycatcher.scoring.explain import describe, group_of
from spycatcher.scoring.features import Manifest, extract
from spycatcher.scoring.metrics import binary_metrics
from spycatcher.scoring.splits import stratified_folds
from spycatcher.signals.base import ProfileContext, Signal, SignalSpec

FORMAT = "spycatcher-model"
FORMAT_VERSION = 1
#: bounds for reading a model file (an untrusted path may be given)
MAX_MODEL_BYTES = 256 * 1024 * 1024
MAX_MEMBERS = 64
#: reasons listed per profile; the rest are summed into one "other features" entry
TOP_REASONS = 12
OTHER_REASONS = "model.other_features"
#: prefix of the contribution of a signal the model knows that did not fire
ABSENT_PREFIX = "absent:"

MODEL_SPECS = (
    SignalSpec(
        "model.pattern",
        "Resembles fake profiles the model has learned from",
        0.0,
        "A model trained on profiles that people have already confirmed as fake found this "
        "profile's overall shape similar to theirs. Treat it with care and check who is behind "
        "it through another channel before sharing anything.",
    ),
    SignalSpec(
        "model.reassuring",
        "Resembles genuine profiles the model has learned from",
        0.0,
        "Compared with profiles confirmed as genuine, this one looks ordinary. That lowers the "
        "risk but does not remove it.",
    ),
)
_MODEL_SPEC = {s.name: s for s in MODEL_SPECS}


class ModelFileError(ValueError):
    """A model file that is missing, malformed, tampered with, or too large."""


@dataclass
class TrainConfig:
    """Learning settings. Defaults were chosen for small labelled sets that must generalise."""

    rounds: int = 400
    learning_rate: float = 0.03
    num_leaves: int = 15
    #: None: scaled with the data (3 for a thousand profiles, up to 40)
    min_data_in_leaf: int | None = None
    feature_fraction: float = 0.6
    bagging_fraction: float = 0.8
    lambda_l2: float = 1.0
    extra_trees: bool = True
    #: targets 0 and 1 become s/2 and 1 - s/2 (cross-entropy objective): a mislabelled or
    #: indistinguishable example can then pull the trees only so far (see train_model)
    label_smoothing: float = 0.1
    #: boosters averaged, each with its own seed; None: 5 below 5,000 rows (where averaging
    #: out the randomness of small data pays), 3 below 50,000, then 1
    bags: int | None = None
    #: folds for the out-of-fold margins that calibrate the model and give its CV metrics
    calibration_folds: int = 5
    monotone_signals: bool = True
    seed: int = 0
    #: None: one thread below 100,000 rows. LightGBM's OpenMP threads spin while they wait, so
    #: on small data or a busy machine more threads are many times slower, not faster.
    threads: int | None = None

    def params(self, n_rows: int, seed: int) -> dict[str, Any]:
        mdl = self.min_data_in_leaf
        if mdl is None:
            mdl = max(3, min(40, n_rows // 400))
        return {
            "objective": "cross_entropy" if self.label_smoothing else "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": mdl,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "lambda_l2": self.lambda_l2,
            "extra_trees": self.extra_trees,
            "seed": seed,
            "deterministic": True,
            "force_col_wise": True,
            "num_threads": self.threads
            if self.threads is not None
            else (1 if n_rows < 100_000 else 0),
            "verbose": -1,
        }

    def n_bags(self, n_rows: int) -> int:
        if self.bags is not None:
            return max(1, self.bags)
        return 5 if n_rows < 5_000 else (3 if n_rows < 50_000 else 1)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def monotone_constraints(manifest: Manifest, specs: dict[str, SignalSpec]) -> list[int]:
    """+1 for signals that argue "fake", -1 for reassuring ones, 0 for everything else."""
    out = []
    for col in manifest.columns:
        spec = specs.get(col[4:]) if col.startswith("sig:") else None
        out.append(0 if spec is None or spec.weight == 0 else (1 if spec.weight > 0 else -1))
    return out


def fit_boosters(
    x: np.ndarray,
    y: np.ndarray,
    config: TrainConfig,
    monotone: Sequence[int] | None = None,
) -> list[Any]:
    """``config.n_bags`` LightGBM boosters on the same rows, each with its own seed."""
    import lightgbm as lgb

    out = []
    s = config.label_smoothing
    target = y * (1.0 - s) + s / 2.0 if s else y
    for bag in range(config.n_bags(len(y))):
        params = config.params(len(y), config.seed * 1000 + bag)
        if monotone is not None and any(monotone):
            params["monotone_constraints"] = list(monotone)
            params["monotone_constraints_method"] = "basic"
        data = lgb.Dataset(x, label=target, free_raw_data=True, params={"verbose": -1})
        out.append(lgb.train(params, data, num_boost_round=config.rounds))
    return out


def _predict_threads(n_rows: int) -> int:
    """One thread for the one-profile-at-a-time calls of a scan: OpenMP's start-up and spinning
    cost ten times more than scoring a row (0.5 ms against 7 ms measured per booster)."""
    return 1 if n_rows < 10_000 else 0


def raw_margin(boosters: Sequence[Any], x: np.ndarray) -> np.ndarray:
    """The bagged model's log-odds before calibration (the mean of the boosters')."""
    total = np.zeros(len(x))
    threads = _predict_threads(len(x))
    for b in boosters:
        total += b.predict(x, raw_score=True, num_threads=threads)
    return total / max(1, len(boosters))


@dataclass
class TrainedModel:
    """Boosters, the manifest they read, the calibration, and where they came from."""

    boosters: list[Any]
    manifest: Manifest
    #: {"method": "platt", "a": slope, "b": intercept}
    calibration: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)

    def logit(self, x: np.ndarray) -> np.ndarray:
        return self.calibration["a"] * raw_margin(self.boosters, x) + self.calibration["b"]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probability of "fake" for each row of ``x`` (manifest columns)."""
        return sigmoid(self.logit(x))

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per-column calibrated log-odds contributions; the last column is the baseline.

        Each row sums to the calibrated log-odds of that profile.
        """
        total = np.zeros((len(x), len(self.manifest) + 1))
        threads = _predict_threads(len(x))
        for b in self.boosters:
            total += b.predict(x, pred_contrib=True, num_threads=threads)
        total *= self.calibration["a"] / max(1, len(self.boosters))
        total[:, -1] += self.calibration["b"]
        return total


def train_model(
    x: np.ndarray,
    y: np.ndarray,
    manifest: Manifest,
    *,
    groups: np.ndarray | None = None,
    config: TrainConfig | None = None,
    specs: dict[str, SignalSpec] | None = None,
    metadata: dict[str, Any] | None = None,
) -> TrainedModel:
    """Fit boosters on all rows; calibrate and measure them on out-of-fold margins."""
    cfg = config or TrainConfig()
    y = np.asarray(y).astype(np.int64)
    if x.shape != (len(y), len(manifest)):
        raise ValueError(f"features are {x.shape}, expected ({len(y)}, {len(manifest)})")
    if specs is None:
        from spycatcher.signals.registry import all_specs

        specs = all_specs()
    mono = monotone_constraints(manifest, specs) if cfg.monotone_signals else None
    oof = np.zeros(len(y))
    folds = stratified_folds(y, groups, cfg.calibration_folds, seed=cfg.seed)
    for tr, te in folds:
        oof[te] = raw_margin(fit_boosters(x[tr], y[tr], cfg, mono), x[te])
    a, b = fit_platt(oof, y)
    cv = binary_metrics(y, sigmoid(a * oof + b))
    cv["folds"] = len(folds)
    cv["grouped"] = groups is not None and len(np.unique(groups)) < len(y)
    boosters = fit_boosters(x, y, cfg, mono)
    meta = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "n": int(len(y)),
        "positives": int(y.sum()),
        "cv_metrics": cv,
        "config": cfg.as_dict(),
        **(metadata or {}),
    }
    try:
        import lightgbm

        meta.setdefault("lightgbm", lightgbm.__version__)
    except ImportError:  # pragma: no cover - lightgbm is a core dependency
        pass
    from spycatcher import __version__

    meta.setdefault("spycatcher", __version__)
    return TrainedModel(boosters, manifest, {"method": "platt", "a": a, "b": b}, meta)


# -- scoring -----------------------------------------------------------------------------------


class TrainedScorer:
    """The Scorer protocol over a :class:`TrainedModel`, with explanations."""

    def __init__(self, model: TrainedModel, top: int = TOP_REASONS) -> None:
        self.model = model
        self.top = top
        fp = str(model.metadata.get("fingerprint", ""))[:12]
        self.name = f"model:{fp}" if fp else "model"

    def explain(self, x: np.ndarray) -> tuple[float, dict[str, float], list[tuple[str, float]]]:
        """(calibrated log-odds, contribution per reason, (column, contribution) most first).

        Reasons are signal names (``profile.follow_ratio``), ``absent:<signal>`` when a signal
        the model knows did not fire, a categorical feature's name for all its one-hot columns
        (``feature:lang``), and generic feature names (``ratio:following/followers``).
        """
        contrib = self.model.contributions(x[None, :])[0]
        logit = float(contrib.sum())
        by_reason: dict[str, float] = {}
        for i, (col, c) in enumerate(zip(self.model.manifest.columns, contrib[:-1], strict=True)):
            if c != 0.0:
                key = group_of(col)
                if col.startswith("sig:") and x[i] == 0.0:
                    # the detector looked and did not raise it: that, too, moves the score
                    key = ABSENT_PREFIX + key
                by_reason[key] = by_reason.get(key, 0.0) + float(c)
        ranked_cols = sorted(
            (
                (col, float(c))
                for col, c in zip(self.model.manifest.columns, contrib[:-1], strict=True)
                if c
            ),
            key=lambda kv: -abs(kv[1]),
        )
        return logit, by_reason, ranked_cols

    def score(
        self, profile: Profile, signals: list[Signal], ctx: ProfileContext | None = None
    ) -> Assessment:
        ctx = ctx or ProfileContext()
        raw = extract(profile, signals, ctx)
        x = self.model.manifest.vector(raw)
        logit, by_reason, ranked_cols = self.explain(x)
        p = float(sigmoid(logit))

        ordered = sorted(by_reason.items(), key=lambda kv: -abs(kv[1]))
        contributions = dict(ordered[: self.top])
        rest = sum(v for _, v in ordered[self.top :])
        if rest:
            contributions[OTHER_REASONS] = rest

        signal_names = {s.name for s in signals}
        model_signals = self._model_signals(x, ranked_cols, signal_names)
        for s in model_signals:
            contributions.setdefault(s.name, 0.0)
        explained = sorted(signals, key=lambda s: -abs(by_reason.get(s.name, 0.0)))
        return Assessment(
            profile_id=profile.id,
            platform=profile.platform,
            name=profile.name,
            score=p,
            level=level_for(p),
            signals=model_signals + explained,
            contributions=contributions,
            label=profile.label,
            campaign=profile.campaign,
        )

    def _model_signals(
        self, x: np.ndarray, ranked_cols: list[tuple[str, float]], signal_names: set[str]
    ) -> list[Signal]:
        """The generic features that moved the score most, said in words, as model.* signals."""
        index = {c: i for i, c in enumerate(self.model.manifest.columns)}
        generic = [(c, v) for c, v in ranked_cols if not c.startswith("sig:")]
        up = [(c, v) for c, v in generic if v > 0][:4]
        down = [(c, v) for c, v in generic if v < 0][:4]
        net = sum(v for _, v in generic)
        out: list[Signal] = []
        n = self.model.metadata.get("n")
        trained_on = f" on {n:,} labelled profiles" if isinstance(n, int) else ""
        for name, items, sign in (("model.pattern", up, 1), ("model.reassuring", down, -1)):
            if not items or sign * net <= 0.25:
                continue
            spec = _MODEL_SPEC[name]
            words = "; ".join(f"{describe(c, float(x[index[c]]))} ({v:+.2f})" for c, v in items)
            out.append(
                Signal(
                    name=name,
                    strength=float(min(1.0, abs(net) / 4.0)),
                    evidence=f"Weighed most: {words} (a model trained{trained_on}; "
                    "figures are changes in log-odds).",
                    advice=spec.advice,
                    data={"features": {c: round(v, 4) for c, v in items}},
                )
            )
        return out


# -- the model file ----------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save_model(model: TrainedModel, path: str | Path) -> Path:
    """Write the model file (see the module docstring); returns the path written."""
    path = Path(path)
    members: dict[str, bytes] = {}
    for i, b in enumerate(model.boosters):
        members[f"booster_{i}.txt"] = b.model_to_string().encode("utf-8")
    head = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "metadata": model.metadata,
        "manifest": model.manifest.to_json(),
        "calibration": model.calibration,
        "boosters": sorted(members),
        "sha256": {k: _sha256(v) for k, v in members.items()},
    }
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("model.json", json.dumps(head, indent=1, sort_keys=True, allow_nan=False))
        for name, data in members.items():
            zf.writestr(name, data)
    tmp.replace(path)
    return path


def _read_member(zf: zipfile.ZipFile, name: str, budget: list[int]) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise ModelFileError(f"model file lacks {name}") from None
    if info.file_size > budget[0]:
        raise ModelFileError(f"{name} is larger than the model size limit")
    with zf.open(info) as fh:
        data = fh.read(budget[0] + 1)
    if len(data) > budget[0]:
        raise ModelFileError(f"{name} is larger than the model size limit")
    budget[0] -= len(data)
    return data


def _finite_number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ModelFileError(f"{what} must be a finite number")
    return float(value)


def load_model_file(path: str | Path) -> TrainedModel:
    """Read a model file written by :func:`save_model`, checking everything it says."""
    import lightgbm as lgb

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read the model file ({exc.strerror})") from None
    if size > MAX_MODEL_BYTES:
        raise ModelFileError(f"{path}: larger than {MAX_MODEL_BYTES} bytes")
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if len(names) > MAX_MEMBERS:
                raise ModelFileError(f"{path}: too many members")
            budget = [MAX_MODEL_BYTES]
            try:
                head = json.loads(_read_member(zf, "model.json", budget))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ModelFileError(f"{path}: model.json is not valid JSON ({exc})") from None
            if not isinstance(head, dict) or head.get("format") != FORMAT:
                raise ModelFileError(f"{path}: not a spycatcher model file")
            if head.get("format_version") != FORMAT_VERSION:
                raise ModelFileError(
                    f"{path}: model format version {head.get('format_version')!r} is not "
                    f"supported (this spycatcher reads version {FORMAT_VERSION})"
                )
            boosters_names = head.get("boosters")
            hashes = head.get("sha256")
            if (
                not isinstance(boosters_names, list)
                or not boosters_names
                or not isinstance(hashes, dict)
                or any(
                    not isinstance(n, str) or not n.startswith("booster_") or n not in hashes
                    for n in boosters_names
                )
            ):
                raise ModelFileError(f"{path}: the list of boosters is malformed")
            try:
                manifest = Manifest.from_json(head.get("manifest"))
            except ValueError as exc:
                raise ModelFileError(f"{path}: {exc}") from None
            cal = head.get("calibration")
            if not isinstance(cal, dict) or cal.get("method") != "platt":
                raise ModelFileError(f"{path}: unknown calibration")
            calibration = {
                "a": _finite_number(cal.get("a"), "calibration slope"),
                "b": _finite_number(cal.get("b"), "calibration intercept"),
            }
            metadata = head.get("metadata")
            if not isinstance(metadata, dict):
                raise ModelFileError(f"{path}: metadata must be an object")
            boosters = []
            for name in boosters_names:
                data = _read_member(zf, name, budget)
                if _sha256(data) != hashes[name]:
                    raise ModelFileError(f"{path}: {name} does not match its recorded hash")
                try:
                    text = data.decode("utf-8")
                    booster = lgb.Booster(model_str=text)
                except (UnicodeDecodeError, lgb.basic.LightGBMError) as exc:
                    raise ModelFileError(
                        f"{path}: {name} is not a LightGBM model ({exc})"
                    ) from None
                if booster.num_feature() != len(manifest):
                    raise ModelFileError(
                        f"{path}: {name} reads {booster.num_feature()} features but the manifest "
                        f"lists {len(manifest)}"
                    )
                boosters.append(booster)
    except zipfile.BadZipFile as exc:
        raise ModelFileError(f"{path}: not a model file ({exc})") from None
    calibration_out: dict[str, Any] = {"method": "platt", **calibration}
    return TrainedModel(boosters, manifest, calibration_out, metadata)


def load_model(path: str | Path) -> TrainedScorer:
    """A scorer from a model file (what ``scan --model`` and ``evaluate --model`` use)."""
    return TrainedScorer(load_model_file(path))
