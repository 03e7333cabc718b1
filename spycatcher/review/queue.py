"""The review queue: open cases ordered by what most needs a human now.

Priority = risk x 3 + report weight x 1.5 + intelligence match x 2 + target sensitivity x 1.5 +
age x 1 (see :class:`~spycatcher.review.cases.CasePolicy`). The first four are stored on the case
when it is opened or re-triggered; age is added when the queue is read, so a case nobody picked
rises slowly until it reaches the top (its age counts in full after three days). Report weight
goes through a saturating curve: the fiftieth report adds almost nothing over the fifth.

Claimed cases (a live lease held by someone else) are left out; a lease that ran out puts the case
back.

The analyst console reads the queue through :func:`search`: a :class:`QueueFilter` (status,
risk level, what opened the case, a signal family, a campaign, an organisation the profile
approached, whose claim) and a sort key, one page at a time, with :func:`status_counts` and
:func:`describe` for what each row shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from spycatcher.review.base import ReviewError, aware
from spycatcher.review.cases import CasePolicy, as_dict
from spycatcher.review.scoring import APPROACH_TYPES, latest_assessments, newest_assessment_ids
from spycatcher.scoring.assessment import HIGH, MEDIUM, level_for
from spycatcher.store.models import AssessmentRow, CampaignRow, EventRow, ProfileRow, ScanRun
from spycatcher.store.review import CaseRow

#: most cases ranked per read (the queue is ranked in memory; beyond this the oldest are left out)
MAX_RANKED = 50_000


def queue_priority(policy: CasePolicy, row: CaseRow, now: datetime) -> float:
    opened = aware(row.opened_at) or now
    age = max(0.0, (now - opened).total_seconds() / policy.age_full.total_seconds())
    return float(row.priority) + policy.w_age * min(1.0, age)


def ranked(
    s: Session,
    policy: CasePolicy,
    now: datetime,
    *,
    status: str = "open",
    who: str | None = None,
    include_claimed: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Cases of one status, highest priority first (ties: oldest first)."""
    q = select(CaseRow).where(CaseRow.status == status)
    if not include_claimed:
        conds = [CaseRow.assignee.is_(None), CaseRow.lease_until < now]
        if who is not None:
            conds.append(CaseRow.assignee == who)
        q = q.where(or_(*conds))
    rows = list(s.scalars(q.order_by(CaseRow.opened_at).limit(MAX_RANKED)))
    rows.sort(key=lambda r: (-queue_priority(policy, r, now), aware(r.opened_at) or now, r.id))
    return [as_dict(r, now, policy) for r in rows[offset : offset + limit]]


# -- the console's queue: filters, sorting, pages ------------------------------------------------

#: statuses a queue can list (closed cases too, to look back at decisions)
STATUSES = ("open", "needs_info", "escalated", "closed")
#: what opened a case (``CaseRow.triggers[].kind``)
TRIGGERS = ("score", "reports", "intel")
#: whose cases: "" = what the reader may work (unclaimed, or held by the reader: the API's
#: queue), "mine" = held by the reader, "unclaimed" = nobody's live lease, "all" = also cases
#: other reviewers hold
CLAIMS = ("", "mine", "unclaimed", "all")
#: sort keys and their natural direction (True = highest first)
SORTS = {"priority": True, "score": True, "opened": False, "updated": True, "reports": True}
LEVELS = ("high", "medium", "low")
#: longest organisation or campaign filter accepted
MAX_FILTER_TEXT = 200


@dataclass(frozen=True)
class QueueFilter:
    """Which cases a reviewer's queue view lists, in which order.

    ``level`` reads the score stored on the case (the score that opened or last re-triggered
    it); ``family`` and ``campaign`` read the profile's latest assessment; ``organisation``
    matches the current employers of the members the profile approached, as
    :func:`spycatcher.text.sensitive.org_key` spells them ("BAE Systems plc" matches "bae").
    """

    status: str = "open"
    level: str | None = None
    trigger: str | None = None
    family: str | None = None
    campaign: str | None = None
    organisation: str | None = None
    claim: str = ""
    sort: str = "priority"
    #: None: the sort key's natural direction
    descending: bool | None = None

    def __post_init__(self) -> None:
        from spycatcher.signals.base import FAMILIES

        checks = (
            ("status", self.status, STATUSES),
            ("level", self.level, (None, *LEVELS)),
            ("trigger", self.trigger, (None, *TRIGGERS)),
            ("family", self.family, (None, *FAMILIES)),
            ("claim", self.claim, CLAIMS),
            ("sort", self.sort, tuple(SORTS)),
        )
        for name, value, allowed in checks:
            if value not in allowed:
                shown = ", ".join(a for a in allowed if a) or "(none)"
                raise ReviewError(f"queue filter {name}: must be one of {shown}", 422)
        for name, text in (("campaign", self.campaign), ("organisation", self.organisation)):
            if text is not None and (not text.strip() or len(text) > MAX_FILTER_TEXT):
                raise ReviewError(f"queue filter {name}: 1 to {MAX_FILTER_TEXT} characters", 422)

    @property
    def is_descending(self) -> bool:
        return SORTS[self.sort] if self.descending is None else self.descending


