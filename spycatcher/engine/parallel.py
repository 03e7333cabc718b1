"""The local engine on several cores: the Spark engine's plan, run by forked worker processes.

One Python process uses one core; a 1M-profile network with 20M events needs all of them. The
work splits the way the Spark engine splits it (see :mod:`spycatcher.engine.spark`), so both rest
on the same, tested contract of :meth:`~spycatcher.engine.stages.PopulationStage.merge`:

1. the profiles file and the events file are cut into byte ranges at line starts (a gzipped file
   cannot be cut and stays whole);
2. each range is read by a worker with fresh *partial* stages; their pickled states come back and
   are folded in file order into the parent's stages (profiles first, then events);
3. ``finish`` runs in the parent; then a second pool is forked, so every worker shares the
   finished stages copy-on-write instead of receiving a copy;
4. workers annotate and assess ranges of the profiles file; rows come back in file order and go
   to the spill file and the store exactly as in a one-process scan; suspects travel as their raw
   line plus traits, and campaign members are re-annotated in the parent.

Results are identical to the one-process scan (same scores, ranking, campaigns and error line
numbers); tests compare the two. Workers are forked (Linux and other POSIX systems): stage
classes registered at run time, and entry-point detectors, are inherited without pickling.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from spycatcher.engine.core import Scorer, assess
from spycatcher.engine.gc_pause import gc_paused
from spycatcher.engine.spark_io import dumps, loads
from spycatcher.engine.stages import DRIVER_ONLY_OPTIONS, PARTIAL, PopulationStage, stage_classes
from spycatcher.engine.traits import CAMPAIGN_MIN_SCORE, SuspectTraits
from spycatcher.io.records import (
    LoadReport,
    StrictModeError,
    iter_validated,
    parse_record,
)
from spycatcher.schema import Event, Profile
from spycatcher.signals.base import Detector, ProfileContext

#: a range smaller than this is not worth a task of its own
MIN_SEGMENT_BYTES = 4 * 1024 * 1024
#: ranges per worker in pass 2, so that rows stream back while later ranges are assessed
SEGMENTS_PER_WORKER = 8
#: largest range observed by one task in pass 1 and the events pass: a task's partial state grows
#: with its range (a few hundred bytes per event) and is pickled whole, so at 20M events two
#: half-file ranges held 1.3-1.9 GiB per worker, doubled while pickling; ranges of this size keep
#: a worker's state small while the parent folds the earlier ones in
OBSERVE_SEGMENT_BYTES = 128 * 1024 * 1024


def is_gzip(path: str | Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def segments(path: str | Path, parts: int, min_bytes: int = MIN_SEGMENT_BYTES) -> list[Segment]:
    """Cut a JSON Lines file into up to ``parts`` byte ranges that start at line starts."""
    size = os.path.getsize(path)
    if is_gzip(path) or parts <= 1 or size <= min_bytes:
        return [Segment(str(path), 0, None)]
    parts = max(1, min(parts, size // max(1, min_bytes)))
    bounds = [0]
    with open(path, "rb") as fh:
        for k in range(1, parts):
            fh.seek(max(bounds[-1], k * size // parts))
            fh.readline()  # to the start of the next line
            pos = fh.tell()
            if pos >= size:
                break
            if pos > bounds[-1]:
                bounds.append(pos)
    ends: list[int | None] = [*bounds[1:], None]
    return [Segment(str(path), b, e) for b, e in zip(bounds, ends, strict=True)]


@dataclasses.dataclass(frozen=True)
class Segment:
    """Lines of ``path`` starting in [start, end) (end None: to the end; gzip: the whole file)."""

    path: str
    start: int
    end: int | None


def _raw_lines(seg: Segment, counted: list[int]) -> Iterator[tuple[int, bytes]]:
    """(line number within the segment, raw line); ``counted[0]`` ends as the segment's lines."""
    if seg.start == 0 and seg.end is None:
        from spycatcher.io.records import open_text

        fh = open_text(seg.path)
    else:
        fh = open(seg.path, "rb")  # noqa: SIM115 - closed below
        fh.seek(seg.start)
    pos = seg.start
    n = 0
    try:
        for raw in fh:
            if seg.end is not None and pos >= seg.end:
                break
            pos += len(raw)
            n += 1
            counted[0] = n
            yield n, raw
    finally:
        fh.close()


def _read(
    seg: Segment, model: type[Any], report: LoadReport | None, counted: list[int]
) -> Iterator[tuple[int, Any, bytes]]:
    """(line within the segment, validated record, its stripped raw line) for each good record;
    errors are numbered within the segment."""
    rep = report if report is not None else LoadReport()
    return iter_validated(_raw_lines(seg, counted), model, seg.path, rep)


# -- pass 1 and events: partial stages per segment ---------------------------------------------
def _observe_task(task: tuple[str, Segment, dict[str, Any]]) -> bytes:
    with gc_paused():
        return _observe(*task)


def _observe(kind: str, seg: Segment, options: dict[str, Any]) -> bytes:
    stages = [cls(options) for cls in stage_classes()]
    report = LoadReport()
    counted = [0]
    latest: datetime | None = None
    if kind == "profiles":
        for _n, p, _raw in _read(seg, Profile, report, counted):
            if p.created_at and (latest is None or p.created_at > latest):
                latest = p.created_at
            for st in stages:
                st.observe_profile(p)
    else:
        for _n, e, _raw in _read(seg, Event, report, counted):
            if latest is None or e.at > latest:
                latest = e.at
            for st in stages:
                st.observe_event(e)
    return dumps({"lines": counted[0], "report": report, "latest": latest, "stages": stages})


