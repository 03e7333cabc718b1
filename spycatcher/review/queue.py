"""The review queue: open cases ordered by what most needs a human now.

Priority = risk x 3 + report weight x 1.5 + intelligence match x 2 + target sensitivity x 1.5 +
age x 1 (see :class:`~spycatcher.review.cases.CasePolicy`). The first four are stored on the case
when it is opened or re-triggered; age is added when the queue is read, so a case nobody picked
rises slowly until it reaches the top (its age counts in full after three days). Report weight
goes through a saturating curve: the fiftieth report adds almost nothing over the fifth.

Claimed cases (a live lease held by someone else) are left out; a lease that ran out puts the case
back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from spycatcher.review.base import aware
from spycatcher.review.cases import CasePolicy, as_dict
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