@dataclass
class QueuePage:
    """One page of a filtered queue: its cases, how many matched, and every match's id in
    order (for "next case" and "previous case")."""

    items: list[dict[str, Any]]
    total: int
    ids: list[int]


def _claim_condition(flt: QueueFilter, who: str | None, now: datetime) -> Any:
    free = or_(CaseRow.assignee.is_(None), CaseRow.lease_until < now)
    if flt.claim == "mine":
        return and_(CaseRow.assignee == who, CaseRow.lease_until >= now)
    if flt.claim == "unclaimed":
        return free
    if flt.claim == "":
        return or_(free, CaseRow.assignee == who) if who is not None else free
    return None


def _level_condition(level: str) -> Any:
    if level == "high":
        return CaseRow.score >= HIGH
    if level == "medium":
        return and_(CaseRow.score >= MEDIUM, CaseRow.score < HIGH)
    return CaseRow.score < MEDIUM


def profiles_targeting(s: Session, profile_ids: Sequence[str], organisation: str) -> set[str]:
    """Which of these profiles approached someone whose current employer matches
    ``organisation`` (compared as :func:`~spycatcher.text.sensitive.org_key` spells names)."""
    from spycatcher.text.sensitive import org_key

    needle = org_key(organisation) or organisation.casefold().strip()
    pairs: dict[str, set[str]] = {}
    ids = sorted(set(profile_ids))
    for i in range(0, len(ids), 500):
        for actor, target in s.execute(
            select(EventRow.actor, EventRow.target)
            .where(EventRow.actor.in_(ids[i : i + 500]), EventRow.type.in_(APPROACH_TYPES))
            .distinct()
        ):
            pairs.setdefault(str(target), set()).add(str(actor))
    found: set[str] = set()
    targets = sorted(pairs)
    for i in range(0, len(targets), 500):
        for pid, data in s.execute(
            select(ProfileRow.profile_id, ProfileRow.data).where(
                ProfileRow.profile_id.in_(targets[i : i + 500])
            )
        ):
            jobs = data.get("experience") if isinstance(data, dict) else None
            for job in jobs if isinstance(jobs, list) else []:
                if not isinstance(job, dict) or job.get("end") or not job.get("company"):
                    continue
                if needle in org_key(str(job["company"])):
                    found |= pairs.get(str(pid), set())
                    break
    return found


def _latest_facts(
    s: Session, keys: Sequence[tuple[str, str]], with_signals: bool
) -> dict[tuple[str, str], tuple[str | None, list[Any]]]:
    """(campaign id, signals) of each profile's newest assessment: only those columns, one
    query per 500 profiles (the queue filters need no more)."""
    out: dict[tuple[str, str], tuple[str | None, list[Any]]] = {}
    wanted = set(keys)
    ids = sorted({pid for _, pid in keys})
    for i in range(0, len(ids), 500):
        ranked_q = newest_assessment_ids(ids[i : i + 500])
        cols: list[Any] = [
            AssessmentRow.platform,
            AssessmentRow.profile_id,
            AssessmentRow.campaign_id,
        ]
        if with_signals:
            cols.append(AssessmentRow.signals)
        q = (
            select(*cols)
            .join(ranked_q, ranked_q.c.id == AssessmentRow.id)
            .where(ranked_q.c.rank == 1)
        )
        for row in s.execute(q):
            k = (str(row[0]), str(row[1]))
            if k in wanted:
                out[k] = (row[2], list(row[3] or []) if with_signals else [])
    return out


