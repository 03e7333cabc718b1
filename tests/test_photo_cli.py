"""``spycatcher photo ...`` end to end on images made here."""

import json

import cv2
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from spycatcher.cli import app
from spycatcher.photo.testimages import mirror, scene
from spycatcher.store import Store
from spycatcher.store.hashbank import load_bank

runner = CliRunner()
METRIC_KEYS = {"n", "positives", "roc_auc", "pr_auc", "tpr_at_fpr_1pct", "tpr_at_fpr_5pct", "brier"}


def camera(seed):
    r = np.random.default_rng(seed)
    return np.clip(scene(r, 128) + r.normal(0, 5, (128, 128, 3)), 0, 255).astype(np.uint8)


def generated(seed):
    r = np.random.default_rng(seed)
    smooth = cv2.GaussianBlur(scene(r, 128).astype(np.float32), (0, 0), 1.5)
    return np.clip(smooth + r.normal(0, 1.5, (128, 128, 1)), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    root = tmp_path_factory.mktemp("faces")
    (root / "img").mkdir()
    lines = ["path,label"]
    for i in range(8):
        Image.fromarray(camera(i)).save(root / "img" / f"r{i}.png")
        Image.fromarray(generated(100 + i)).save(root / "img" / f"g{i}.png")
        lines += [f"img/r{i}.png,real", f"img/g{i}.png,ai_generated"]
    lines.append("img/missing.png,real")  # reported and skipped, not fatal
    (root / "labels.csv").write_text("\n".join(lines) + "\n")
    return root


def test_hash_prints_pdq_hex_and_quality(tmp_path):
    Image.fromarray(scene(np.random.default_rng(1), 128)).save(tmp_path / "a.png")
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    res = runner.invoke(app, ["photo", "hash", str(tmp_path / "a.png"), "--dihedral"])
    assert res.exit_code == 0
    fields = res.stdout.strip().split("\t")
    assert len(fields[0]) == 64 and int(fields[1]) >= 50 and len(fields[3].split()) == 7
    res = runner.invoke(app, ["photo", "hash", str(tmp_path / "bad.jpg")])
    assert res.exit_code == 1 and "not a JPEG, PNG or WebP" in res.stderr


def test_train_evaluate_and_check(labelled, tmp_path):
    model = tmp_path / "m.json"
    res = runner.invoke(
        app, ["photo", "train", str(labelled / "labels.csv"), "--model", str(model)]
    )
    assert res.exit_code == 0, res.stderr
    assert "trained on 16 images" in res.stderr and "missing.png" in res.stderr

    res = runner.invoke(
        app, ["photo", "evaluate", str(labelled / "labels.csv"), "--cv", "4", "--json"]
    )
    assert res.exit_code == 0, res.stderr
    cv = json.loads(res.stdout)
    assert set(cv) >= METRIC_KEYS and cv["n"] == 16 and cv["positives"] == 8
    assert cv["mode"] == "cross_validation" and cv["skipped"] == 1
    assert cv["roc_auc"] > 0.8

    res = runner.invoke(
        app, ["photo", "evaluate", str(labelled / "labels.csv"), "--model", str(model), "--json"]
    )
    assert res.exit_code == 0 and json.loads(res.stdout)["mode"] == "model"

    res = runner.invoke(
        app,
        ["photo", "check", str(labelled / "img" / "g0.png"), "--model", str(model), "--json"],
    )
    assert res.exit_code == 0
    out = json.loads(res.stdout)
    assert 0.0 <= out["ai_generated_probability"] <= 1.0 and len(out["pdq"]) == 64


def test_bad_labels_file_is_a_clear_error(tmp_path):
    (tmp_path / "labels.csv").write_text("path,label\nimg.png,maybe\n")
    res = runner.invoke(app, ["photo", "train", str(tmp_path / "labels.csv"), "--model", "m"])
    assert res.exit_code == 2 and "label" in res.stderr and ":2:" in res.stderr


def test_bank_add_then_check_finds_the_known_photo(tmp_path):
    face = scene(np.random.default_rng(5), 160)
    Image.fromarray(face).save(tmp_path / "stolen.png")
    Image.fromarray(mirror(face)).save(tmp_path / "copy.png")
    db = f"sqlite:///{tmp_path / 'bank.db'}"
    args = ["photo", "bank-add", str(tmp_path / "stolen.png"), "--source", "review:case-1"]
    res = runner.invoke(app, [*args, "--reason", "catalogue model", "--db", db])
    assert res.exit_code == 0 and "added 1" in res.stderr
    assert len(load_bank(Store(db))) == 1
    res = runner.invoke(app, ["photo", "check", str(tmp_path / "copy.png"), "--db", db, "--json"])
    match = json.loads(res.stdout)["bank_matches"][0]
    assert match["ref"] == "review:case-1" and match["reason"] == "catalogue model"
