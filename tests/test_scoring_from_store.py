"""``train --from-store``: reviewers' latest fake/genuine decisions are the labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from scoring_data import make_profiles
from typer.testing import CliRunner

from spycatcher.cli import app
from spycatcher.review.decisions import record_label
from spycatcher.schema import Profile
from spycatcher.scoring.model import load_model_file
from spycatcher.scoring.train import _latest_decisions, decided_labels, export_training_files
from spycatcher.store import Store


def _store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    recs = make_profiles(150, seed=2)
    for r in recs:
        r["label"] = None  # the ingested data carries no ground truth ...
    recs[1]["label"] = "genuine"  # ... except one profile
    store.upsert_profiles(Profile.model_validate(r) for r in recs)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    truth = {r["id"]: ("fake" if i % 3 == 0 else "genuine") for i, r in enumerate(recs)}
    with store.session() as s:
        for i, (pid, label) in enumerate(truth.items()):
            if i % 5 == 4:
                continue  # nobody reviewed these
            if i == 0:  # first decided wrongly, then corrected on appeal
                record_label(
                    s,
                    platform="twitter",
                    profile_id=pid,
                    decision="genuine",
                    reason="looks ok",
                    who="r1",
                    now=now,
                    case_id=None,
                    source="review",
                )
            record_label(
                s,
                platform="twitter",
                profile_id=pid,
                decision=label,
                reason="checked",
                who="r2",
                now=now + timedelta(days=1),
                case_id=None,
                source="appeal" if i == 0 else "review",
            )
        s.commit()
    return store


def test_latest_label_decision_wins(tmp_path: Path):
    store = _store(tmp_path)
    labels = decided_labels(store)
    assert labels[("twitter", "u0")] == "fake"  # corrected on appeal
    assert labels[("twitter", "u3")] == "fake"
    assert ("twitter", "u4") not in labels  # never decided
    assert _latest_decisions(store) == labels  # the fallback for an older review package agrees
    profiles, events, counts = export_training_files(store, tmp_path)
    recs = {r["id"]: r for r in map(orjson.loads, profiles.read_bytes().splitlines())}
    assert counts["profiles"] == 150 and len(recs) == 150  # everyone stays in the population
    assert recs["u0"]["label"] == "fake"
    assert recs["u4"]["label"] is None  # undecided, no ingested label
    assert recs["u1"]["label"] == "genuine"
    assert events.exists()


def test_train_from_store_through_the_cli(tmp_path: Path):
    store = _store(tmp_path)
    model = tmp_path / "m.zip"
    result = CliRunner().invoke(
        app, ["train", "--from-store", "--db", store.url, "--model", str(model), "--bags", "2"]
    )
    assert result.exit_code == 0, result.output
    meta = load_model_file(model).metadata
    assert meta["n"] == 120  # the decided profiles; the 30 undecided ones carry no label
    assert meta["from_store"]["decided"] == 120 and meta["from_store"]["database"] == "sqlite"
