"""Training, calibration, explanations, the model file, cross-validation and exclusion.

The data is made here: a few hundred Twitter-style profiles where fakes follow many accounts and
are followed by few (with overlap, so the task is not trivial), campaigns of fakes that share a
``lang`` value, and a ``lang`` shortcut that the exclusion tests remove.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import orjson
import pytest
from scoring_data import FAST, make_profiles, write

from spycatcher.scoring.dataset import blank_fields, collect, events_beside
from spycatcher.scoring.evaluate import cross_validate, evaluate
from spycatcher.scoring.model import (
    ModelFileError,
    TrainedScorer,
    load_model,
    load_model_file,
    save_model,
)
from spycatcher.scoring.splits import group_ids, stratified_folds
from spycatcher.scoring.train import train, train_on


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("d") / "train.jsonl", make_profiles())


@pytest.fixture(scope="module")
def model_file(data_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("m") / "model.zip"
    train([data_file], path, config=FAST)
    return path


def test_trained_model_learns_and_records_its_provenance(model_file: Path):
    model = load_model_file(model_file)
    meta = model.metadata
    assert meta["n"] == 240 and meta["positives"] == 80
    assert len(meta["fingerprint"]) == 64 and meta["sources"][0]["file"] == "train.jsonl"
    assert meta["spycatcher"] and meta["created"] and meta["lightgbm"]
    cv = meta["cv_metrics"]
    assert cv["roc_auc"] > 0.9 and cv["grouped"] is True
    assert set(model.manifest.columns) >= {"sig:profile.follow_ratio", "count:followers"}


def test_round_trip_gives_identical_scores(data_file: Path, model_file: Path, tmp_path: Path):
    first = load_model(model_file)
    copy = save_model(first.model, tmp_path / "again.zip")
    second = load_model(copy)
    a = collect([data_file], scorer=first, features=False)
    b = collect([data_file], scorer=second, features=False)
    assert a.scores == b.scores
    assert len(set(np.round(a.scores, 6))) > 20  # a real ranking, not a constant


def test_model_file_holds_no_pickle_and_is_plain_text(model_file: Path):
    with zipfile.ZipFile(model_file) as zf:
        names = zf.namelist()
        assert names[0] == "model.json"
        assert all(
            n == "model.json" or (n.startswith("booster_") and n.endswith(".txt")) for n in names
        )
        for n in names:
            data = zf.read(n)
            assert not data.startswith(b"\x80")  # pickle protocol 2+ opcode
            data.decode("utf-8")
        head = json.loads(zf.read("model.json"))
    assert head["calibration"]["method"] == "platt"
    assert head["manifest"]["columns"]


def _rewrite(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for n in zin.namelist():
            zout.writestr(n, change(n, zin.read(n)))
    return dst


def test_tampered_or_foreign_files_fail_cleanly(model_file: Path, tmp_path: Path):
    def flip_leaf(name: str, data: bytes) -> bytes:
        return data.replace(b"leaf_value=", b"leaf_value=9", 1) if name == "booster_0.txt" else data

    with pytest.raises(ModelFileError, match="hash"):
        load_model(_rewrite(model_file, tmp_path / "t1.zip", flip_leaf))

    def bad_json(name: str, data: bytes) -> bytes:
        return b"{not json" if name == "model.json" else data

    with pytest.raises(ModelFileError, match="JSON"):
        load_model(_rewrite(model_file, tmp_path / "t2.zip", bad_json))

    def drop_calibration(name: str, data: bytes) -> bytes:
        if name != "model.json":
            return data
        head = json.loads(data)
        head["calibration"]["a"] = "1; import os"
        return json.dumps(head).encode()

    with pytest.raises(ModelFileError, match="calibration"):
        load_model(_rewrite(model_file, tmp_path / "t3.zip", drop_calibration))

    pickled = tmp_path / "pickle.zip"
    pickled.write_bytes(b"\x80\x04\x95" + b"\x00" * 100)
    with pytest.raises(ModelFileError):
        load_model(pickled)
    with pytest.raises(ModelFileError):
        load_model(tmp_path / "absent.zip")


def test_explanations_name_features_and_add_up(data_file: Path, model_file: Path):
    scorer = load_model(model_file)
    seen = {}

    class Keep:
        name = "keep"

        def score(self, profile, signals, ctx=None):
            a = scorer.score(profile, signals, ctx)
            seen[profile.id] = (profile, signals, ctx, a)
            return a

    collect([data_file], scorer=Keep(), features=False)
    _p, signals, ctx, a = max(seen.values(), key=lambda t: t[3].score)
    assert a.score > 0.7
    names = [s.name for s in a.signals]
    assert "model.pattern" in names  # generic features, said in words
    pattern = next(s for s in a.signals if s.name == "model.pattern")
    assert "log-odds" in pattern.evidence and pattern.advice
    assert pattern.evidence.startswith("Weighed most: ")
    # detector signals keep their evidence and their own contribution
    ratio = next(s for s in a.signals if s.name == "profile.follow_ratio")
    assert "Follows" in ratio.evidence and a.contributions["profile.follow_ratio"] > 0
    # a signal that did not fire is named as absent, never as if it had been raised
    low = min(seen.values(), key=lambda t: t[3].score)[3]
    absent = {k: v for k, v in low.contributions.items() if k.startswith("absent:")}
    assert absent and not any(k[len("absent:") :] in {s.name for s in low.signals} for k in absent)
    # contributions (plus the baseline) add up to the calibrated log-odds
    from spycatcher.scoring.features import extract

    x = scorer.model.manifest.vector(extract(_p, signals, ctx))
    logit, by_reason, _ = scorer.explain(x)
    assert 1 / (1 + np.exp(-logit)) == pytest.approx(a.score)
    assert scorer.model.logit(x[None])[0] == pytest.approx(logit)


def test_grouped_folds_never_split_a_campaign():
    recs = make_profiles(300, seed=4)
    y = np.array([r["label"] == "fake" for r in recs], dtype=int)
    groups = group_ids([r["campaign"] for r in recs], [r["id"] for r in recs])
    folds = stratified_folds(y, groups, 5, seed=1)
    assert len(folds) == 5
    for tr, te in folds:
        assert not set(groups[tr]) & set(groups[te])
        assert y[te].sum() > 0
    covered = np.sort(np.concatenate([te for _, te in folds]))
    assert np.array_equal(covered, np.arange(len(y)))


def test_cross_validation_is_grouped_and_pooled(data_file: Path):
    data = collect([data_file])
    metrics, oof = cross_validate(data, 3, config=FAST)
    assert metrics["grouped"] is True and metrics["folds"] == 3
    assert metrics["n"] == 240 and not np.isnan(oof).any()
    assert metrics["roc_auc"] > 0.85


def test_exclude_features_removes_fields_and_columns(data_file: Path, tmp_path: Path):
    out = blank_fields(data_file, ["lang", "created_at"], tmp_path)
    first = orjson.loads(out.read_bytes().splitlines()[0])
    assert "lang" not in first["features"] and first["created_at"] is None
    data = collect([data_file], exclude=["lang", "created_at"])
    model = train_on(data, exclude=["lang", "created_at"], config=FAST)
    cols = model.manifest.columns
    assert not [c for c in cols if "lang" in c or c.startswith(("account:", "rate:"))]
    assert model.metadata["excluded"] == ["created_at", "lang"]
    full = train_on(collect([data_file]), config=FAST)
    assert any(c.startswith("feature:lang=") for c in full.manifest.columns)


def test_blanked_fields_stay_valid_records():
    from spycatcher.schema import Profile
    from spycatcher.scoring.dataset import _blank

    rec = {
        "id": "a",
        "counts": {"posts": 3, "followers": 9},
        "features": {"lang": "en", "k": 1},
        "time_zone": "Rome",  # unknown top-level field: the contract moves it into features
        "skills": ["x"],
        "created_at": "2012-01-01",
    }
    out = _blank(rec, {"counts.posts", "lang", "time_zone", "skills", "created_at"})
    assert out == {
        "id": "a",
        "counts": {"followers": 9},
        "features": {"k": 1},
        "skills": [],
        "created_at": None,
    }
    assert Profile.model_validate(_blank(dict(out), {"counts", "features"})).counts == {}


def test_evaluate_reports_the_contract_keys(data_file: Path, model_file: Path):
    keys = {"n", "positives", "roc_auc", "pr_auc", "tpr_at_fpr_1pct", "tpr_at_fpr_5pct", "brier"}
    zero = evaluate([data_file])
    assert keys <= set(zero) and zero["scorer"] == "zero-shot" and zero["roc_auc"] > 0.8
    trained = evaluate([data_file], model=model_file)
    assert keys <= set(trained) and trained["scorer"].startswith("model")
    with pytest.raises(ValueError):
        evaluate([data_file], model=model_file, cv=3)


def test_training_refuses_one_class(tmp_path: Path):
    recs = [r for r in make_profiles(60) if r["label"] == "genuine"]
    with pytest.raises(ValueError, match="fake"):
        train([write(tmp_path / "g.jsonl", recs)], tmp_path / "m.zip", config=FAST)


def test_events_found_beside_the_profiles(tmp_path: Path):
    (tmp_path / "profiles.jsonl").touch()
    (tmp_path / "events.jsonl").touch()
    (tmp_path / "c.jsonl").touch()
    (tmp_path / "c.events.jsonl").touch()
    assert events_beside(tmp_path / "profiles.jsonl") == tmp_path / "events.jsonl"
    assert events_beside(tmp_path / "c.jsonl") == tmp_path / "c.events.jsonl"
    assert events_beside(tmp_path / "x.jsonl") is None


def test_scorer_name_carries_the_fingerprint(model_file: Path):
    scorer = load_model(model_file)
    assert isinstance(scorer, TrainedScorer) and scorer.name.startswith("model:")
