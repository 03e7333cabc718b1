"""The train / evaluate commands, and a trained model's reasons in ``scan --model`` results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scoring_data import make_profiles, write
from typer.testing import CliRunner

from spycatcher.cli import app

KEYS = {"n", "positives", "roc_auc", "pr_auc", "tpr_at_fpr_1pct", "tpr_at_fpr_5pct", "brier"}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    data = write(folder / "labelled.jsonl", make_profiles(150, seed=5))
    model = folder / "model.zip"
    fast = ["--rounds", "60", "--bags", "2"]
    result = CliRunner().invoke(app, ["train", str(data), "--model", str(model), *fast])
    assert result.exit_code == 0, result.output
    assert "CV" in result.output and model.exists()
    return data, model


def test_evaluate_zero_shot_prints_one_json_object(files: tuple[Path, Path]):
    data, _ = files
    result = CliRunner().invoke(app, ["evaluate", str(data), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) >= KEYS and report["scorer"] == "zero-shot" and report["n"] == 150


def test_evaluate_a_model_and_cross_validate_without_a_field(files: tuple[Path, Path]):
    data, model = files
    runner = CliRunner()
    trained = json.loads(
        runner.invoke(app, ["evaluate", str(data), "--model", str(model), "--json"]).stdout
    )
    assert trained["scorer"].startswith("model") and trained["roc_auc"] > 0.9
    result = runner.invoke(
        app,
        ["evaluate", str(data), "--cv", "3", "--exclude-features", "lang", "--json", "--bags", "2"],
    )
    assert result.exit_code == 0, result.output
    cv = json.loads(result.stdout)
    assert cv["folds"] == 3 and cv["grouped"] is True and cv["excluded"] == ["lang"]


def test_scan_with_the_model_explains_every_score(files: tuple[Path, Path], tmp_path: Path):
    data, model = files
    out = tmp_path / "results.json"
    result = CliRunner().invoke(
        app, ["scan", str(data), "--model", str(model), "--json", str(out), "--no-store"]
    )
    assert result.exit_code == 0, result.output
    profiles = json.loads(out.read_text())["profiles"]
    assert len(profiles) == 150
    for p in profiles:
        assert p["contributions"], p["id"]  # every score has its reasons
    top = profiles[0]
    assert top["level"] == "high"
    names = [s["name"] for s in top["signals"]]
    assert "model.pattern" in names
    assert any(n.startswith("profile.") for n in names)  # detectors' evidence is kept


def test_bad_model_file_is_a_clear_error(files: tuple[Path, Path], tmp_path: Path):
    data, _ = files
    bogus = tmp_path / "bogus.zip"
    bogus.write_text("not a model")
    result = CliRunner().invoke(app, ["evaluate", str(data), "--model", str(bogus)])
    assert result.exit_code == 2
    assert "not a model file" in result.output
