"""The dashboard's figures, computed by the database: GROUP BY aggregates, never rows into Python.

What a security lead asks of the service, over a date range:

* **risk distribution**: profiles per score band in the reference scan (the last full scan that
  finished before the range ended), and per risk level;
* **campaigns over time**: approaches (invitations and messages) sent by members of the reference
  scan's campaigns, per period, for the most active campaigns and the rest together;
* **who is targeted**: the current employers of the members that suspects approached in the range
  (suspects: high or medium risk in the reference scan, or decided fake by a reviewer), and the
  sensitive sectors those employers belong to (the sector list is
  :mod:`spycatcher.text.sensitive`'s configuration, the same one the engine and the queue use);
* **review throughput**: decisions per period by outcome (fake, genuine, needs more information,
  escalated);
* **backlog**: open cases by age now, and the number open at the end of each period.

Each query returns one row per group (score band, period, employer), so the cost in Python is the
number of groups, not of profiles or events. Employers are grouped in SQL by expanding each
approached member's JSON experience list with the dialect's JSON table function (``json_each`` on
SQLite, ``json_array_elements`` on PostgreSQL); only the distinct (employer, job title) pairs are
classified into sectors in Python, because the sector rules are regular expressions over
normalised text (capped at :data:`MAX_EMPLOYER_GROUPS`, largest first).

Periods are days for ranges up to 92 days, ISO weeks (starting Monday) up to two years, months
beyond; all in UTC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from spycatcher.review.base import aware
from spycatcher.review.cases import OPEN_STATUSES
from spycatcher.review.scoring import APPROACH_TYPES
from spycatcher.schema import Experience, Profile
from spycatcher.store.models import AssessmentRow, CampaignRow, EventRow, ProfileRow, ScanRun
from spycatcher.store.review import CaseEventRow, CaseRow, DecisionRow, ProfileStatusRow
from spycatcher.text.sensitive import SensitiveOrgs, org_key

#: widest range the dashboard accepts (three years of months is still a readable chart)
MAX_DAYS = 3 * 366
DEFAULT_DAYS = 90
BINS = 20
#: distinct (employer, title) groups read for the targeting figures, largest first
MAX_EMPLOYER_GROUPS = 20_000
#: campaigns drawn as their own line; the rest are summed into one
TOP_CAMPAIGNS = 5
#: open-case age bands: (upper bound, label)
AGE_BANDS: tuple[tuple[timedelta | None, str], ...] = (
    (timedelta(days=1), "under 1 day"),
    (timedelta(days=3), "1 to 3 days"),
    (timedelta(days=7), "3 to 7 days"),
    (timedelta(days=14), "1 to 2 weeks"),
    (timedelta(days=28), "2 to 4 weeks"),
    (None, "over 4 weeks"),
)
#: what throughput counts, in display order: decisions (fake, genuine) and case events
OUTCOMES = ("fake", "genuine", "needs_info", "escalate")
OUTCOME_NAMES = {
    "fake": "fake",
    "genuine": "genuine",
    "needs_info": "needs more information",
    "escalate": "escalated",
}


class RangeError(ValueError):
    """A date range the dashboard cannot use (the message says why, for the page)."""


@dataclass(frozen=True)
class DateRange:
    """Whole UTC days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @classmethod
    def parse(
        cls, start: str | None, end: str | None, today: date, default_days: int = DEFAULT_DAYS
    ) -> DateRange:
        """From the filter form's ``YYYY-MM-DD`` values; a missing end is today, a missing start
        ``default_days`` before the end. Raises :class:`RangeError` with a reason."""

        def one(value: str | None, name: str) -> date | None:
            v = (value or "").strip()
            if not v:
                return None
            try:
                return date.fromisoformat(v[:10]) if len(v) <= 10 else _bad(name)
            except ValueError:
                return _bad(name)

        def _bad(name: str) -> date:
            raise RangeError(f"the {name} date must look like 2026-01-31")

        e = one(end, "end") or today
        s = one(start, "start") or e - timedelta(days=default_days - 1)
        if s > e:
            raise RangeError("the start date is after the end date")
        if (e - s).days + 1 > MAX_DAYS:
            raise RangeError(f"a range may cover at most {MAX_DAYS} days")
        return cls(s, e)

    @property
    def lo(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def hi(self) -> datetime:
        """The first instant after the range (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def granularity(self) -> str:
        if self.days <= 92:
            return "day"
        if self.days <= 2 * 366:
            return "week"
        return "month"

    def period_of(self, d: date) -> date:
        g = self.granularity
        if g == "day":
            return d
        if g == "week":
            return d - timedelta(days=d.weekday())
        return d.replace(day=1)

    def periods(self) -> list[date]:
        """The first day of every period the range touches, in order."""
        out: list[date] = []
        d = self.period_of(self.start)
        while d <= self.end:
            out.append(d)
            if self.granularity == "day":
                d += timedelta(days=1)
            elif self.granularity == "week":
                d += timedelta(days=7)
            else:
                d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
        return out

    def tick(self, d: date) -> str:
        """A short axis label for the period starting ``d`` ("3 Jun", "Jun 2026")."""
        if self.granularity == "month":
            return d.strftime("%b %Y")
        if self.start.year == self.end.year:
            return f"{d.day} {d:%b}"
        return f"{d.day} {d:%b} {d:%y}"

    def label(self, d: date) -> str:
        if self.granularity == "day":
            return d.isoformat()
        if self.granularity == "week":
            return f"w/c {d.isoformat()}"
        return d.strftime("%Y-%m")


def period_start(col: Any, dialect: str, granularity: str) -> ColumnElement[Any]:
    """SQL for the first day (``YYYY-MM-DD`` text) of the UTC period holding timestamp ``col``."""
    if dialect == "postgresql":
        utc = func.timezone("UTC", col)
        return func.to_char(func.date_trunc(granularity, utc), "YYYY-MM-DD")
    if granularity == "day":
        return func.date(col)
    if granularity == "week":
        return func.date(col, "-6 days", "weekday 1")
    return func.strftime("%Y-%m-01", col)


def _band(score: Any, dialect: str) -> ColumnElement[Any]:
    scaled = score * BINS
    if dialect == "postgresql":
        return func.floor(scaled)
    return cast(scaled, Integer)  # SQLite's CAST truncates: floor, for scores >= 0


@dataclass
class Dashboard:
    """Everything the dashboard page draws (plain values; the page builds the charts)."""

    range: DateRange
    now: datetime
    run: dict[str, Any] | None
    bands: list[int]
    levels: dict[str, int]
    campaigns_total: int
    periods: list[str]
    #: short axis labels of the same periods
    ticks: list[str]
    campaign_series: dict[str, list[int]]
    #: campaign id -> members, for the campaigns drawn as a series
    campaign_sizes: dict[str, int]
    campaigns_active: int
    top_campaigns: list[dict[str, Any]]
    organisations: list[dict[str, Any]]
    sectors: list[dict[str, Any]]
    targets_total: int
    approaches_total: int
    sensitive_targets: int
    throughput: dict[str, list[int]]
    decided_total: int
    backlog_bands: list[str]
    backlog: dict[str, list[int]]
    open_series: list[int]
    open_now: int
    oldest_open: datetime | None
    notes: list[str] = field(default_factory=list)


def reference_run(s: Session, before: datetime) -> ScanRun | None:
    """The last full scan that finished before ``before`` (service re-scores never finish)."""
    q = (
        select(ScanRun)
        .where(ScanRun.finished_at.is_not(None), ScanRun.finished_at < before)
        .order_by(ScanRun.finished_at.desc())
        .limit(1)
    )
    return s.scalars(q).first()


def risk_distribution(s: Session, run_id: str) -> tuple[list[int], dict[str, int]]:
    """Profiles per score band (``BINS`` bands over 0..1) and per level, in one scan run."""
    dialect = s.get_bind().dialect.name
    band = _band(AssessmentRow.score, dialect).label("band")
    counts = [0] * BINS
    levels = {"high": 0, "medium": 0, "low": 0}
    for b, level, n in s.execute(
        select(band, AssessmentRow.level, func.count())
        .where(AssessmentRow.run_id == run_id)
        .group_by(band, AssessmentRow.level)
    ):
        counts[min(BINS - 1, max(0, int(b or 0)))] += int(n)
        levels[str(level)] = levels.get(str(level), 0) + int(n)
    return counts, levels


def _in_range(col: Any, rng: DateRange) -> ColumnElement[bool]:
    return and_(col >= rng.lo, col < rng.hi)


def _index(rng: DateRange) -> dict[str, int]:
    return {p.isoformat(): i for i, p in enumerate(rng.periods())}


def campaign_activity(
    s: Session, run_id: str, rng: DateRange, top: int = TOP_CAMPAIGNS
) -> tuple[dict[str, list[int]], dict[str, int], int]:
    """Approaches per period by each campaign's members: (series of the ``top`` busiest and
    "other campaigns", totals per campaign, campaigns active in the range)."""
    dialect = s.get_bind().dialect.name
    period = period_start(EventRow.at, dialect, rng.granularity).label("period")
    q = (
        select(AssessmentRow.campaign_id, period, func.count())
        .select_from(EventRow)
        .join(AssessmentRow, AssessmentRow.profile_id == EventRow.actor)
        .where(
            AssessmentRow.run_id == run_id,
            AssessmentRow.campaign_id.is_not(None),
            EventRow.type.in_(APPROACH_TYPES),
            _in_range(EventRow.at, rng),
        )
        .group_by(AssessmentRow.campaign_id, period)
    )
    idx = _index(rng)
    per: dict[str, list[int]] = defaultdict(lambda: [0] * len(idx))
    for cid, p, n in s.execute(q):
        i = idx.get(str(p)[:10])
        if i is not None:
            per[str(cid)][i] += int(n)
    totals = {cid: sum(v) for cid, v in per.items()}
    busiest = sorted(totals, key=lambda c: (-totals[c], c))[:top]
    series = {cid: per[cid] for cid in busiest}
    rest = [cid for cid in per if cid not in series]
    if rest:
        series["other campaigns"] = [sum(per[c][i] for c in rest) for i in range(len(idx))]
    return series, totals, len(per)


def top_campaigns(s: Session, run_id: str, limit: int = 10) -> list[dict[str, Any]]:
    """The reference scan's strongest campaigns (a bounded number of rows, data included)."""
    rows = s.scalars(
        select(CampaignRow)
        .where(CampaignRow.run_id == run_id)
        .order_by(CampaignRow.score.desc(), CampaignRow.size.desc(), CampaignRow.campaign_id)
        .limit(limit)
    )
    out = []
    for r in rows:
        d = r.data if isinstance(r.data, dict) else {}
        out.append(
            {
                "id": r.campaign_id,
                "score": float(r.score),
                "size": int(r.size),
                "targets": len(d.get("targets") or []),
                "organisations": [str(o) for o in (d.get("organisations") or [])[:5]],
                "evidence": [str(e) for e in (d.get("evidence") or [])[:3]],
                "first_activity": d.get("first_activity"),
                "last_activity": d.get("last_activity"),
            }
        )
    return out


