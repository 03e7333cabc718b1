"""Re-scoring what changed, from the store: the service's incremental path.

After an ingest or a report the service re-scores only the profiles that changed, with the same
detectors and scorer as a scan (:func:`spycatcher.engine.core.assess`). What it can rebuild for one
profile from the store it rebuilds: the profile itself, the messages and invitations it sent
(``sent_texts``), and the weighted member reports. What needs the whole population (graph trust,
shared templates, photo matches across profiles, behaviour statistics, campaigns, intelligence
matches) it cannot recompute profile by profile, so those signals are carried forward from the
profile's latest assessment (normally the last full scan) and the scorer combines old and new.

The trade-off: an incremental score is fresh for what the profile says and did, and as old as the
last ``spycatcher scan`` for population facts. Run a full scan (the batch path) on a schedule; the
service keeps the gap small between scans.

Service re-scores are stored as scan runs with ``engine="service"`` that are never "finished", one
per profile (re-stamped at each re-score), so ``Store.latest_run()`` still means the last full scan
while ``Store.latest_assessment()`` returns the newest score of a profile, and a profile re-scored
often keeps a single service row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from spycatcher.engine.core import Scorer, run_detectors
from spycatcher.review import reports as reports_mod
from spycatcher.review.base import aware, insert_for, table, transaction, utcnow
from spycatcher.schema import Profile
from spycatcher.scoring.assessment import Assessment
from spycatcher.signals.base import Detector, ProfileContext, Signal
from spycatcher.store import Store
from spycatcher.store.models import AssessmentRow, EventRow, ScanRun
from spycatcher.store.review import ProfileStatusRow, ReportRow

#: signal families that only a full scan over the population can compute
POPULATION_FAMILIES = frozenset({"behaviour", "text", "photo", "graph", "campaign", "intel"})
#: texts a profile sent that re-scoring reads (newest)
MAX_SENT_TEXTS = 20
APPROACH_TYPES = ("invitation", "message")


@dataclass
class Scored:
    profile: Profile
    ctx: ProfileContext
    assessment: Assessment
    #: the campaign id carried forward from the last scan, if any
    campaign_id: str | None = None


def sent_texts(s: Session, profile_id: str, limit: int = MAX_SENT_TEXTS) -> list[str]:
    rows = s.execute(
        select(EventRow.data)
        .where(EventRow.actor == profile_id, EventRow.type.in_(APPROACH_TYPES))
        .order_by(EventRow.at.desc())
        .limit(limit)
    ).scalars()
    texts = [str(d.get("text")) for d in rows if isinstance(d, dict) and d.get("text")]
    return list(reversed(texts))


def sent_texts_many(
    s: Session, profile_ids: Sequence[str], limit: int = MAX_SENT_TEXTS
) -> dict[str, list[str]]:
    """The newest texts each profile sent (oldest first), one windowed query per 500 profiles."""
    out: dict[str, list[str]] = {}
    ids = sorted(set(profile_ids))
    for i in range(0, len(ids), 500):
        ranked = (
            select(
                EventRow.actor.label("actor"),
                EventRow.data.label("data"),
                EventRow.at.label("at"),
                func.row_number()
                .over(partition_by=EventRow.actor, order_by=EventRow.at.desc())
                .label("rank"),
            )
            .where(EventRow.actor.in_(ids[i : i + 500]), EventRow.type.in_(APPROACH_TYPES))
            .subquery()
        )
        rows = s.execute(
            select(ranked.c.actor, ranked.c.data)
            .where(ranked.c.rank <= limit)
            .order_by(ranked.c.actor, ranked.c.at)
        )
        for actor, data in rows:
            if isinstance(data, dict) and data.get("text"):
                out.setdefault(str(actor), []).append(str(data["text"]))
    return out


def decided_at(s: Session, platform: str, profile_id: str) -> datetime | None:
    row = s.get(ProfileStatusRow, (platform, profile_id))
    return aware(row.decided_at) if row is not None else None


def newest_assessment_ids(profile_ids: Sequence[str]) -> Any:
    """Subquery (id, rank): rank 1 is each profile's newest assessment (latest scan run first).

    The one definition of "newest" for the review side: the queue's filters read a few columns
    of these rows, case pages and re-scoring read them whole."""
    return (
        select(
            AssessmentRow.id.label("id"),
            func.row_number()
            .over(
                partition_by=(AssessmentRow.platform, AssessmentRow.profile_id),
                order_by=(ScanRun.started_at.desc(), AssessmentRow.id.desc()),
            )
            .label("rank"),
        )
        .join(ScanRun, ScanRun.run_id == AssessmentRow.run_id)
        .where(AssessmentRow.profile_id.in_(profile_ids))
        .subquery()
    )


def latest_assessments(
    s: Session, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], AssessmentRow]:
    """The newest stored assessment of each (platform, profile id), one query per 500 ids."""
    out: dict[tuple[str, str], AssessmentRow] = {}
    ids = sorted({pid for _, pid in keys})
    wanted = set(keys)
    for i in range(0, len(ids), 500):
        ranked = newest_assessment_ids(ids[i : i + 500])
        q = (
            select(AssessmentRow)
            .join(ranked, ranked.c.id == AssessmentRow.id)
            .where(ranked.c.rank == 1)
        )
        for row in s.scalars(q):
            k = (row.platform, row.profile_id)
            if k in wanted:
                out[k] = row
    return out


def carried_signals(previous: AssessmentRow | None, fresh: list[Signal]) -> list[Signal]:
    """Population signals of the previous assessment that the fresh pass could not compute."""
    if previous is None:
        return []
    have = {s.name for s in fresh}
    out = []
    for d in previous.signals or []:
        name = str(d.get("name", ""))
        if name in have or name.split(".", 1)[0] not in POPULATION_FAMILIES:
            continue
        out.append(
            Signal(
                name=name,
                strength=float(d.get("strength", 0.0)),
                evidence=str(d.get("evidence", "")),
                advice=str(d.get("advice", "")),
                data=dict(d.get("data") or {}),
            )
        )
    return out


class Rescorer:
    """Scores profiles from the store's view of them; stores the results as a service run."""

    def __init__(
        self,
        store: Store,
        report_policy: reports_mod.ReportPolicy,
        scorer: Scorer | None = None,
        detectors: Sequence[Detector] | None = None,
    ):
        self.store = store
        self.report_policy = report_policy
        self._scorer = scorer
        self._detectors = list(detectors) if detectors is not None else None

    @property
    def scorer(self) -> Scorer:
        if self._scorer is None:
            from spycatcher.scoring.zero_shot import ZeroShotScorer

            self._scorer = ZeroShotScorer()
        return self._scorer

    @property
    def detectors(self) -> list[Detector]:
        if self._detectors is None:
            from spycatcher.signals.registry import detectors

            self._detectors = detectors()
        return self._detectors

    def context(self, s: Session, profile: Profile, now: datetime) -> ProfileContext:
        """One profile's context from the store (``score`` builds many at once)."""
        ctx = ProfileContext(as_of=now)
        ctx.sent_texts.extend(sent_texts(s, profile.id))
        since = decided_at(s, profile.platform, profile.id)
        ctx.reports.update(
            reports_mod.context(s, self.report_policy, profile.platform, profile.id, since)
        )
        return ctx

    def _contexts(
        self, s: Session, profiles: Sequence[Profile], now: datetime
    ) -> list[ProfileContext]:
        """Contexts for a batch with a handful of queries, whatever the batch size."""
        texts = sent_texts_many(s, [p.id for p in profiles])
        ids = sorted({p.id for p in profiles})
        decided: dict[tuple[str, str], datetime | None] = {}
        reported: set[tuple[str, str]] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for row in s.scalars(
                select(ProfileStatusRow).where(ProfileStatusRow.profile_id.in_(chunk))
            ):
                decided[(row.platform, row.profile_id)] = aware(row.decided_at)
            reported.update(
                (str(a), str(b))
                for a, b in s.execute(
                    select(ReportRow.platform, ReportRow.profile_id)
                    .where(ReportRow.profile_id.in_(chunk))
                    .distinct()
                )
            )
        out = []
        for p in profiles:
            ctx = ProfileContext(as_of=now)
            ctx.sent_texts.extend(texts.get(p.id, []))
            key = (p.platform, p.id)
            if key in reported:
                ctx.reports.update(
                    reports_mod.context(s, self.report_policy, p.platform, p.id, decided.get(key))
                )
            out.append(ctx)
        return out

    def score(self, profiles: Sequence[Profile], now: datetime) -> list[Scored]:
        out: list[Scored] = []
        with self.store.session() as s:
            prev = latest_assessments(s, [(p.platform, p.id) for p in profiles])
            contexts = self._contexts(s, profiles, now)
            for p, ctx in zip(profiles, contexts, strict=True):
                fresh = run_detectors(p, ctx, self.detectors)
                before = prev.get((p.platform, p.id))
                signals = fresh + carried_signals(before, fresh)
                a = self.scorer.score(p, signals, ctx)
                out.append(Scored(p, ctx, a, before.campaign_id if before is not None else None))
        return out

    def save(self, scored: Sequence[Scored], source: str) -> int:
        """Store each profile's new assessment in its own service run (see the module docstring).

        One run per profile, re-stamped on every re-score, keeps one service assessment per
        profile however often it is re-scored (a profile reported a thousand times does not
        collect a thousand rows).
        """
        if not scored:
            return 0
        now = max((sc.ctx.as_of for sc in scored if sc.ctx.as_of), default=None) or utcnow()
        runs: dict[str, dict[str, Any]] = {}
        rows: list[dict[str, Any]] = []
        for sc in scored:
            a = sc.assessment
            run_id = service_run_id(a.platform, a.profile_id)
            runs[run_id] = {
                "run_id": run_id,
                "started_at": now,
                "finished_at": None,
                "engine": "service",
                "source": source,
                "scorer": self.scorer.name,
                "summary": {},
            }
            row = a.as_dict()
            rows.append(
                {
                    "run_id": run_id,
                    "platform": a.platform,
                    "profile_id": a.profile_id,
                    "score": float(row["score"]),
                    "level": row["level"],
                    "signals": row["signals"],
                    "contributions": row["contributions"],
                    "campaign_id": sc.campaign_id,
                }
            )
        ids = sorted(runs)
        with transaction(self.store) as s:
            stmt = insert_for(s, table(ScanRun))
            stmt = stmt.on_conflict_do_update(
                index_elements=["run_id"],
                set_={
                    "started_at": stmt.excluded.started_at,
                    "source": stmt.excluded.source,
                    "scorer": stmt.excluded.scorer,
                },
            )
            s.execute(stmt, list(runs.values()))
            for i in range(0, len(ids), 500):
                s.execute(delete(AssessmentRow).where(AssessmentRow.run_id.in_(ids[i : i + 500])))
            s.execute(insert(AssessmentRow), rows)
        return len(rows)


def service_run_id(platform: str, profile_id: str) -> str:
    """The id of a profile's own service run (stable, 48 characters)."""
    digest = hashlib.sha1(f"{platform}\x1f{profile_id}".encode()).hexdigest()
    return f"service-{digest}"