def _observe_parts(path: str | Path, workers: int) -> int:
    """Ranges to cut a file into for observing: one per worker, more for a large file."""
    if workers <= 1:
        return 1
    rounds = -(-os.path.getsize(path) // (OBSERVE_SEGMENT_BYTES * workers))
    return workers * max(1, rounds)  # whole rounds: no worker left alone with the last range


@dataclasses.dataclass
class Observed:
    profiles_report: LoadReport
    events_report: LoadReport
    latest: datetime | None


def observe_parallel(
    profiles_path: str | Path,
    events_path: str | Path | None,
    stages: list[PopulationStage],
    options: dict[str, Any],
    workers: int,
    strict: bool = False,
    progress: Any = None,
    min_segment_bytes: int = MIN_SEGMENT_BYTES,
) -> Observed:
    """Pass 1 and the events pass on ``workers`` processes, folded into ``stages`` in order."""
    partial = {k: v for k, v in options.items() if k not in DRIVER_ONLY_OPTIONS}
    partial[PARTIAL] = True
    tasks: list[tuple[str, Segment, dict[str, Any]]] = [
        ("profiles", s, partial)
        for s in segments(profiles_path, _observe_parts(profiles_path, workers), min_segment_bytes)
    ]
    if events_path is not None:
        tasks += [
            ("events", s, partial)
            for s in segments(events_path, _observe_parts(events_path, workers), min_segment_bytes)
        ]
    reports = {"profiles": LoadReport(), "events": LoadReport()}
    offsets = {"profiles": 0, "events": 0}
    latest: datetime | None = None
    with mp.get_context("fork").Pool(workers) as pool, gc_paused():
        for (kind, seg, _opts), payload in zip(tasks, pool.imap(_observe_task, tasks), strict=True):
            state = loads(payload)
            # at 1M profiles an event segment's state is gigabytes: let go of the bytes, and of
            # each partial stage once it is folded in, so the parent never holds them twice
            del payload
            partials: list[Any] = state.pop("stages")
            if len(partials) != len(stages):
                raise RuntimeError(f"{len(partials)} partial stages for {len(stages)} stages")
            for k, mine in enumerate(stages):
                mine.merge(partials[k])
                partials[k] = None
            del partials
            got: LoadReport = state["report"]
            got.errors = [
                dataclasses.replace(e, file=seg.path, line=offsets[kind] + e.line)
                for e in got.errors
            ]
            reports[kind].merge(got)
            offsets[kind] += state["lines"]
            if state["latest"] is not None and (latest is None or state["latest"] > latest):
                latest = state["latest"]
            if progress is not None:
                progress("profiles (pass 1)" if kind == "profiles" else "events", got.accepted)
            if strict and reports[kind].errors:
                raise StrictModeError(reports[kind].errors[0])
    return Observed(reports["profiles"], reports["events"], latest)


# -- pass 2: assessment of profile segments by forked workers ----------------------------------
_SHARED: dict[str, Any] = {}


def _assess_task(seg: Segment) -> list[tuple[str, float, str, bytes, bytes | None]]:
    from spycatcher.engine.local import suspect_traits

    stages, dets, scorer, as_of = (
        _SHARED["stages"],
        _SHARED["detectors"],
        _SHARED["scorer"],
        _SHARED["as_of"],
    )
    find = _SHARED["find_campaigns"]
    out: list[tuple[str, float, str, bytes, bytes | None]] = []
    for _n, p, raw in _read(seg, Profile, None, [0]):
        ctx = ProfileContext(as_of=as_of)
        for st in stages:
            st.annotate(p, ctx)
        a, _signals = assess(p, ctx, dets, scorer)
        row = a.as_dict()
        suspect = None
        if find and a.score >= CAMPAIGN_MIN_SCORE:
            suspect = dumps((suspect_traits(p, ctx, a), raw))
        out.append((p.id, float(row["score"]), a.level, orjson.dumps(row), suspect))
    return out


def assess_parallel(
    profiles_path: str | Path,
    stages: list[PopulationStage],
    detectors: Sequence[Detector],
    scorer: Scorer,
    as_of: datetime,
    workers: int,
    find_campaigns: bool = True,
    min_segment_bytes: int = MIN_SEGMENT_BYTES,
) -> Iterator[list[tuple[str, float, str, bytes, bytes | None]]]:
    """Rows (id, score, level, encoded assessment, pickled suspect or None) in file order.

    The pool is forked here, after ``finish``: workers read the finished stages from the
    parent's memory (copy-on-write) instead of receiving them pickled.
    """
    segs = segments(profiles_path, workers * SEGMENTS_PER_WORKER, min_segment_bytes)
    _SHARED.update(
        stages=stages,
        detectors=list(detectors),
        scorer=scorer,
        as_of=as_of,
        find_campaigns=find_campaigns,
    )
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_assess_task, segs)
    finally:
        _SHARED.clear()


def member_from_raw(
    raw: bytes, stages: list[PopulationStage], as_of: datetime
) -> tuple[Profile, ProfileContext]:
    """A suspect's profile and pass-2 context rebuilt from its raw line (campaign re-scoring)."""
    p, err = parse_record(Profile, orjson.loads(raw), "", 0)
    assert p is not None, err
    ctx = ProfileContext(as_of=as_of)
    for st in stages:
        st.annotate(p, ctx)
    return p, ctx


def unpack_suspect(blob: bytes) -> tuple[bytes, SuspectTraits]:
    """(raw profile line, traits) of a suspect sent by a worker."""
    traits, raw = loads(blob)
    return raw, traits


def default_workers(*paths: str | Path | None) -> int:
    """Workers for ``--workers auto``: every core for inputs worth it, else one process."""
    size = 0
    for p in paths:
        if p is not None and os.path.exists(p):
            size += os.path.getsize(p)
    if size < 16 * MIN_SEGMENT_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, 16))
