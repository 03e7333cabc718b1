"""Appeals: the owner of a restricted, removed or labelled profile asks for another look.

A member may appeal only their own profile (their key's subject), only while an enforcement is in
force, and only once at a time. A *different* reviewer from the one who decided the profile was
fake decides the appeal. Granting it records a "genuine" label (so training learns from the
correction, and the reporters' track records flip with it), marks the profile genuine and reverses
every enforcement action: actions never sent are cancelled, delivered ones get a reversal
(reinstate / unrestrict / unlabel) through the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from spycatcher.review import actions as actions_mod
from spycatcher.review import audit
from spycatcher.review.base import (
    Conflict,
    Forbidden,
    NotFound,
    ReviewError,
    excerpt,
    iso,
    profile_key,
    table,
)
from spycatcher.review.decisions import record_label, set_status
from spycatcher.store.review import AppealRow, ProfileStatusRow


def open_appeal(
    s: Session,
    *,
    platform: str,
    profile_id: str,
    appellant: str,
    text: str | None,
    actor: str,
    now: datetime,
) -> AppealRow:
    status = s.get(ProfileStatusRow, (platform, profile_id))
    if status is None or status.enforcement is None:
        raise Conflict("this profile has no restriction, removal or label to appeal")
    row = AppealRow(
        platform=platform,
        profile_id=profile_id,
        open_key=profile_key(platform, profile_id),
        appellant=appellant,
        text=text,
        status="open",
        original_reviewer=status.decided_by,
        opened_at=now,
    )
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError as exc:
        raise Conflict("an appeal for this profile is already open") from exc
    audit.append(
        s,
        actor=actor,
        action="appeal.opened",
        now=now,
        subject=audit.pseudonym(s, platform, profile_id, now),
        details={"appeal_id": row.id, "enforcement": status.enforcement},
    )
    return row


def get(s: Session, appeal_id: int) -> AppealRow:
    row = s.get(AppealRow, appeal_id)
    if row is None:
        raise NotFound(f"no appeal {appeal_id}")
    return row


def decide_appeal(
    s: Session,
    *,
    appeal_id: int,
    grant: bool,
    reason: str,
    who: str,
    now: datetime,
) -> dict[str, Any]:
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("a decision on an appeal needs a reason", 422)
    row = get(s, appeal_id)
    if row.status != "open":
        raise Conflict(f"appeal {appeal_id} is already {row.status}")
    if row.original_reviewer is not None and row.original_reviewer == who:
        raise Forbidden(
            "a different reviewer from the one who decided the profile must decide the appeal"
        )
    t = table(AppealRow)
    outcome = "granted" if grant else "denied"
    res = s.execute(
        update(t)
        .where(t.c.id == appeal_id, t.c.status == "open")
        .values(
            status=outcome,
            open_key=None,
            decided_at=now,
            decided_by=who,
            reason=excerpt(reason, 5_000),
        )
    )
    if not res.rowcount:  # type: ignore[attr-defined]
        raise Conflict(f"appeal {appeal_id} was decided a moment ago")
    result: dict[str, Any] = {"appeal_id": appeal_id, "status": outcome}
    details: dict[str, Any] = {"appeal_id": appeal_id}
    if grant:
        record_label(
            s,
            platform=row.platform,
            profile_id=row.profile_id,
            decision="genuine",
            reason=reason,
            who=who,
            now=now,
            case_id=row.case_id,
            source="appeal",
        )
        set_status(
            s, row.platform, row.profile_id, label="genuine", enforcement=None, who=who, now=now
        )
        reversed_ = actions_mod.reverse_active(
            s,
            platform=row.platform,
            profile_id=row.profile_id,
            actor=who,
            now=now,
            reason=reason,
            appeal_id=appeal_id,
        )
        result["reversed"] = reversed_
        details["reversed"] = [r["id"] for r in reversed_]
    audit.append(
        s,
        actor=who,
        action=f"appeal.{outcome}",
        now=now,
        subject=audit.pseudonym(s, row.platform, row.profile_id, now),
        reason=reason,
        details=details,
    )
    return result


def as_dict(row: AppealRow, show_appellant: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "platform": row.platform,
        "profile_id": row.profile_id,
        "text": row.text,
        "status": row.status,
        "opened_at": iso(row.opened_at),
        "decided_at": iso(row.decided_at),
        "reason": row.reason,
    }
    if show_appellant:
        out["appellant"] = row.appellant
        out["decided_by"] = row.decided_by
    return out


def listing(s: Session, status: str | None, limit: int, offset: int) -> list[AppealRow]:
    q = select(AppealRow)
    if status:
        q = q.where(AppealRow.status == status)
    return list(
        s.scalars(q.order_by(AppealRow.opened_at, AppealRow.id).offset(offset).limit(limit))
    )
