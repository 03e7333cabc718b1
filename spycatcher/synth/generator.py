"""`generate`: plan the network, then stream profiles, events and ground truth to disk.

Planning keeps compact per-member arrays, the genuine graph's edges and the planned (campaign
and look-alike) events; bulk activity is generated and written one time window at a time, so
memory grows with the number of members, not with the number of events. Output:

- ``profiles.jsonl`` — data contract v1 profiles in id order, with ``label`` and ``campaign``;
- ``events.jsonl`` — data contract v1 events in time order (messages carry a ``conversation``
  id and reports a ``reason``, as the contract's extra fields);
- ``truth.json`` — campaigns (operator, persona kind, members, targets, target organisations,
  first and last activity, traits), lone personas, hard negatives and sensitive organisations.
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from spycatcher.synth.approaches import Approaches
from spycatcher.synth.bulk import Bulk, windows
from spycatcher.synth.campaigns import plan_campaigns
from spycatcher.synth.clock import DEFAULT_AS_OF, iso, rng_for
from spycatcher.synth.eventlog import Batch, Counter, EventLog
from spycatcher.synth.graph import Edges, adjacency, build_edges
from spycatcher.synth.orgs import build_orgs
from spycatcher.synth.people import Directory
from spycatcher.synth.population import (
    KIND_NAMES,
    Population,
    build_population,
)
from spycatcher.synth.profile_writer import ProfileWorker, can_fork, write_profile_file
from spycatcher.synth.profiles import ProfileBuilder
from spycatcher.synth.truth import build_truth
from spycatcher.synth.writer import EventWriter, Sink

Progress = Callable[[str, int, int], None]

#: mean genuine degree target per unit of events_per_profile (calibrated on 100k members)
DEGREE_PER_EVENT = 0.5


@dataclass(slots=True)
class SynthSummary:
    """What was written: counts, files and the campaigns (for the CLI and for benchmarks)."""

    out_dir: Path
    seed: int
    as_of: str
    n_profiles: int
    n_genuine: int
    n_fake: int
    n_events: int
    event_counts: dict[str, int]
    files: list[Path]
    campaigns: list[dict[str, Any]]
    n_lone_fakes: int
    hard_negatives: dict[str, int]
    n_organisations: int
    n_sensitive_organisations: int
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["out_dir"] = str(self.out_dir)
        d["files"] = [str(f) for f in self.files]
        return d


def _write_events(
    path: Path,
    gzip: bool,
    bulk: Bulk,
    edges: Edges,
    log: EventLog,
    pop: Population,
    report: Progress,
    between_windows: Callable[[], None],
) -> EventWriter:
    """Merge planned and bulk events window by window, in time order, into the events file.

    A conversation may run past its window's end: what falls after it waits in ``pending``
    and is written with the next window.
    """
    planned = log.batch()
    log.clear()
    as_of = pop.as_of
    earliest = int(
        min(edges.t[0] if len(edges) else as_of, planned.t[0] if len(planned) else as_of)
    )
    wins = windows(as_of, earliest)
    pending = Batch.empty()
    with Sink(path, gzip) as sink:
        writer = EventWriter(sink, pop.all_ids())
        for k, (a, b, active) in enumerate(wins):
            lo, hi = np.searchsorted(planned.t, [a, b])
            cur = Batch.concat(
                [pending, planned.take(np.arange(lo, hi)), bulk.window(k, a, b, active)]
            ).sorted()
            if k == len(wins) - 1:
                emit, pending = cur, Batch.empty()
            else:
                emit, pending = cur.split(b)
            writer.write(emit)
            report("events", k + 1, len(wins))
            between_windows()
    writer.ids = np.zeros(0, dtype=object)  # release the id table
    return writer


def _n_orgs(n: int) -> int:
    return int(min(4000, max(150, n // 200)))


def generate(
    out_dir: Path,
    n_profiles: int,
    seed: int,
    events_per_profile: float = 20.0,
    progress: Progress | None = None,
    gzip: bool = False,
    *,
    as_of: datetime | None = None,
    workers: int = 2,
) -> SynthSummary:
    """Write a seeded synthetic network to ``out_dir``; the same arguments give the same bytes.

    ``events_per_profile`` scales ordinary activity (the total is close to it on average);
    ``progress(stage, done, total)`` is called as stages advance ("plan", "profiles", "events").
    With ``workers`` > 1 (and where processes can fork) profiles are written by a child process
    while this one writes events; the bytes are the same either way.
    """
    if n_profiles < 50:
        raise ValueError("n_profiles must be at least 50 (campaigns need targets)")
    if events_per_profile <= 0:
        raise ValueError("events_per_profile must be positive")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda stage, done, total: None)
    as_of_ts = int((as_of or DEFAULT_AS_OF).timestamp())
    steps = 5

    report("plan", 0, steps)
    orgs = build_orgs(rng_for(seed, "orgs"), _n_orgs(n_profiles))
    pop = build_population(seed, n_profiles, orgs, as_of_ts, DEGREE_PER_EVENT * events_per_profile)
    people = Directory(pop, orgs)
    campaigns, personas = plan_campaigns(seed, pop, orgs, people)
    people.freeze()
    report("plan", 1, steps)
    edges = build_edges(seed, pop)
    adj = adjacency(pop.n, edges)
    report("plan", 2, steps)
    log = EventLog()
    conv = Counter()
    approaches = Approaches(seed, pop, people, adj, log, conv)
    for camp in campaigns:
        approaches.campaign(camp, personas)
    report("plan", 3, steps)
    approaches.hard_negatives()
    degree = (
        np.bincount(edges.a, minlength=pop.n)
        + np.bincount(edges.b, minlength=pop.n)
        + log.connection_degree(pop.n)
    )
    report("plan", steps, steps)

    suffix = ".jsonl.gz" if gzip else ".jsonl"
    profiles_path = out_dir / f"profiles{suffix}"
    events_path = out_dir / f"events{suffix}"
    truth_path = out_dir / "truth.json"

    builder = ProfileBuilder(seed, pop, people, degree, campaigns, personas)
    worker: ProfileWorker | None = None
    if workers > 1 and can_fork():
        worker = ProfileWorker(builder, profiles_path, gzip)
    else:
        write_profile_file(builder, profiles_path, gzip, lambda d: report("profiles", d, pop.n))

    bulk = Bulk(seed, pop, people, edges, adj, conv, events_per_profile)

    def between_windows() -> None:
        if worker is not None:
            worker.poll(lambda d: report("profiles", d, pop.n))

    try:
        writer = _write_events(events_path, gzip, bulk, edges, log, pop, report, between_windows)
    except BaseException:
        if worker is not None:
            worker.abort()
        raise
    if worker is not None:
        worker.finish(lambda d: report("profiles", d, pop.n))

    truth = build_truth(seed, pop, orgs, campaigns, as_of_ts)
    truth_path.write_bytes(orjson.dumps(truth, option=orjson.OPT_INDENT_2))

    kinds = Tally(KIND_NAMES[k] for k in pop.kind.tolist())
    return SynthSummary(
        out_dir=out_dir,
        seed=seed,
        as_of=iso(as_of_ts),
        n_profiles=pop.n,
        n_genuine=pop.n_genuine,
        n_fake=pop.n - pop.n_genuine,
        n_events=writer.seq,
        event_counts=dict(sorted(writer.counts.items())),
        files=[profiles_path, events_path, truth_path],
        campaigns=[
            {
                "id": c["id"],
                "operator": c["operator"],
                "persona_kind": c["persona_kind"],
                "style": c["style"],
                "size": len(c["members"]),
                "targets": len(c["targets"]),
            }
            for c in truth["campaigns"]
        ],  # fmt: skip
        n_lone_fakes=len(truth["lone_fakes"]),
        hard_negatives={k: kinds.get(k, 0) for k in ("recruiter", "researcher", "new_member")},
        n_organisations=len(orgs),
        n_sensitive_organisations=len(truth["sensitive_organisations"]),
        seconds=round(time.perf_counter() - started, 2),
    )