def _suspects(run_id: str | None) -> Any:
    """Profile ids counted as suspects: high or medium risk in the scan, or decided fake."""
    fake = select(ProfileStatusRow.profile_id.label("pid")).where(ProfileStatusRow.label == "fake")
    if run_id is None:
        return fake.subquery()
    risky = select(AssessmentRow.profile_id.label("pid")).where(
        AssessmentRow.run_id == run_id, AssessmentRow.level.in_(("high", "medium"))
    )
    return union(risky, fake).subquery()


def _approached(run_id: str | None, rng: DateRange) -> Any:
    """Members suspects approached in the range, one row each with how many approaches."""
    suspects = _suspects(run_id)
    return (
        select(EventRow.target.label("target"), func.count().label("n"))
        .where(
            EventRow.actor.in_(select(suspects.c.pid)),
            EventRow.type.in_(APPROACH_TYPES),
            _in_range(EventRow.at, rng),
        )
        .group_by(EventRow.target)
        .subquery()
    )


def _current_employers(s: Session, dialect: str, approached: Any) -> Any:
    """(employer, title, members, approaches) over the approached members' current jobs.

    The approaches are first reduced to one row per member (``approached``); only those members'
    profiles are read, and each one's JSON ``experience`` list is expanded in the database (a
    table-valued JSON function, lateral on PostgreSQL); a job without an end date is current.
    The profile is looked up by its whole key (platform, id), so the primary key index serves it.
    """
    company: ColumnElement[Any]
    title: ColumnElement[Any]
    ended: ColumnElement[Any]
    if dialect == "postgresql":
        exp = ProfileRow.data["experience"]
        arr = case((func.json_typeof(exp) == "array", exp), else_=literal_column("'[]'::json"))
        je = func.json_array_elements(arr).table_valued("value").lateral()
        company = je.c.value.op("->>")("company")
        title = je.c.value.op("->>")("title")
        ended = je.c.value.op("->>")("end")
    else:
        je = func.json_each(ProfileRow.data, "$.experience").table_valued("value")
        company = func.json_extract(je.c.value, "$.company")
        title = func.json_extract(je.c.value, "$.title")
        ended = func.json_extract(je.c.value, "$.end")
    company = company.label("company")
    title = func.coalesce(title, "").label("title")
    members = func.count().label("members")
    approaches = func.sum(approached.c.n).label("approaches")
    platforms = list(s.scalars(select(ProfileRow.platform).distinct()))
    q = (
        select(company, title, members, approaches)
        .select_from(approached)
        .join(
            ProfileRow,
            and_(
                ProfileRow.platform.in_(platforms),
                ProfileRow.profile_id == approached.c.target,
            ),
        )
        .join(je, true())
        .where(ended.is_(None), company.is_not(None))
        .group_by(company, title)
        .order_by(members.desc(), approaches.desc(), company, title)
        .limit(MAX_EMPLOYER_GROUPS)
    )
    return s.execute(q)


