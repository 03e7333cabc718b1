"""Decisions on cases: fake, genuine, needs more information, escalate; always with a reason.

Only the reviewer holding a case's lease decides it; an escalated case is decided by an admin. A
*fake* decision closes the case, records the label, puts the chosen enforcement (remove by
default, or restrict, or label) in the outbox, and on removal notifies every member the fake
connected with or approached; its photo goes to the hash bank so copies are caught on sight. A
*genuine* decision closes the case and reverses any enforcement in force. *Needs more information*
and *escalate* keep the case open and free its lease.

Fake and genuine decisions are written to ``decisions`` (platform, profile_id, decision,
decided_at, reviewer): the training labels ``spycatcher train --from-store`` reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from spycatcher.review import actions as actions_mod
from spycatcher.review import audit, notify
from spycatcher.review.base import Conflict, Forbidden, ReviewError, excerpt
from spycatcher.review.cases import OPEN_STATUSES, holds_lease
from spycatcher.schema import Profile
from spycatcher.store.models import ProfileRow
from spycatcher.store.review import (
    CaseEventRow,
    CaseRow,
    DecisionRow,
    NotificationRow,
    ProfileStatusRow,
)

DECISIONS = ("fake", "genuine", "needs_info", "escalate")
FAKE_ACTIONS = ("remove", "restrict", "label")
#: members per "notify" action sent to the platform
NOTIFY_BATCH = 200


def set_status(
    s: Session,
    platform: str,
    profile_id: str,
    *,
    label: str | None,
    enforcement: str | None,
    who: str,
    now: datetime,
) -> ProfileStatusRow:
    row = s.get(ProfileStatusRow, (platform, profile_id))
    if row is None:
        row = ProfileStatusRow(platform=platform, profile_id=profile_id, updated_at=now)
        s.add(row)
    row.label = label
    row.enforcement = enforcement
    row.decided_at = now
    row.decided_by = who
    row.updated_at = now
    return row


def record_label(
    s: Session,
    *,
    platform: str,
    profile_id: str,
    decision: str,
    reason: str,
    who: str,
    now: datetime,
    case_id: int | None,
    source: str,
) -> DecisionRow:
    row = DecisionRow(
        platform=platform,
        profile_id=profile_id,
        decision=decision,
        reason=reason,
        reviewer=who,
        decided_at=now,
        case_id=case_id,
        source=source,
    )
    s.add(row)
    return row


def photo_hashes(profile: Profile | None) -> dict[str, str]:
    if profile is None or profile.photo is None:
        return {}
    out = {}
    if profile.photo.pdq:
        out["pdq"] = profile.photo.pdq.lower()
    if profile.photo.sha256:
        out["sha256"] = profile.photo.sha256.lower()
    return out


def bank_photo(store: Any, pdq: str, case_id: int, reason: str) -> dict[str, Any]:
    """Add a confirmed fake's photo to the hash bank (:mod:`spycatcher.store.hashbank`).

    Called after the decision's transaction commits: the bank writes through its own connection.
    Returns what happened, for the answer and the audit trail.
    """
    try:
        from spycatcher.store import hashbank
    except ImportError:  # the photo area is not installed
        return {"banked": False, "why": "hash bank not installed", "pdq": pdq}
    hashbank.add_known_bad(  # idempotent: a photo banked before is not added twice
        store, [(pdq, f"review-case:{case_id}", f"confirmed fake profile: {excerpt(reason, 500)}")]
    )
    return {"banked": True, "pdq": pdq}


def decide(
    s: Session,
    case: CaseRow,
    *,
    decision: str,
    reason: str,
    action: str | None,
    who: str,
    role: str,
    now: datetime,
) -> dict[str, Any]:
    """Apply a reviewer's decision to a case they hold (inside the caller's transaction)."""
    if decision not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}", 422)
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("a decision needs a reason", 422)
    if case.status not in OPEN_STATUSES:
        raise Conflict(f"case {case.id} is {case.status}")
    if not holds_lease(case, who, now):
        raise Conflict(f"claim case {case.id} before deciding it (or your lease ran out)")
    if case.status == "escalated" and role != "admin":
        raise Forbidden("an escalated case is decided by an admin")
    if decision != "fake" and action is not None:
        raise ReviewError("an action goes only with a 'fake' decision", 422)
    platform, pid = case.platform, case.profile_id
    subject = audit.pseudonym(s, platform, pid, now)
    result: dict[str, Any] = {"case_id": case.id, "decision": decision}
    details: dict[str, Any] = {"case_id": case.id, "role": role}

    if decision in ("needs_info", "escalate"):
        case.status = "needs_info" if decision == "needs_info" else "escalated"
        case.assignee = None
        case.lease_until = None
        case.updated_at = now
        s.add(
            CaseEventRow(
                case_id=case.id,
                at=now,
                actor=who,
                kind=decision,
                detail={"reason": excerpt(reason, 2_000)},
            )
        )
        audit.append(
            s,
            actor=who,
            action=f"case.{decision}",
            now=now,
            subject=subject,
            reason=reason,
            details=details,
        )
        result["status"] = case.status
        return result

    prof_row = s.get(ProfileRow, (platform, pid))
    profile = Profile.model_validate(prof_row.data) if prof_row is not None else None
    record_label(
        s,
        platform=platform,
        profile_id=pid,
        decision=decision,
        reason=reason,
        who=who,
        now=now,
        case_id=case.id,
        source="review",
    )
    if decision == "fake":
        act = action or "remove"
        if act not in FAKE_ACTIONS:
            raise ReviewError(f"action must be one of {', '.join(FAKE_ACTIONS)}", 422)
        set_status(
            s,
            platform,
            pid,
            label="fake",
            enforcement=actions_mod.ENFORCEMENT[act],
            who=who,
            now=now,
        )
        hashes = photo_hashes(profile)
        a = actions_mod.enqueue(
            s,
            platform=platform,
            profile_id=pid,
            action=act,
            payload={"label": "fake", "reason": excerpt(reason, 1_000), "photo": hashes or None},
            actor=who,
            now=now,
            case_id=case.id,
        )
        result["actions"] = [{"id": a.id, "action": act}]
        details["action"] = act
        details["action_id"] = a.id
        if act == "remove":
            notified = _notify_contacts(s, platform, pid, profile, case.id, who, now)
            result["notified"] = notified
            details["notified"] = notified
        if hashes.get("pdq"):  # banked by the caller once this transaction has committed
            result["bank_pdq"] = hashes["pdq"]
    else:
        set_status(s, platform, pid, label="genuine", enforcement=None, who=who, now=now)
        reversed_ = actions_mod.reverse_active(
            s, platform=platform, profile_id=pid, actor=who, now=now, reason=reason, case_id=case.id
        )
        result["reversed"] = reversed_
        details["reversed"] = [r["id"] for r in reversed_]
    case.status = "closed"
    case.outcome = decision
    case.open_key = None
    case.closed_at = now
    case.assignee = None
    case.lease_until = None
    case.updated_at = now
    s.add(
        CaseEventRow(
            case_id=case.id,
            at=now,
            actor=who,
            kind="decided",
            detail={"decision": decision, "reason": excerpt(reason, 2_000)},
        )
    )
    audit.append(
        s,
        actor=who,
        action=f"case.decided.{decision}",
        now=now,
        subject=subject,
        reason=reason,
        details=details,
    )
    result["status"] = "closed"
    return result


def _notify_contacts(
    s: Session,
    platform: str,
    profile_id: str,
    profile: Profile | None,
    case_id: int,
    who: str,
    now: datetime,
) -> int:
    """Store a notification per contacted member and send them to the platform in batches."""
    notes = notify.build(s, platform, profile_id, profile.name if profile else None)
    batch: list[dict[str, Any]] = []
    for member, note in notes:
        s.add(
            NotificationRow(
                platform=platform,
                member_id=member,
                profile_id=profile_id,
                case_id=case_id,
                created_at=now,
                text=note["text"],
                data={"asked": note["asked"], "messages": note["messages"]},
            )
        )
        batch.append({"member_id": member, "text": note["text"], "asked": note["asked"]})
        if len(batch) >= NOTIFY_BATCH:
            _enqueue_notify(s, platform, profile_id, batch, case_id, who, now)
            batch = []
    if batch:
        _enqueue_notify(s, platform, profile_id, batch, case_id, who, now)
    return len(notes)


def _enqueue_notify(
    s: Session,
    platform: str,
    profile_id: str,
    batch: list[dict[str, Any]],
    case_id: int,
    who: str,
    now: datetime,
) -> None:
    actions_mod.enqueue(
        s,
        platform=platform,
        profile_id=profile_id,
        action="notify",
        payload={"notifications": batch},
        actor=who,
        now=now,
        case_id=case_id,
    )


def training_labels(store: Any) -> dict[tuple[str, str], str]:
    """The current human label of every decided profile: (platform, id) -> "fake" | "genuine".

    What ``spycatcher train --from-store`` learns from: the latest row of ``decisions`` per
    profile wins, so an appeal that reinstated a profile turns its label to genuine.
    """
    from sqlalchemy import select

    latest: dict[tuple[str, str], tuple[datetime, int, str]] = {}
    with store.session() as s:
        q = select(
            DecisionRow.platform,
            DecisionRow.profile_id,
            DecisionRow.decided_at,
            DecisionRow.id,
            DecisionRow.decision,
        )
        for platform, pid, at, rid, decision in s.execute(q):
            key = (str(platform), str(pid))
            stamp = at.replace(tzinfo=None) if at is not None else datetime.min
            if key not in latest or (stamp, rid) > latest[key][:2]:
                latest[key] = (stamp, rid, str(decision))
    return {k: v[2] for k, v in latest.items()}
