"""Paired comparison of learners on one labelled dataset, over many fold seeds.

Usage (from the project root)::

    python bench/eval_variants.py ../shared/datasets/instafake --from instafake --seeds 10

Why: on a small set (InstaFake: 200 fakes) the spread over fold seeds of PR-AUC and of the
true-positive rate at 1% false positives (a handful of profiles) is as large as most
improvements one can try, so ideas are compared *paired*: every variant sees the same folds, and
the report gives, beside each mean ± standard deviation, the mean difference from the first
variant and on how many seeds it was better or worse.

The data is scanned once as ``spycatcher scan`` does (:func:`spycatcher.scoring.dataset.collect`);
each fold builds its manifest from its training side. The LightGBM variant is spycatcher's bag
(:func:`spycatcher.scoring.model.fit_boosters`, same defaults and monotone constraints) scored by
its uncalibrated margin; the ranking metrics of a single variant are then those of
``spycatcher evaluate --cv`` up to the per-fold Platt calibration (which moves pooled ranks only
slightly), and Brier is that of the raw sigmoid. Blends average log-odds. Nothing here is used by
the product: it is the record of what was tried (BENCHMARKS.md, "Detection quality").
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spycatcher.io.formats import convert_to_files  # noqa: E402
from spycatcher.io.records import LoadReport  # noqa: E402
from spycatcher.scoring.calibration import sigmoid  # noqa: E402
from spycatcher.scoring.dataset import LabelledSet, collect  # noqa: E402
from spycatcher.scoring.features import Manifest  # noqa: E402
from spycatcher.scoring.metrics import binary_metrics  # noqa: E402
from spycatcher.scoring.model import (  # noqa: E402
    TrainConfig,
    fit_boosters,
    monotone_constraints,
    raw_margin,
)
from spycatcher.scoring.splits import stratified_folds  # noqa: E402

METRICS = ("pr_auc", "tpr_at_fpr_1pct", "roc_auc", "brier")
#: a learner: (train matrix, labels, test matrix, manifest, seed) -> log-odds of the test rows
Learner = Callable[[np.ndarray, np.ndarray, np.ndarray, Manifest, int], np.ndarray]


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def lightgbm_with(**overrides: Any) -> Learner:
    """spycatcher's bag with some :class:`TrainConfig` settings changed (``--config``)."""

    def run(xtr: np.ndarray, y: np.ndarray, xte: np.ndarray, m: Manifest, seed: int) -> np.ndarray:
        from spycatcher.signals.registry import all_specs

        cfg = TrainConfig(seed=seed, **overrides)
        mono = monotone_constraints(m, all_specs()) if cfg.monotone_signals else None
        return raw_margin(fit_boosters(xtr, y, cfg, mono), xte)

    return run


lightgbm_bag = lightgbm_with()


def lightgbm_raw(
    params: dict[str, Any] | None = None, pos_weight: float | None = None, **overrides: Any
) -> Learner:
    """spycatcher's bag (as :func:`fit_boosters`) with LightGBM parameters TrainConfig does not
    expose merged in (``--lgb``: ``boosting``, ``path_smooth``, ``max_bin``,
    ``monotone_constraints_method``, ...), and the fakes weighted ``pos_weight`` times
    (0: negatives / positives)."""

    def run(xtr: np.ndarray, y: np.ndarray, xte: np.ndarray, m: Manifest, seed: int) -> np.ndarray:
        import lightgbm as lgb

        from spycatcher.signals.registry import all_specs

        cfg = TrainConfig(seed=seed, **overrides)
        mono = monotone_constraints(m, all_specs()) if cfg.monotone_signals else None
        s = cfg.label_smoothing
        target = y * (1.0 - s) + s / 2.0 if s else y
        weight = None
        if pos_weight is not None:
            w = pos_weight or (len(y) - y.sum()) / max(1, y.sum())
            weight = np.where(y == 1, w, 1.0)
        boosters = []
        for bag in range(cfg.n_bags(len(y))):
            p = cfg.params(len(y), cfg.seed * 1000 + bag)
            if mono is not None and any(mono):
                p["monotone_constraints"] = list(mono)
                p["monotone_constraints_method"] = "basic"
            p.update(params or {})
            data = lgb.Dataset(xtr, label=target, weight=weight, params={"verbose": -1, **p})
            boosters.append(lgb.train(p, data, num_boost_round=cfg.rounds))
        return raw_margin(boosters, xte)

    return run