def targeting(
    s: Session,
    run_id: str | None,
    rng: DateRange,
    orgs: SensitiveOrgs | None = None,
    limit: int = 15,
) -> dict[str, Any]:
    """Who suspects approached in the range: by current employer and by sensitive sector.

    A member with two current employers counts under each. Members whose profile names no current
    employer are counted in the totals but under no organisation.
    """
    dialect = s.get_bind().dialect.name
    orgs = orgs or SensitiveOrgs.load()
    by_org: dict[str, dict[str, Any]] = {}
    by_sector: dict[str, dict[str, Any]] = {}
    groups = 0
    approached = _approached(run_id, rng)
    for company, title, members, approaches in _current_employers(s, dialect, approached):
        groups += 1
        name = str(company)
        key = org_key(name) or name.lower()
        o = by_org.setdefault(key, {"name": name, "members": 0, "approaches": 0, "sectors": set()})
        o["members"] += int(members)
        o["approaches"] += int(approaches)
        try:
            job = Experience(company=name[:200], title=str(title)[:200] or None)
            match = orgs.classify(Profile(id="x", experience=[job]))
        except ValueError:  # a stored value the contract no longer accepts: no sector
            match = None
        if match is None:
            continue
        o["sectors"].update(match.sectors)
        for sector in match.sectors:
            t = by_sector.setdefault(sector, {"members": 0, "approaches": 0})
            t["members"] += int(members)
            t["approaches"] += int(approaches)
    totals = s.execute(select(func.count(), func.sum(approached.c.n))).one()
    ranked = sorted(by_org.values(), key=lambda o: (-o["members"], -o["approaches"], o["name"]))
    sectors = sorted(
        ({"sector": k, "title": orgs.titles.get(k, k), **v} for k, v in by_sector.items()),
        key=lambda x: (-x["members"], x["sector"]),
    )
    sensitive = sum(o["members"] for o in by_org.values() if o["sectors"])
    return {
        "organisations": [
            {**o, "sectors": sorted(orgs.titles.get(x, x) for x in o["sectors"])}
            for o in ranked[:limit]
        ],
        "sectors": sectors,
        "targets": int(totals[0] or 0),
        "approaches": int(totals[1] or 0),
        "sensitive_targets": sensitive,
        "truncated": groups >= MAX_EMPLOYER_GROUPS,
    }


