"""Member reports: de-duplicated, rate-limited per reporter, weighted by each reporter's record.

LinkedIn found that only about 2% of the members who report are reliably skilled at it, and a
report is also the cheapest weapon against a genuine person: a few hundred throw-away accounts can
report anyone. So a report corroborates, it never decides:

* **De-duplication.** One report per reporter and profile (a unique index); a repeat returns the
  first report and changes nothing.
* **Rate limits.** A reporter may file at most ``per_hour`` / ``per_day`` reports (counted in the
  database, so every worker process agrees).
* **Track record.** Each reporter's reliability is the posterior mean of a Beta prior updated with
  how their past reports were decided by reviewers: ``(a + confirmed) / (a + b + confirmed +
  rejected)``. The prior Beta(1, 4) says "a report from someone we do not know is right about one
  time in five". Reporters with at least ``proven_min_decided`` decided reports and a reliability
  of at least ``proven_min_reliability`` are *proven*; their weights add up. Everyone else (new
  accounts, or reporters who are often wrong) shares one pool whose total is capped at
  ``unproven_cap``: two hundred fresh accounts weigh no more than a handful would.
* **Bursts.** Many reports from unproven accounts in a short window are flagged as a possible
  coordinated attack, so the reviewer judges the profile on its own evidence.

Track records are computed from the reviewers' current labels (``profile_status``) at read time, so
an appeal that reverses a decision also reverses what it did to the reporters' records.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from spycatcher.review.base import RateLimited, ReviewError, aware, insert_for, iso
from spycatcher.signals.reports import (
    KEY_BURST,
    KEY_COUNT,
    KEY_PROVEN_MASS,
    KEY_PROVEN_REPORTERS,
    KEY_REASONS,
    KEY_REPORTERS,
    KEY_UNPROVEN_CAP,
    KEY_UNPROVEN_MASS,
    KEY_WEIGHT,
)
from spycatcher.store.review import ProfileStatusRow, ReportRow

REASONS: dict[str, str] = {
    "fake_profile": "fake profile",
    "impersonation": "pretends to be someone else",
    "suspicious_approach": "suspicious approach (offers, questions about work, moving off-site)",
    "spam": "spam",
    "harassment": "harassment",
    "other": "other",
}

#: most reports read for one profile's context (the oldest beyond it are ignored)
MAX_REPORTS_PER_PROFILE = 5_000


@dataclass(frozen=True)
class ReportPolicy:
    per_hour: int = 10
    per_day: int = 50
    prior_a: float = 1.0
    prior_b: float = 4.0
    proven_min_decided: int = 2
    proven_min_reliability: float = 0.5
    unproven_cap: float = 1.0
    burst_window: timedelta = timedelta(hours=1)
    burst_min_reports: int = 10
    burst_unproven_share: float = 0.8
    #: a case opens once the reports' combined weight reaches this
    case_threshold: float = 0.8

    def reliability(self, confirmed: int, rejected: int) -> float:
        """Posterior mean of the Beta(prior_a, prior_b) track record."""
        return (self.prior_a + confirmed) / (self.prior_a + self.prior_b + confirmed + rejected)


def weight_strength(weight: float) -> float:
    """Report weight mapped to 0..1 with diminishing returns (for the queue and the detector)."""
    return 1.0 - math.exp(-max(0.0, weight))


def submit(
    s: Session,
    policy: ReportPolicy,
    *,
    platform: str,
    profile_id: str,
    reporter: str,
    reason: str,
    text: str | None,
    now: datetime,
    source: str = "api",
    rate_limit: bool = True,
) -> tuple[ReportRow, bool]:
    """File one report; returns (the report, whether it is new). Raises RateLimited."""
    if reason not in REASONS:
        raise ReviewError(f"unknown reason {reason!r}; one of {', '.join(REASONS)}", 422)
    if reporter == profile_id:
        raise ReviewError("a member cannot report their own profile", 422)
    existing = _existing(s, platform, profile_id, reporter)
    if existing is not None:
        return existing, False
    if rate_limit:
        hour, day = s.execute(
            select(
                func.sum(case((ReportRow.created_at > now - timedelta(hours=1), 1), else_=0)),
                func.count(),
            ).where(
                ReportRow.platform == platform,
                ReportRow.reporter == reporter,
                ReportRow.created_at > now - timedelta(days=1),
            )
        ).one()
        if (hour or 0) >= policy.per_hour:
            raise RateLimited(f"at most {policy.per_hour} reports an hour; try again later")
        if (day or 0) >= policy.per_day:
            raise RateLimited(f"at most {policy.per_day} reports a day; try again tomorrow")
    values = {
        "id": uuid.uuid4().hex,
        "platform": platform,
        "profile_id": profile_id,
        "reporter": reporter,
        "reason": reason,
        "text": text,
        "source": source,
        "created_at": now,
    }
    stmt = insert_for(s, ReportRow.__table__).values(**values)
    res = s.execute(
        stmt.on_conflict_do_nothing(index_elements=["platform", "profile_id", "reporter"])
    )
    row = _existing(s, platform, profile_id, reporter)
    assert row is not None
    return row, bool(res.rowcount)  # type: ignore[attr-defined]


def _existing(s: Session, platform: str, profile_id: str, reporter: str) -> ReportRow | None:
    return s.scalars(
        select(ReportRow).where(
            ReportRow.platform == platform,
            ReportRow.profile_id == profile_id,
            ReportRow.reporter == reporter,
        )
    ).first()


def track_records(
    s: Session, platform: str, reporters: list[str], exclude_profile: str | None = None
) -> dict[str, tuple[int, int]]:
    """reporter -> (confirmed, rejected): their reports on profiles reviewers labelled."""
    out: dict[str, tuple[int, int]] = {}
    for i in range(0, len(reporters), 500):
        chunk = reporters[i : i + 500]
        q = (
            select(
                ReportRow.reporter,
                func.sum(case((ProfileStatusRow.label == "fake", 1), else_=0)),
                func.sum(case((ProfileStatusRow.label == "genuine", 1), else_=0)),
            )
            .join(
                ProfileStatusRow,
                and_(
                    ProfileStatusRow.platform == ReportRow.platform,
                    ProfileStatusRow.profile_id == ReportRow.profile_id,
                ),
            )
            .where(ReportRow.platform == platform, ReportRow.reporter.in_(chunk))
            .group_by(ReportRow.reporter)
        )
        if exclude_profile is not None:
            q = q.where(ReportRow.profile_id != exclude_profile)
        for reporter, confirmed, rejected in s.execute(q):
            out[str(reporter)] = (int(confirmed or 0), int(rejected or 0))
    return out


def context(
    s: Session,
    policy: ReportPolicy,
    platform: str,
    profile_id: str,
    since: datetime | None = None,
) -> dict[str, Any]:
    """What the reports say about a profile, weighted: the value of ``ProfileContext.reports``.

    ``since`` (the last human decision) leaves out reports that were already judged.
    """
    q = select(ReportRow.reporter, ReportRow.reason, ReportRow.created_at).where(
        ReportRow.platform == platform, ReportRow.profile_id == profile_id
    )
    if since is not None:
        q = q.where(ReportRow.created_at > since)
    rows = list(s.execute(q.order_by(ReportRow.created_at.desc()).limit(MAX_REPORTS_PER_PROFILE)))
    if not rows:
        return {}
    records = track_records(s, platform, [r[0] for r in rows], exclude_profile=profile_id)
    proven_mass = unproven_mass = 0.0
    proven = 0
    unproven_times: list[datetime] = []
    reasons: Counter[str] = Counter()
    for reporter, reason, at in rows:
        reasons[reason] += 1
        confirmed, rejected = records.get(reporter, (0, 0))
        w = policy.reliability(confirmed, rejected)
        if confirmed + rejected >= policy.proven_min_decided and w >= policy.proven_min_reliability:
            proven_mass += w
            proven += 1
        else:
            unproven_mass += w
            unproven_times.append(aware(at))  # type: ignore[arg-type]
    capped = min(policy.unproven_cap, unproven_mass)
    return {
        KEY_COUNT: len(rows),
        KEY_REPORTERS: len(rows),
        KEY_PROVEN_REPORTERS: proven,
        KEY_PROVEN_MASS: round(proven_mass, 4),
        KEY_UNPROVEN_MASS: round(unproven_mass, 4),
        KEY_UNPROVEN_CAP: policy.unproven_cap,
        KEY_WEIGHT: round(proven_mass + capped, 4),
        KEY_BURST: _burst(policy, unproven_times, len(rows)),
        KEY_REASONS: dict(reasons.most_common()),
        "since": iso(since),
    }


def _burst(policy: ReportPolicy, unproven_times: list[datetime], total: int) -> bool:
    """Did unproven accounts file ``burst_min_reports`` reports within one window?"""
    if len(unproven_times) < policy.burst_min_reports:
        return False
    if len(unproven_times) < policy.burst_unproven_share * total:
        return False
    times = sorted(unproven_times)
    k = policy.burst_min_reports
    return any(
        times[i + k - 1] - times[i] <= policy.burst_window for i in range(len(times) - k + 1)
    )


def as_dict(row: ReportRow, show_reporter: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "platform": row.platform,
        "profile_id": row.profile_id,
        "reason": row.reason,
        "text": row.text,
        "source": row.source,
        "created_at": iso(row.created_at),
    }
    if show_reporter:
        out["reporter"] = row.reporter
    return out