def parse_config(text: str) -> dict[str, Any]:
    """``min_data_in_leaf=20,rounds=200`` -> TrainConfig overrides, typed like the defaults."""
    out: dict[str, Any] = {}
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        if key not in TrainConfig.__dataclass_fields__:
            raise SystemExit(f"--config: unknown setting {key!r}")
        kind = str(TrainConfig.__dataclass_fields__[key].type)  # "int | None", "float", ...
        if kind.startswith("bool"):
            out[key] = value.lower() in ("1", "true", "yes")
        elif kind.startswith("int"):
            out[key] = int(value)
        else:
            out[key] = float(value)
    return out


def parse_lgb(text: str) -> Learner:
    """``boosting=dart,rounds=200,pos_weight=0`` -> :func:`lightgbm_raw`: TrainConfig settings by
    their name, ``pos_weight``, anything else a LightGBM parameter (numbers as numbers)."""
    settings: list[str] = []
    params: dict[str, Any] = {}
    pos_weight = None
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        if key in TrainConfig.__dataclass_fields__:
            settings.append(item)
            continue
        try:
            typed: Any = json.loads(value)
        except json.JSONDecodeError:
            typed = value
        if key == "pos_weight":
            pos_weight = float(typed)
        else:
            params[key] = typed
    return lightgbm_raw(params, pos_weight, **parse_config(",".join(settings)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def extra_trees(
    xtr: np.ndarray, y: np.ndarray, xte: np.ndarray, m: Manifest, seed: int
) -> np.ndarray:
    """scikit-learn's ExtraTreesClassifier (300 trees, leaves of 3+, half the columns per split)."""
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        ExtraTreesClassifier(
            300, min_samples_leaf=3, max_features=0.5, random_state=seed, n_jobs=1
        ),
    )
    model.fit(xtr, y)
    return _logit(model.predict_proba(xte)[:, 1])


def spline_logistic(
    xtr: np.ndarray, y: np.ndarray, xte: np.ndarray, m: Manifest, seed: int
) -> np.ndarray:
    """A logistic regression on cubic splines of each standardised column (C = 0.3)."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer, StandardScaler

    model = make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
        SplineTransformer(n_knots=5, degree=3),
        LogisticRegression(C=0.3, max_iter=5000),
    )
    model.fit(xtr, y)
    return _logit(model.predict_proba(xte)[:, 1])


def with_count_combinations(learner: Learner) -> Learner:
    """The learner with four more columns made from the log counts followers/following/posts:
    their sum (audience size), the share of follows among follows + followers, "no posts", and
    posts against audience. Rows without those counts get NaN."""

    def extra(x: np.ndarray, m: Manifest) -> np.ndarray:
        idx = {c: i for i, c in enumerate(m.columns)}
        nan = np.full(len(x), np.nan)

        def col(name: str) -> np.ndarray:
            return x[:, idx[name]] if name in idx else nan

        fo, fi, po = col("count:followers"), col("count:following"), col("count:posts")
        share = np.expm1(fi) / (np.expm1(fi) + np.expm1(fo) + 1)
        no_posts = np.where(np.isnan(po), np.nan, (po == 0).astype(float))
        return np.column_stack([x, fo + fi, share, no_posts, po - 0.5 * (fo + fi)])

    def run(xtr: np.ndarray, y: np.ndarray, xte: np.ndarray, m: Manifest, seed: int) -> np.ndarray:
        cols = [*m.columns, "x:audience", "x:follow_share", "x:no_posts", "x:posts_vs_audience"]
        m2 = Manifest(cols, [*m.defaults, *[float("nan")] * 4])
        return learner(extra(xtr, m), y, extra(xte, m), m2, seed)

    return run


def with_knn_share(learner: Learner, k: int = 15, prefix: str = "count:") -> Learner:
    """The learner with one more column: the share of fakes among a profile's ``k`` nearest
    training profiles on the columns starting with ``prefix`` ("" = all), each scaled by its
    training median and interquartile range (missing = the median). Training rows leave
    themselves out, so the column is not a copy of their label."""

    def run(xtr: np.ndarray, y: np.ndarray, xte: np.ndarray, m: Manifest, seed: int) -> np.ndarray:
        from sklearn.neighbors import NearestNeighbors

        cols = [i for i, c in enumerate(m.columns) if c.startswith(prefix)]
        med = np.nanmedian(xtr[:, cols], axis=0)
        iqr = np.nanpercentile(xtr[:, cols], 75, axis=0) - np.nanpercentile(
            xtr[:, cols], 25, axis=0
        )
        scale = np.where(iqr > 0, iqr, np.nanstd(xtr[:, cols], axis=0))
        scale = np.where(scale > 0, scale, 1.0)

        def z(x: np.ndarray) -> np.ndarray:
            v = (x[:, cols] - med) / scale
            return np.where(np.isnan(v), 0.0, v)

        nn = NearestNeighbors(n_neighbors=k + 1).fit(z(xtr))
        ind = nn.kneighbors(z(xtr), return_distance=False)
        own = ind == np.arange(len(xtr))[:, None]
        # drop the row itself (or, when tied duplicates hid it, the farthest neighbour)
        own[~own.any(axis=1), -1] = True
        share_tr = y[ind[~own].reshape(len(xtr), k)].mean(axis=1)
        share_te = y[nn.kneighbors(z(xte), k, return_distance=False)].mean(axis=1)
        m2 = Manifest([*m.columns, "x:knn_fake_share"], [*m.defaults, float("nan")])
        return learner(
            np.column_stack([xtr, share_tr]), y, np.column_stack([xte, share_te]), m2, seed
        )

    return run


def without_duplicate_columns(learner: Learner) -> Learner:
    """The learner without columns equal on the training side to an earlier one (InstaFake's
    ``bio:length`` and ``feature:userBiographyLength`` ...), which otherwise are drawn more
    often by ``feature_fraction``."""

    def run(xtr: np.ndarray, y: np.ndarray, xte: np.ndarray, m: Manifest, seed: int) -> np.ndarray:
        keep: list[int] = []
        for i in range(xtr.shape[1]):
            if not any(np.array_equal(xtr[:, i], xtr[:, j], equal_nan=True) for j in keep):
                keep.append(i)
        m2 = Manifest([m.columns[i] for i in keep], [m.defaults[i] for i in keep])
        return learner(xtr[:, keep], y, xte[:, keep], m2, seed)

    return run


#: the learners, each run once per fold seed
LEARNERS: dict[str, Learner] = {
    "lightgbm": lightgbm_bag,
    "extra trees": extra_trees,
    "spline logistic": spline_logistic,
    "lightgbm + 4 count combinations": with_count_combinations(lightgbm_bag),
    "lightgbm + knn share (counts)": with_knn_share(lightgbm_bag),
    "lightgbm + knn share (all columns)": with_knn_share(lightgbm_bag, prefix=""),
    "lightgbm without duplicate columns": without_duplicate_columns(lightgbm_bag),
    "lightgbm dart": lightgbm_raw(
        {"boosting": "dart", "drop_rate": 0.2, "learning_rate": 0.1, "max_bin": 15}
    ),
}
#: variant -> the learners whose out-of-fold log-odds it averages (a blend when several)
VARIANTS: dict[str, tuple[str, ...]] = {
    "lightgbm (spycatcher's bag)": ("lightgbm",),
    "extra trees": ("extra trees",),
    "spline logistic": ("spline logistic",),
    "lightgbm + 4 count combinations": ("lightgbm + 4 count combinations",),
    "lightgbm + spline logistic": ("lightgbm", "spline logistic"),
    "lightgbm + extra trees": ("lightgbm", "extra trees"),
    "lightgbm + extra trees + spline logistic": ("lightgbm", "extra trees", "spline logistic"),
    "lightgbm + knn share (counts)": ("lightgbm + knn share (counts)",),
    "lightgbm + knn share (all columns)": ("lightgbm + knn share (all columns)",),
    "lightgbm without duplicate columns": ("lightgbm without duplicate columns",),
    "lightgbm dart: drop 0.2 lr 0.1 max_bin 15": ("lightgbm dart",),
}


def out_of_fold(data: LabelledSet, learner: Learner, seed: int, k: int) -> np.ndarray:
    """Pooled out-of-fold log-odds; each fold's manifest comes from its training side."""
    y = data.y
    oof = np.zeros(len(y))
    for tr, te in stratified_folds(y, data.groups, k, seed=seed):
        manifest = data.table.subset(tr).build_manifest()
        x_tr = manifest.matrix(data.table.rows(tr))
        x_te = manifest.matrix(data.table.rows(te))
        oof[te] = learner(x_tr, y[tr], x_te, manifest, seed)
    return oof


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("src", type=Path, help="a contract JSONL file, or a source with --from")
    ap.add_argument("--from", dest="fmt", help="convert SRC from this format first (instafake)")
    ap.add_argument("--seeds", type=int, default=10, help="how many fold seeds (0..N-1 by default)")
    ap.add_argument(
        "--first-seed", type=int, default=0, help="start there (fresh seeds to confirm a pick)"
    )
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument(
        "--only", default="", help="comma-separated variant names (the first is the reference)"
    )
    ap.add_argument(
        "--config",
        action="append",
        default=[],
        help="also a LightGBM variant with these settings, e.g. min_data_in_leaf=20,rounds=200",
    )
    ap.add_argument(
        "--lgb",
        action="append",
        default=[],
        help="also a LightGBM variant with raw parameters, e.g. path_smooth=5,max_bin=31,"
        "pos_weight=0 (TrainConfig names are settings; pos_weight 0 = balanced)",
    )
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    t0, c0 = time.perf_counter(), cpu_seconds()
    with tempfile.TemporaryDirectory(prefix="spycatcher-variants-") as tmp:
        path = args.src
        if args.fmt:
            path = Path(tmp) / "data.jsonl"
            convert_to_files(args.fmt, args.src, path, LoadReport())
        data = collect([path])
    y = data.y
    names = [n for n in VARIANTS if not args.only or n in args.only.split(",")]
    for text in args.config:  # always run, after the chosen variants
        name = f"lightgbm {text}"
        LEARNERS[name] = lightgbm_with(**parse_config(text))
        VARIANTS[name] = (name,)
        names.append(name)
    for text in args.lgb:
        name = f"lightgbm lgb {text}"
        LEARNERS[name] = parse_lgb(text)
        VARIANTS[name] = (name,)
        names.append(name)
    oof: dict[str, list[np.ndarray]] = {}
    for learner in sorted({b for n in names for b in VARIANTS[n]}, key=list(LEARNERS).index):
        oof[learner] = [
            out_of_fold(data, LEARNERS[learner], args.first_seed + s, args.folds)
            for s in range(args.seeds)
        ]
        print(f"[{time.strftime('%H:%M:%S')}] {learner} done", file=sys.stderr, flush=True)
    results: dict[str, list[dict[str, Any]]] = {
        name: [
            binary_metrics(y, sigmoid(np.mean([oof[b][s] for b in VARIANTS[name]], axis=0)))
            for s in range(args.seeds)
        ]
        for name in names
    }
    ref = results[names[0]]
    seeds = f"{args.first_seed}..{args.first_seed + args.seeds - 1}"
    print(f"{len(y)} profiles, {int(y.sum())} fakes, {args.folds} folds, seeds {seeds}")
    print(f"differences are paired against: {names[0]}")
    for name in names:
        parts = []
        for k in METRICS:
            v = np.array([r[k] for r in results[name]])
            d = v - np.array([r[k] for r in ref])
            better = d < 0 if k == "brier" else d > 0  # a lower Brier score is better
            worse = d > 0 if k == "brier" else d < 0
            parts.append(
                f"{k} {v.mean():.4f} ± {v.std():.4f} "
                f"(diff {d.mean():+.4f}; better on {better.sum()}, worse on {worse.sum()})"
            )
        print(f"- {name}: " + "; ".join(parts))
    took, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    print(f"{took:.0f} s wall, {cpu:.0f} CPU-s")
    if args.json:
        args.json.write_text(json.dumps({"seeds": args.seeds, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