def search(
    s: Session,
    policy: CasePolicy,
    now: datetime,
    flt: QueueFilter,
    *,
    who: str | None = None,
    limit: int = 25,
    offset: int = 0,
) -> QueuePage:
    """The cases ``flt`` selects, sorted, one page of them (ties: oldest first, then id).

    Status, level and claim are SQL conditions; trigger, signal family, campaign and targeted
    organisation are read for the remaining cases (at most :data:`MAX_RANKED`, the newest kept
    for closed cases, the oldest for open ones as in :func:`ranked`). Only the columns that
    filter and sort are read for every candidate; whole rows only for the page shown.
    """
    cols: list[Any] = [
        CaseRow.id,
        CaseRow.platform,
        CaseRow.profile_id,
        CaseRow.priority,
        CaseRow.score,
        CaseRow.report_weight,
        CaseRow.opened_at,
        CaseRow.updated_at,
    ]
    if flt.trigger:
        cols.append(CaseRow.triggers)
    q = select(*cols).where(CaseRow.status == flt.status)
    if flt.level:
        q = q.where(_level_condition(flt.level))
    if flt.status != "closed":
        cond = _claim_condition(flt, who, now)
        if cond is not None:
            q = q.where(cond)
    order = CaseRow.opened_at.desc() if flt.status == "closed" else CaseRow.opened_at
    rows: list[Any] = list(s.execute(q.order_by(order).limit(MAX_RANKED)))
    if flt.trigger:
        rows = [r for r in rows if any(t.get("kind") == flt.trigger for t in r.triggers or [])]
    if rows and (flt.family or flt.campaign):
        facts = _latest_facts(s, [(r.platform, r.profile_id) for r in rows], bool(flt.family))
        prefix = f"{flt.family}."

        def keep(r: Any) -> bool:
            got = facts.get((r.platform, r.profile_id))
            if got is None:
                return False
            campaign_id, signals = got
            if flt.campaign and campaign_id != flt.campaign:
                return False
            if flt.family:
                return any(
                    isinstance(x, dict) and str(x.get("name", "")).startswith(prefix)
                    for x in signals
                )
            return True

        rows = [r for r in rows if keep(r)]
    if rows and flt.organisation:
        hit = profiles_targeting(s, [r.profile_id for r in rows], flt.organisation)
        rows = [r for r in rows if r.profile_id in hit]
    full = policy.age_full.total_seconds()

    def opened(r: Any) -> datetime:
        return aware(r.opened_at) or now

    key: dict[str, Any] = {
        "priority": lambda r: (
            float(r.priority)
            + policy.w_age * min(1.0, max(0.0, (now - opened(r)).total_seconds() / full))
        ),
        "score": lambda r: r.score,
        "opened": lambda r: opened(r).timestamp(),
        "updated": lambda r: (aware(r.updated_at) or now).timestamp(),
        "reports": lambda r: r.report_weight,
    }
    sign = -1.0 if flt.is_descending else 1.0
    rows.sort(key=lambda r: (sign * float(key[flt.sort](r)), opened(r), r.id))
    page_ids = [r.id for r in rows[offset : offset + limit]]
    loaded = (
        {c.id: c for c in s.scalars(select(CaseRow).where(CaseRow.id.in_(page_ids)))}
        if page_ids
        else {}
    )
    items = [as_dict(loaded[i], now, policy) for i in page_ids if i in loaded]
    return QueuePage(items, len(rows), [r.id for r in rows])


def status_counts(s: Session) -> dict[str, int]:
    """How many cases have each status (every status listed, zero included)."""
    out = dict.fromkeys(STATUSES, 0)
    for status, n in s.execute(select(CaseRow.status, func.count()).group_by(CaseRow.status)):
        out[str(status)] = int(n)
    return out


def describe(s: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add what a queue row shows to each case dict: the profile's name and headline, its
    latest level and strongest signals (name, strength), its signal families and campaign."""
    keys = [(str(c["platform"]), str(c["profile_id"])) for c in items]
    latest = latest_assessments(s, keys) if keys else {}
    names: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    ids = sorted({pid for _, pid in keys})
    for i in range(0, len(ids), 500):
        for platform, pid, name, data in s.execute(
            select(
                ProfileRow.platform, ProfileRow.profile_id, ProfileRow.name, ProfileRow.data
            ).where(ProfileRow.profile_id.in_(ids[i : i + 500]))
        ):
            headline = data.get("headline") if isinstance(data, dict) else None
            names[(platform, pid)] = (name, str(headline) if headline else None)
    out = []
    for c, k in zip(items, keys, strict=True):
        a = latest.get(k)
        signals = sorted(
            (x for x in (a.signals if a is not None else []) or [] if isinstance(x, dict)),
            key=lambda x: -float(x.get("strength", 0) or 0),
        )
        name, headline = names.get(k, (None, None))
        out.append(
            {
                **c,
                "name": name,
                "headline": headline,
                "level": level_for(float(c["score"])),
                "assessed_level": a.level if a is not None else None,
                "top_signals": [
                    {"name": str(x.get("name")), "strength": float(x.get("strength", 0) or 0)}
                    for x in signals[:3]
                ],
                "families": sorted({str(x.get("name", "")).split(".", 1)[0] for x in signals}),
                "campaign": a.campaign_id if a is not None else None,
            }
        )
    return out


def campaign_options(s: Session, limit: int = 100) -> list[dict[str, Any]]:
    """The campaigns of the latest finished full scan, strongest first (for a filter menu)."""
    run = s.scalars(
        select(ScanRun)
        .where(ScanRun.finished_at.is_not(None))
        .order_by(ScanRun.finished_at.desc())
        .limit(1)
    ).first()
    if run is None:
        return []
    rows = s.execute(
        select(CampaignRow.campaign_id, CampaignRow.size, CampaignRow.score)
        .where(CampaignRow.run_id == run.run_id)
        .order_by(CampaignRow.score.desc(), CampaignRow.campaign_id)
        .limit(limit)
    )
    return [{"id": str(c), "size": int(n), "score": round(float(sc), 4)} for c, n, sc in rows]
