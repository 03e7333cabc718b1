"""``spycatcher train``: labelled profiles (files, or the store's human decisions) -> a model file.

The steps are the ones ``evaluate --cv`` measures: scan the data with the zero-shot scorer while
recording each labelled profile's features (:func:`spycatcher.scoring.dataset.collect`), build the
manifest, fit and calibrate the boosters (:func:`spycatcher.scoring.model.train_model`), and save
the model with its manifest and metadata (spycatcher version, data fingerprint, date, the
cross-validated metrics of its calibration folds).

Learning from review (``--from-store``): the labels are what people decided. For each profile in
the store's ``profiles`` table, the latest *fake* or *genuine* decision in the ``decisions`` table
(case reviews and appeal outcomes alike; "needs more information" and "escalate" are not labels)
wins; a profile nobody has decided keeps the ``label`` it was ingested with (ground truth from a
dataset), and one with neither is unlabelled but still part of the population, so graph, template
and employer facts are computed over everyone, as in a scan. Events come from the ``events``
table. Folds are grouped by ``campaign`` as everywhere else.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from spycatcher.scoring.dataset import LabelledSet, collect
from spycatcher.scoring.model import TrainConfig, TrainedModel, save_model, train_model

Progress = Callable[[str, int], None]

#: decisions that are labels, and the label each gives
DECISION_LABELS = {"fake": "fake", "genuine": "genuine"}
MIN_PER_CLASS = 2


def train_on(
    data: LabelledSet,
    *,
    exclude: Sequence[str] = (),
    config: TrainConfig | None = None,
    metadata: dict[str, Any] | None = None,
) -> TrainedModel:
    """Fit a model on collected data (shared by ``train`` and each fold of ``evaluate --cv``)."""
    if len(data) == 0:
        raise ValueError("no labelled profiles (set 'label' to 'fake' or 'genuine')")
    pos = data.positives
    if pos < MIN_PER_CLASS or len(data) - pos < MIN_PER_CLASS:
        raise ValueError(
            f"need at least {MIN_PER_CLASS} fake and {MIN_PER_CLASS} genuine profiles "
            f"(got {pos} fake, {len(data) - pos} genuine)"
        )
    manifest = data.table.build_manifest(exclude)
    x = manifest.matrix(data.table.rows())
    meta = {
        "fingerprint": data.fingerprint(),
        "sources": data.sources,
        "excluded": sorted(set(exclude)),
        "features": len(manifest),
        **(metadata or {}),
    }
    return train_model(x, data.y, manifest, groups=data.groups, config=config, metadata=meta)


def train(
    paths: Sequence[str | Path],
    model_path: str | Path,
    *,
    events: Sequence[str | Path | None] | None = None,
    exclude: Sequence[str] = (),
    config: TrainConfig | None = None,
    progress: Progress | None = None,
) -> TrainedModel:
    """Train on labelled profile files and write the model file."""
    data = collect(paths, events=events, exclude=exclude, progress=progress)
    model = train_on(data, exclude=exclude, config=config)
    save_model(model, model_path)
    return model


# -- learning from review ----------------------------------------------------------------------


def decided_labels(store: Any) -> dict[tuple[str, str], str]:
    """(platform, profile id) -> the latest fake/genuine decision people recorded.

    The review workflow defines what counts (``spycatcher.review.decisions.training_labels``:
    the latest decision per profile, so an appeal that reinstated a profile makes it genuine);
    this reads it, keeps only fake/genuine, and is empty when the store has no ``decisions``
    table (a store the review workflow never used).
    """
    from sqlalchemy import inspect

    if not inspect(store.engine).has_table("decisions"):
        return {}
    try:
        from spycatcher.review.decisions import training_labels
    except ImportError:  # an older review package: read the table the same way
        return _latest_decisions(store)
    return {k: v for k, v in training_labels(store).items() if v in DECISION_LABELS}


def _latest_decisions(store: Any) -> dict[tuple[str, str], str]:
    from sqlalchemy import select

    from spycatcher.store.review import DecisionRow

    out: dict[tuple[str, str], str] = {}
    stmt = (
        select(DecisionRow.platform, DecisionRow.profile_id, DecisionRow.decision)
        .where(DecisionRow.decision.in_(list(DECISION_LABELS)))
        .order_by(DecisionRow.decided_at, DecisionRow.id)
    )
    with store.session() as s:
        for platform, pid, decision in s.execute(stmt):
            out[(platform, pid)] = DECISION_LABELS[decision]  # later decisions overwrite
    return out


def _store_profiles(store: Any, labels: dict[tuple[str, str], str]) -> Iterator[bytes]:
    from sqlalchemy import select

    from spycatcher.store.models import ProfileRow

    stmt = select(ProfileRow.platform, ProfileRow.profile_id, ProfileRow.label, ProfileRow.data)
    with store.session() as s:
        for platform, pid, label, data in s.execute(stmt.execution_options(yield_per=2000)):
            rec = dict(data)
            rec["label"] = labels.get((platform, pid), label)
            yield orjson.dumps(rec) + b"\n"


def _store_events(store: Any) -> Iterator[bytes]:
    from sqlalchemy import select

    from spycatcher.store.models import EventRow

    with store.session() as s:
        for (data,) in s.execute(select(EventRow.data).execution_options(yield_per=5000)):
            yield orjson.dumps(data) + b"\n"


def export_training_files(store: Any, folder: Path) -> tuple[Path, Path, dict[str, int]]:
    """Write the store's profiles (with decided labels) and events as contract JSONL files."""
    labels = decided_labels(store)
    profiles = folder / "profiles.jsonl"
    events = folder / "events.jsonl"
    n_profiles = n_events = 0
    with open(profiles, "wb") as fh:
        for line in _store_profiles(store, labels):
            fh.write(line)
            n_profiles += 1
    with open(events, "wb") as fh:
        for line in _store_events(store):
            fh.write(line)
            n_events += 1
    return profiles, events, {"profiles": n_profiles, "events": n_events, "decided": len(labels)}


def train_from_store(
    store: Any,
    model_path: str | Path,
    *,
    exclude: Sequence[str] = (),
    config: TrainConfig | None = None,
    progress: Progress | None = None,
) -> TrainedModel:
    """Train on the store: human decisions as labels (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="spycatcher-store-train-") as tmp:
        profiles, events, counts = export_training_files(store, Path(tmp))
        data = collect([profiles], events=[events], exclude=exclude, progress=progress)
    model = train_on(
        data,
        exclude=exclude,
        config=config,
        metadata={"from_store": {"database": store.dialect, **counts}},
    )
    save_model(model, model_path)
    return model