def throughput(s: Session, rng: DateRange) -> dict[str, list[int]]:
    """Review outcomes per period: fake / genuine decisions (the ``decisions`` table, review
    source) and needs-information / escalation steps (case events)."""
    dialect = s.get_bind().dialect.name
    idx = _index(rng)
    out = {o: [0] * len(idx) for o in OUTCOMES}
    p1 = period_start(DecisionRow.decided_at, dialect, rng.granularity).label("period")
    q1 = (
        select(DecisionRow.decision, p1, func.count())
        .where(DecisionRow.source == "review", _in_range(DecisionRow.decided_at, rng))
        .group_by(DecisionRow.decision, p1)
    )
    p2 = period_start(CaseEventRow.at, dialect, rng.granularity).label("period")
    q2 = (
        select(CaseEventRow.kind, p2, func.count())
        .where(CaseEventRow.kind.in_(("needs_info", "escalate")), _in_range(CaseEventRow.at, rng))
        .group_by(CaseEventRow.kind, p2)
    )
    for q in (q1, q2):
        for outcome, p, n in s.execute(q):
            i = idx.get(str(p)[:10])
            if i is not None and outcome in out:
                out[str(outcome)][i] += int(n)
    return out


def backlog(s: Session, now: datetime) -> tuple[dict[str, list[int]], int, datetime | None]:
    """Open cases now by age band and status; how many are open; when the oldest opened."""
    whens = []
    for i, (upper, _label) in enumerate(AGE_BANDS):
        if upper is not None:
            whens.append((CaseRow.opened_at > now - upper, literal(i)))
    band = case(*whens, else_=literal(len(AGE_BANDS) - 1)).label("band")
    out = {st: [0] * len(AGE_BANDS) for st in OPEN_STATUSES}
    for st, b, n in s.execute(
        select(CaseRow.status, band, func.count())
        .where(CaseRow.status.in_(OPEN_STATUSES))
        .group_by(CaseRow.status, band)
    ):
        if st in out:
            out[str(st)][int(b)] += int(n)
    total, oldest = s.execute(
        select(func.count(), func.min(CaseRow.opened_at)).where(CaseRow.status.in_(OPEN_STATUSES))
    ).one()
    return out, int(total or 0), aware(oldest)


