"""The local engine: a streaming, in-process scan.

Memory is bounded by a chunk of profiles for the per-profile stage, not by the size of the files:

1. pass 1 over profiles: validate, let every population stage observe each profile;
2. one pass over events: stages observe each event;
3. stages finish (population statistics, indexes, graph iterations);
4. pass 2 over profiles, chunk by chunk: stages annotate the context, detectors run, the scorer
   scores; assessments go to a spill file and the store, and suspects' traits are kept;
5. campaigns are found among suspects, and their members re-scored with the campaign's signals;
6. results are read back from the spill file in ranked order (score, then id).

Both passes over the profiles read the same file, so it must be a file, not a pipe.

With ``ScanOptions.workers`` above one, steps 1-2 and 4 run on forked worker processes over byte
ranges of the files (:mod:`spycatcher.engine.parallel`); the result is identical.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson

from spycatcher.engine.core import Scorer, assess
from spycatcher.engine.gc_pause import gc_paused
from spycatcher.engine.stages import PopulationStage, build_stages
from spycatcher.engine.traits import CAMPAIGN_MIN_SCORE, SuspectTraits
from spycatcher.io.records import LoadReport, read_events, read_profiles
from spycatcher.schema import Profile
from spycatcher.scoring.assessment import Assessment
from spycatcher.signals.base import Detector, ProfileContext, Signal
from spycatcher.signals.registry import detectors as registered_detectors

Progress = Callable[[str, int], None]
#: most suspects kept in memory for campaign detection (the highest-scored win)
MAX_SUSPECTS = 200_000


@dataclass
class ScanOptions:
    chunk_size: int = 5_000
    #: the date "now" is for account ages; default: the latest date seen in the data
    as_of: datetime | None = None
    strict: bool = False
    scorer: Scorer | None = None
    detectors: Sequence[Detector] | None = None
    stages: Sequence[PopulationStage] | None = None
    stage_options: dict[str, Any] = field(default_factory=dict)
    store: Any = None  # spycatcher.store.Store, optional
    source: str | None = None
    progress: Progress | None = None
    find_campaigns: bool = True
    #: processes (1: this one); more run the plan of spycatcher.engine.parallel, same results
    workers: int = 1
    #: smallest byte range a worker gets (tests lower it to split small files)
    min_segment_bytes: int = 4 * 1024 * 1024


def _noop(_stage: str, _n: int) -> None:
    return None


def suspect_traits(profile: Profile, ctx: ProfileContext, a: Assessment) -> SuspectTraits:
    """The compact facts campaign detection needs, taken from the profile and its context."""
    contacts: list[str] = []
    if profile.contact:
        if profile.contact.email:
            contacts.append(profile.contact.email.strip().lower())
        if profile.contact.phone:
            digits = "".join(ch for ch in profile.contact.phone if ch.isdigit())
            if len(digits) >= 6:
                contacts.append("tel:" + digits)
        for w in profile.contact.websites:
            host = w.lower().split("//", 1)[-1].split("/", 1)[0].removeprefix("www.")
            if host:
                contacts.append("web:" + host)
    b = ctx.behaviour
    pdq = profile.photo.pdq.lower() if profile.photo and profile.photo.pdq else None
    if pdq is None:
        pdq = ctx.photo_analysis.get("pdq")
    return SuspectTraits(
        profile_id=profile.id,
        score=a.score,
        name=profile.name,
        created_at=profile.created_at,
        employers=sorted({e.company.strip().lower() for e in profile.experience if e.company}),
        photo_pdq=pdq,
        contacts=contacts,
        template_matches={k: list(v) for k, v in ctx.template_matches.items()},
        targets=list(b.get("targets", []))[:50],
        target_orgs=list(b.get("target_orgs", []))[:20],
        first_activity=b.get("first_at"),
        last_activity=b.get("last_at"),
        # current employers with population counts: how campaigns tell a shell from a real firm
        extra=(
            {"employer_staff": dict(ctx.extra["employer_staff"])}
            if "employer_staff" in ctx.extra
            else {}
        ),
    )


class _Spill:
    """Assessments written once to a temporary JSONL file and read back in ranked order."""

    def __init__(self) -> None:
        fd, name = tempfile.mkstemp(prefix="spycatcher-scan-", suffix=".jsonl")
        self.path = Path(name)
        self.fh: IO[bytes] = os.fdopen(fd, "w+b")
        # compact columns: at 1M profiles, Python lists of ints and floats cost ~60 MB more
        self.offsets = array("q")
        self.scores = array("d")
        self.ids: list[str] = []
        self.pos: dict[str, int] = {}

    def write(self, row: dict[str, Any]) -> None:
        self.write_encoded(row["id"], row["score"], orjson.dumps(row))

    def write_encoded(self, pid: str, score: float, data: bytes) -> None:
        """Write a row already encoded as one JSON line (the Spark engine's workers encode)."""
        self.fh.seek(0, os.SEEK_END)
        off = self.fh.tell()
        self.fh.write(data + b"\n")
        if pid in self.pos:  # a re-scored profile replaces its earlier row
            i = self.pos[pid]
            self.offsets[i] = off
            self.scores[i] = score
            return
        self.pos[pid] = len(self.ids)
        self.ids.append(pid)
        self.offsets.append(off)
        self.scores.append(score)

    def ranked_order(self) -> np.ndarray:
        # score descending, then id ascending: a total order both engines reproduce
        ids = np.array(self.ids, dtype=str)
        return np.lexsort((ids, -np.asarray(self.scores, dtype=np.float64)))

    def iter_ranked(self) -> Iterator[dict[str, Any]]:
        for line in self.iter_ranked_lines():
            yield orjson.loads(line)

    def iter_ranked_lines(self) -> Iterator[bytes]:
        """The rows in ranked order as the JSON lines written (newline stripped)."""
        self.fh.flush()
        with open(self.path, "rb") as fh:
            for i in self.ranked_order():
                fh.seek(self.offsets[int(i)])
                yield fh.readline().rstrip(b"\n")

    def close(self) -> None:
        self.fh.close()
        self.path.unlink(missing_ok=True)


@dataclass
class ScanResult:
    """What a scan produced: counts, campaigns, and the assessments in ranked order."""

    profiles_report: LoadReport
    events_report: LoadReport
    as_of: datetime
    campaigns: list[dict[str, Any]]
    levels: Counter[str]
    run_id: str | None
    scorer: str
    _spill: _Spill

    @property
    def scored(self) -> int:
        return len(self._spill.ids)

    def iter_ranked(self) -> Iterator[dict[str, Any]]:
        return self._spill.iter_ranked()

    def top(self, n: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for row in self.iter_ranked():
            if len(out) >= n:
                break
            out.append(row)
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "profiles": self.profiles_report.summary(),
            "events": self.events_report.summary(),
            "scored": self.scored,
            "levels": {k: self.levels.get(k, 0) for k in ("high", "medium", "low")},
            "campaigns": len(self.campaigns),
            "as_of": self.as_of.isoformat(),
            "scorer": self.scorer,
            "run_id": self.run_id,
        }

    def write_json(self, path: str | Path) -> None:
        """Write the results contract of DESIGN.md, streaming profiles in ranked order."""
        with open(path, "wb") as fh:
            fh.write(b'{"profiles": [')
            # rows are copied as the spill holds them (orjson's own output, which a decode and
            # re-encode would reproduce byte for byte) instead of decoded and encoded again
            for i, line in enumerate(self._spill.iter_ranked_lines()):
                fh.write((b",\n" if i else b"\n") + line)
            fh.write(b'\n], "campaigns": ')
            fh.write(orjson.dumps(self.campaigns))
            fh.write(b', "summary": ')
            fh.write(orjson.dumps(self.summary()))
            fh.write(b"}\n")

    def close(self) -> None:
        self._spill.close()

    def __enter__(self) -> ScanResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chunks(it: Iterator[Profile], size: int) -> Iterator[list[Profile]]:
    chunk: list[Profile] = []
    for p in it:
        chunk.append(p)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class Population:
    """Population stages after they have observed every record, ready to annotate profiles."""

    profiles_path: Path
    stages: list[PopulationStage]
    as_of: datetime
    profiles_report: LoadReport
    events_report: LoadReport


def observe(
    profiles_path: str | Path,
    events_path: str | Path | None = None,
    options: ScanOptions | None = None,
) -> Population:
    """Pass 1 over profiles, one pass over events, then every stage's ``finish``."""
    opts = options or ScanOptions()
    progress = opts.progress or _noop
    profiles_path = Path(profiles_path)
    stage_options: dict[str, Any] = {"profiles_dir": str(profiles_path.parent.resolve())}
    if opts.store is not None:
        # stages that read the store (photo hash bank, intelligence) get the scan's own store
        stage_options["store"] = opts.store
    stage_options.update(opts.stage_options)
    stages = list(opts.stages) if opts.stages is not None else build_stages(stage_options)
    if opts.workers > 1:
        return _observe_parallel(profiles_path, events_path, opts, stages, stage_options)

    with gc_paused():  # see spycatcher.engine.gc_pause
        p_report = LoadReport()
        latest = datetime(1970, 1, 1, tzinfo=UTC)
        for n, p in enumerate(read_profiles(profiles_path, p_report, strict=opts.strict), 1):
            if p.created_at and p.created_at > latest:
                latest = p.created_at
            for st in stages:
                st.observe_profile(p)
            if n % 10_000 == 0:
                progress("profiles (pass 1)", 10_000)
        progress("profiles (pass 1)", p_report.accepted % 10_000)

        e_report = LoadReport()
        if events_path is not None:
            for n, e in enumerate(read_events(events_path, e_report, strict=opts.strict), 1):
                if e.at > latest:
                    latest = e.at
                for st in stages:
                    st.observe_event(e)
                if n % 100_000 == 0:
                    progress("events", 100_000)
            progress("events", e_report.accepted % 100_000)

    as_of = opts.as_of or (latest if latest.year > 1970 else datetime.now(UTC))
    _finish(stages, as_of, progress)
    return Population(profiles_path, stages, as_of, p_report, e_report)


def _finish(stages: list[PopulationStage], as_of: datetime, progress: Any) -> None:
    """Every stage's ``finish``, in order, with the collector paused (their results are large
    and acyclic: see :mod:`spycatcher.engine.gc_pause`)."""
    with gc_paused():
        for st in stages:
            st.finish(as_of)
            progress(f"stage {st.name}", 0)


def _observe_parallel(
    profiles_path: Path,
    events_path: str | Path | None,
    opts: ScanOptions,
    stages: list[PopulationStage],
    stage_options: dict[str, Any],
) -> Population:
    from spycatcher.engine.parallel import observe_parallel

    progress = opts.progress or _noop
    got = observe_parallel(
        profiles_path,
        events_path,
        stages,
        stage_options,
        opts.workers,
        strict=opts.strict,
        progress=progress,
        min_segment_bytes=opts.min_segment_bytes,
    )
    as_of = opts.as_of or got.latest or datetime.now(UTC)
    _finish(stages, as_of, progress)
    return Population(profiles_path, stages, as_of, got.profiles_report, got.events_report)


def iter_assessed(
    population: Population,
    detectors: Sequence[Detector],
    scorer: Scorer,
    chunk_size: int = 5_000,
) -> Iterator[list[tuple[Profile, ProfileContext, list[Signal], Assessment]]]:
    """Pass 2: chunks of (profile, context, signals, assessment), one chunk in memory at a time.

    Training and evaluation use this too, so a model learns from exactly what a scan computes.
    """
    quiet = LoadReport()  # pass 2 re-reads the file: its errors were reported in pass 1
    for chunk in _chunks(read_profiles(population.profiles_path, quiet), chunk_size):
        out: list[tuple[Profile, ProfileContext, list[Signal], Assessment]] = []
        for p in chunk:
            ctx = ProfileContext(as_of=population.as_of)
            for st in population.stages:
                st.annotate(p, ctx)
            a, signals = assess(p, ctx, detectors, scorer)
            out.append((p, ctx, signals, a))
        yield out


def default_scorer(scorer: Scorer | None) -> Scorer:
    if scorer is not None:
        return scorer
    from spycatcher.scoring.zero_shot import ZeroShotScorer

    return ZeroShotScorer()


def scan(
    profiles_path: str | Path,
    events_path: str | Path | None = None,
    options: ScanOptions | None = None,
) -> ScanResult:
    """Scan a profiles file (and optionally an events file) and return ranked assessments."""
    opts = options or ScanOptions()
    progress = opts.progress or _noop
    population = observe(profiles_path, events_path, opts)
    dets = list(opts.detectors) if opts.detectors is not None else registered_detectors()
    scorer = default_scorer(opts.scorer)

    store = opts.store
    source = opts.source or str(profiles_path)
    run_id = store.start_run("local", source, scorer.name) if store else None

    spill = _Spill()
    levels: Counter[str] = Counter()
    if opts.workers > 1:
        campaigns = _assess_parallel(population, dets, scorer, opts, spill, levels, run_id)
        return _result(population, campaigns, levels, run_id, scorer, spill, store)
    suspects: dict[str, tuple[Profile, ProfileContext, list[Signal], SuspectTraits]] = {}
    for chunk in iter_assessed(population, dets, scorer, opts.chunk_size):
        rows = []
        for p, ctx, signals, a in chunk:
            row = a.as_dict()
            rows.append(row)
            spill.write(row)
            levels[a.level] += 1
            if opts.find_campaigns and a.score >= CAMPAIGN_MIN_SCORE:
                suspects[p.id] = (p, ctx, signals, suspect_traits(p, ctx, a))
                if len(suspects) > MAX_SUSPECTS:
                    weakest = min(suspects, key=lambda k: suspects[k][3].score)
                    del suspects[weakest]
        if store is not None:
            store.save_assessments(run_id, rows)
        progress("scoring", len(chunk))

    campaigns = _campaigns(suspects, population.as_of, dets, scorer, spill, levels, store, run_id)
    return _result(population, campaigns, levels, run_id, scorer, spill, store)


def _result(
    population: Population,
    campaigns: list[dict[str, Any]],
    levels: Counter[str],
    run_id: str | None,
    scorer: Scorer,
    spill: _Spill,
    store: Any,
) -> ScanResult:
    result = ScanResult(
        population.profiles_report,
        population.events_report,
        population.as_of,
        campaigns,
        levels,
        run_id,
        scorer.name,
        spill,
    )
    if store is not None:
        store.save_campaigns(run_id, campaigns)
        store.finish_run(run_id, result.summary())
    return result


def _assess_parallel(
    population: Population,
    dets: Sequence[Detector],
    scorer: Scorer,
    opts: ScanOptions,
    spill: _Spill,
    levels: Counter[str],
    run_id: str | None,
) -> list[dict[str, Any]]:
    """Pass 2 on worker processes; rows arrive in file order and are kept as in one process."""
    from spycatcher.engine.parallel import assess_parallel, member_from_raw, unpack_suspect

    progress = opts.progress or _noop
    store = opts.store
    suspects: dict[str, tuple[bytes, SuspectTraits]] = {}
    pending: list[dict[str, Any]] = []
    for rows in assess_parallel(
        population.profiles_path,
        population.stages,
        dets,
        scorer,
        population.as_of,
        opts.workers,
        opts.find_campaigns,
        opts.min_segment_bytes,
    ):
        for pid, score, level, data, suspect in rows:
            spill.write_encoded(pid, score, data)
            levels[level] += 1
            if suspect is not None:
                suspects[pid] = unpack_suspect(suspect)
                if len(suspects) > MAX_SUSPECTS:
                    weakest = min(suspects, key=lambda k: suspects[k][1].score)
                    del suspects[weakest]
            if store is not None:
                pending.append(orjson.loads(data))
                if len(pending) >= opts.chunk_size:
                    store.save_assessments(run_id, pending)
                    pending = []
        progress("scoring", len(rows))
    if store is not None and pending:
        store.save_assessments(run_id, pending)
    if not suspects:
        return []
    return rescore_campaigns(
        [suspects[k][1] for k in sorted(suspects)],
        lambda pid: member_from_raw(suspects[pid][0], population.stages, population.as_of),
        population.as_of,
        dets,
        scorer,
        spill,
        levels,
        store,
        run_id,
    )


def _campaigns(
    suspects: dict[str, tuple[Profile, ProfileContext, list[Signal], SuspectTraits]],
    as_of: datetime,
    dets: Sequence[Detector],
    scorer: Scorer,
    spill: _Spill,
    levels: Counter[str],
    store: Any,
    run_id: str | None,
) -> list[dict[str, Any]]:
    """Find campaigns among suspects and re-score their members with the campaign's evidence."""
    if not suspects:
        return []
    traits = [suspects[k][3] for k in sorted(suspects)]
    return rescore_campaigns(
        traits, lambda pid: suspects[pid][:2], as_of, dets, scorer, spill, levels, store, run_id
    )


def rescore_campaigns(
    traits: list[SuspectTraits],
    member: Callable[[str], tuple[Profile, ProfileContext]],
    as_of: datetime,
    dets: Sequence[Detector],
    scorer: Scorer,
    spill: _Spill,
    levels: Counter[str],
    store: Any,
    run_id: str | None,
) -> list[dict[str, Any]]:
    """Both engines: campaigns among the suspects' traits (sorted by id), members re-scored.

    ``member(id)`` gives a suspect's profile and its pass-2 context (the local engine keeps them
    or rebuilds them with its stages; the Spark engine's workers send them with the suspects).
    """
    try:
        from spycatcher.graph.campaigns import find_campaigns
    except ModuleNotFoundError:
        return []
    found = find_campaigns(traits, as_of)
    out: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    for camp in found:
        for member_id in camp.members:
            p, ctx = member(member_id)
            ctx.extra["campaign"] = camp
            old = spill.scores[spill.pos[member_id]]
            a, _ = assess(p, ctx, dets, scorer)
            row = a.as_dict()
            row["campaign_id"] = camp.id
            levels[a.level] += 1
            levels[_level_of(old)] -= 1
            spill.write(row)
            updated.append(row)
        out.append(camp.as_dict())
    if store is not None and updated:
        store.replace_assessments(run_id, updated)
    return out


def _level_of(score: float) -> str:
    from spycatcher.scoring.assessment import level_for

    return level_for(score)
