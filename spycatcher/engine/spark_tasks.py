"""What the Spark engine's Python workers run, one function per pass (used with ``mapInArrow``).

* :func:`observe_partition`: a fresh set of partial stages observes this partition's records
  (profiles, or events) and returns its pickled state, the partition's line counts, load errors
  and latest date; for events it also emits the ties (connections, accepted invitations) from
  which the graph is built as DataFrames.
* :func:`assess_partition`: the finished stages annotate each profile, the same
  :func:`spycatcher.engine.core.assess` runs the same detectors and scorer, and each assessment
  leaves as one encoded JSON row; suspects also carry their traits for campaign detection, their
  raw line and their context (what campaign re-scoring on the driver needs).

Both read their inputs (stage classes and options, or finished stages, detectors and scorer) from
a broadcast :func:`spycatcher.engine.spark_io.dumps` payload.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa

from spycatcher.engine.core import assess
from spycatcher.engine.gc_pause import gc_paused
from spycatcher.engine.spark_io import chunks, dumps, iter_records, shared
from spycatcher.engine.traits import CAMPAIGN_MIN_SCORE
from spycatcher.io.records import LoadReport
from spycatcher.schema import Event, Profile
from spycatcher.signals.base import ProfileContext

#: rows of the observe pass: state chunks (kind 0) and ties (kind 1) share one schema
OBSERVE_SCHEMA = "kind int, part int, seq int, payload binary, actor string, target string"
#: rows of the assessment pass
ASSESS_SCHEMA = "id string, score double, level string, row binary, suspect binary, pos long"
#: ``pos`` = partition << POS_BITS | row number in the partition: input order, wherever rows go
POS_BITS = 40

_OBSERVE = pa.schema(
    [
        ("kind", pa.int32()),
        ("part", pa.int32()),
        ("seq", pa.int32()),
        ("payload", pa.binary()),
        ("actor", pa.string()),
        ("target", pa.string()),
    ]
)
_ASSESS = pa.schema(
    [
        ("id", pa.string()),
        ("score", pa.float64()),
        ("level", pa.string()),
        ("row", pa.binary()),
        ("suspect", pa.binary()),
        ("pos", pa.int64()),
    ]
)
_TIES_PER_BATCH = 50_000


def _partition_id() -> int:
    from pyspark import TaskContext

    ctx = TaskContext.get()
    return ctx.partitionId() if ctx is not None else 0


def observe_partition(batches: Iterator[pa.RecordBatch], bundle: Any) -> Iterator[pa.RecordBatch]:
    """Partial stages observe this partition; yields their state and, for events, the ties."""
    b = shared(bundle)
    kind: str = b["kind"]
    emit_ties: bool = b["emit_ties"]
    stages = [cls(b["options"]) for cls in b["classes"]]
    report = LoadReport()
    lines: dict[int, int] = {}
    latest: datetime | None = None
    actors: list[str] = []
    targets: list[str] = []
    ties = 0
    part = _partition_id()
    with gc_paused():  # see spycatcher.engine.gc_pause
        if kind == "profiles":
            for rec, _raw in iter_records(batches, Profile, report, lines):
                p: Profile = rec  # type: ignore[assignment]
                if p.created_at and (latest is None or p.created_at > latest):
                    latest = p.created_at
                for st in stages:
                    st.observe_profile(p)
        else:
            from spycatcher.graph.stage import is_tie

            for rec, _raw in iter_records(batches, Event, report, lines):
                e: Event = rec  # type: ignore[assignment]
                if latest is None or e.at > latest:
                    latest = e.at
                for st in stages:
                    st.observe_event(e)
                if emit_ties and is_tie(e):
                    ties += 1
                    actors.append(e.actor)
                    targets.append(e.target)
                    if len(actors) >= _TIES_PER_BATCH:
                        yield _ties(part, actors, targets)
                        actors, targets = [], []
    if actors:
        yield _ties(part, actors, targets)
    state = {
        "lines": list(lines.items()),
        "report": report,
        "latest": latest,
        "stages": stages,
        "ties": ties,
    }
    pieces = chunks(dumps(state))
    n = len(pieces)
    yield pa.RecordBatch.from_pydict(
        {
            "kind": [0] * n,
            "part": [part] * n,
            "seq": list(range(n)),
            "payload": pieces,
            "actor": [None] * n,
            "target": [None] * n,
        },
        schema=_OBSERVE,
    )


def _ties(part: int, actors: list[str], targets: list[str]) -> pa.RecordBatch:
    n = len(actors)
    return pa.RecordBatch.from_pydict(
        {
            "kind": [1] * n,
            "part": [part] * n,
            "seq": [0] * n,
            "payload": [None] * n,
            "actor": actors,
            "target": targets,
        },
        schema=_OBSERVE,
    )


def assess_partition(batches: Iterator[pa.RecordBatch], bundle: Any) -> Iterator[pa.RecordBatch]:
    """Pass 2 over this partition's profiles: annotate, assess, encode; suspects' traits too."""
    from spycatcher.engine.local import suspect_traits

    b = shared(bundle)
    stages, dets, scorer, as_of = b["stages"], b["detectors"], b["scorer"], b["as_of"]
    find = b["find_campaigns"]
    base = _partition_id() << POS_BITS
    lines: dict[int, int] = {}
    out: dict[str, list[Any]] = {k: [] for k in _ASSESS.names}
    emitted = 0
    for rec, raw in iter_records(batches, Profile, None, lines):
        p: Profile = rec  # type: ignore[assignment]
        ctx = ProfileContext(as_of=as_of)
        for st in stages:
            st.annotate(p, ctx)
        a, _signals = assess(p, ctx, dets, scorer)
        row = a.as_dict()
        out["id"].append(p.id)
        out["score"].append(row["score"])
        out["level"].append(a.level)
        out["row"].append(orjson.dumps(row))
        suspect = None
        if find and a.score >= CAMPAIGN_MIN_SCORE:
            # the context too: the driver re-scores campaign members without the stages
            suspect = dumps((suspect_traits(p, ctx, a), raw, ctx))
        out["suspect"].append(suspect)
        out["pos"].append(base + len(out["pos"]) + emitted)
        if len(out["id"]) >= 2_000:
            emitted += len(out["id"])
            yield pa.RecordBatch.from_pydict(out, schema=_ASSESS)
            out = {k: [] for k in _ASSESS.names}
    if out["id"]:
        yield pa.RecordBatch.from_pydict(out, schema=_ASSESS)