def open_over_time(s: Session, rng: DateRange) -> list[int]:
    """Cases open at the end of each period: those open at the start, plus opened, minus closed
    (closed cases deleted by retention no longer count)."""
    dialect = s.get_bind().dialect.name
    idx = _index(rng)
    base = s.scalar(
        select(func.count()).where(
            CaseRow.opened_at < rng.lo,
            or_(CaseRow.closed_at.is_(None), CaseRow.closed_at >= rng.lo),
        )
    )
    delta = [0] * len(idx)
    po = period_start(CaseRow.opened_at, dialect, rng.granularity).label("period")
    for p, n in s.execute(
        select(po, func.count()).where(_in_range(CaseRow.opened_at, rng)).group_by(po)
    ):
        i = idx.get(str(p)[:10])
        if i is not None:
            delta[i] += int(n)
    pc = period_start(CaseRow.closed_at, dialect, rng.granularity).label("period")
    for p, n in s.execute(
        select(pc, func.count())
        .where(CaseRow.closed_at.is_not(None), _in_range(CaseRow.closed_at, rng))
        .group_by(pc)
    ):
        i = idx.get(str(p)[:10])
        if i is not None:
            delta[i] -= int(n)
    out, running = [], int(base or 0)
    for d in delta:
        running += d
        out.append(running)
    return out


def dashboard(
    s: Session, rng: DateRange, now: datetime, orgs: SensitiveOrgs | None = None
) -> Dashboard:
    """All the figures of the dashboard for one date range (a dozen aggregate queries)."""
    notes: list[str] = []
    run = reference_run(s, min(rng.hi, now + timedelta(seconds=1)))
    periods = rng.periods()
    labels = [rng.label(p) for p in periods]
    if run is not None:
        bands, levels = risk_distribution(s, run.run_id)
        in_run = CampaignRow.run_id == run.run_id
        campaigns_total = int(s.scalar(select(func.count()).where(in_run)) or 0)
        series, totals, active = campaign_activity(s, run.run_id, rng)
        top = top_campaigns(s, run.run_id)
        sizes = {
            str(cid): int(n)
            for cid, n in s.execute(
                select(CampaignRow.campaign_id, CampaignRow.size).where(
                    in_run, CampaignRow.campaign_id.in_(list(series))
                )
            )
        }
        for c in top:
            c["approaches"] = totals.get(c["id"], 0)
        run_info: dict[str, Any] | None = {
            "run_id": run.run_id,
            "finished_at": aware(run.finished_at),
            "source": run.source,
            "scorer": run.scorer,
        }
    else:
        bands, levels, campaigns_total = [0] * BINS, {"high": 0, "medium": 0, "low": 0}, 0
        series, active, top, run_info, sizes = {}, 0, [], None, {}
        notes.append("No full scan had finished by the end of this range.")
    target = targeting(s, run.run_id if run else None, rng, orgs)
    if target["truncated"]:
        notes.append(
            f"Targeting figures cover the {MAX_EMPLOYER_GROUPS:,} largest employer groups only."
        )
    thr = throughput(s, rng)
    bl, open_now, oldest = backlog(s, now)
    return Dashboard(
        range=rng,
        now=now,
        run=run_info,
        bands=bands,
        levels=levels,
        campaigns_total=campaigns_total,
        periods=labels,
        ticks=[rng.tick(p) for p in periods],
        campaign_series=series,
        campaign_sizes=sizes,
        campaigns_active=active,
        top_campaigns=top,
        organisations=target["organisations"],
        sectors=target["sectors"],
        targets_total=target["targets"],
        approaches_total=target["approaches"],
        sensitive_targets=target["sensitive_targets"],
        throughput=thr,
        decided_total=sum(sum(v) for v in thr.values()),
        backlog_bands=[label for _, label in AGE_BANDS],
        backlog=bl,
        open_series=open_over_time(s, rng),
        open_now=open_now,
        oldest_open=oldest,
        notes=notes,
    )


def outcome_names(outcomes: Sequence[str] = OUTCOMES) -> list[str]:
    return [OUTCOME_NAMES.get(o, o) for o in outcomes]
