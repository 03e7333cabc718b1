"""Retention and erasure: keep personal data only as long as it is needed.

Retention (``spycatcher privacy retention``, daily from cron):

* **reports** older than ``reports_days`` are deleted, unless their profile has an open case (then
  they are evidence until the case closes). A reporter's track record therefore covers the
  retention period.
* **message texts** (messages and invitation notes) older than ``messages_days`` are removed from
  the stored events; the event itself (who approached whom, when) stays for the graph. Texts of a
  profile with an open case are kept until it closes.
* **closed cases** older than ``closed_cases_days`` are deleted with their history. Decisions
  (training labels) and the audit trail are kept.
* **notifications** older than ``notifications_days`` are deleted.

Erasure of a member (``spycatcher privacy erase --member PLATFORM:ID``): their reports are deleted
(or, where an open case still relies on them, stripped of text and reporter), their notifications
deleted, their keys revoked, their appeals' text removed, the messages they sent deleted, their
identity in others' events replaced by a pseudonym, and their profile with its assessments, labels
and closed cases deleted, except a profile that is under an open case (kept for the investigation,
and said so). The audit trail is never edited (its hash chain would break, by design); it never
held the member's identity, only a pseudonym, and erasure deletes the pseudonym's mapping, so what
the trail must keep becomes anonymous.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import Session

from spycatcher.organisation import purge_expired_in
from spycatcher.review import audit
from spycatcher.review.base import transaction
from spycatcher.store import Store
from spycatcher.store.models import AssessmentRow, EventRow, ProfileRow
from spycatcher.store.review import (
    ApiKeyRow,
    AppealRow,
    CaseEventRow,
    CaseRow,
    DecisionRow,
    NotificationRow,
    ProfileStatusRow,
    PseudonymRow,
    ReportRow,
)

TEXT_TYPES = ("message", "invitation")
BATCH = 1_000


@dataclass(frozen=True)
class RetentionPolicy:
    reports_days: int = 365
    messages_days: int = 180
    closed_cases_days: int = 730
    notifications_days: int = 365

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _open_case() -> Any:
    """SQL: the profile in the surrounding row has an open case."""
    return exists().where(CaseRow.open_key.is_not(None), CaseRow.profile_id == ReportRow.profile_id)


def apply_retention(
    store: Store, policy: RetentionPolicy, now: datetime, actor: str, dry_run: bool = False
) -> dict[str, Any]:
    """Delete or redact what is past its retention period; returns what was (or would be) done."""
    counts = {
        "reports": 0,
        "message_texts": 0,
        "closed_cases": 0,
        "notifications": 0,
        "organisation_submissions": 0,
    }
    with transaction(store) as s:
        cutoff = now - timedelta(days=policy.reports_days)
        cond = and_(ReportRow.created_at < cutoff, ~_open_case())
        ids = list(s.scalars(select(ReportRow.id).where(cond)))
        counts["reports"] = len(ids)
        if ids and not dry_run:
            for i in range(0, len(ids), BATCH):
                s.execute(delete(ReportRow).where(ReportRow.id.in_(ids[i : i + BATCH])))

        cutoff = now - timedelta(days=policy.closed_cases_days)
        case_ids = list(
            s.scalars(
                select(CaseRow.id).where(CaseRow.status == "closed", CaseRow.closed_at < cutoff)
            )
        )
        counts["closed_cases"] = len(case_ids)
        if case_ids and not dry_run:
            for i in range(0, len(case_ids), BATCH):
                chunk = case_ids[i : i + BATCH]
                s.execute(delete(CaseEventRow).where(CaseEventRow.case_id.in_(chunk)))
                s.execute(delete(CaseRow).where(CaseRow.id.in_(chunk)))

        cutoff = now - timedelta(days=policy.notifications_days)
        q = select(NotificationRow.id).where(NotificationRow.created_at < cutoff)
        nids = list(s.scalars(q))
        counts["notifications"] = len(nids)
        if nids and not dry_run:
            for i in range(0, len(nids), BATCH):
                s.execute(
                    delete(NotificationRow).where(NotificationRow.id.in_(nids[i : i + BATCH]))
                )

        counts["message_texts"] = _redact_old_texts(
            s, now - timedelta(days=policy.messages_days), dry_run
        )
        # staff submissions carry each organisation's own retention period (organisation mode)
        counts["organisation_submissions"] = purge_expired_in(s, now, dry_run)
        audit.append(
            s,
            actor=actor,
            action="privacy.retention" + (".dry_run" if dry_run else ""),
            now=now,
            details={"policy": policy.as_dict(), "counts": counts},
        )
    return {"dry_run": dry_run, "policy": policy.as_dict(), "counts": counts}


def _redact_old_texts(s: Session, cutoff: datetime, dry_run: bool) -> int:
    open_actors = select(CaseRow.profile_id).where(CaseRow.open_key.is_not(None))
    q = (
        select(EventRow.event_key, EventRow.data)
        .where(
            EventRow.type.in_(TEXT_TYPES),
            EventRow.at < cutoff,
            EventRow.actor.not_in(open_actors),
        )
        .order_by(EventRow.event_key)
    )
    n = 0
    updates: list[tuple[str, dict[str, Any]]] = []
    for key, data in s.execute(q):
        if isinstance(data, dict) and data.get("text"):
            n += 1
            updates.append((key, {k: v for k, v in data.items() if k != "text"}))
    if not dry_run:
        for key, data in updates:
            s.execute(update(EventRow).where(EventRow.event_key == key).values(data=data))
    return n


def erase_member(
    store: Store, platform: str, member_id: str, actor: str, now: datetime
) -> dict[str, Any]:
    """Erase one member's personal data (see the module docstring); returns what was done."""
    done: dict[str, Any] = {}
    alias = "erased:" + secrets.token_hex(8)
    with transaction(store) as s:
        mapping = s.get(PseudonymRow, (platform, member_id))
        token = mapping.token if mapping is not None else None

        own_reports = ReportRow.platform == platform, ReportRow.reporter == member_id
        open_targets = select(CaseRow.profile_id).where(CaseRow.open_key.is_not(None))
        kept = s.execute(
            update(ReportRow)
            .where(*own_reports, ReportRow.profile_id.in_(open_targets))
            .values(reporter=alias, text=None)
        ).rowcount  # type: ignore[attr-defined]
        deleted = s.execute(delete(ReportRow).where(*own_reports)).rowcount  # type: ignore[attr-defined]
        done["reports_deleted"] = deleted
        done["reports_anonymised_for_open_cases"] = kept

        done["notifications_deleted"] = s.execute(
            delete(NotificationRow).where(
                NotificationRow.platform == platform, NotificationRow.member_id == member_id
            )
        ).rowcount  # type: ignore[attr-defined]
        done["keys_revoked"] = s.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.subject_platform == platform, ApiKeyRow.subject_id == member_id)
            .values(revoked_at=now, subject_id=None, name=None)
        ).rowcount  # type: ignore[attr-defined]
        done["appeals_anonymised"] = s.execute(
            update(AppealRow)
            .where(AppealRow.platform == platform, AppealRow.appellant == member_id)
            .values(appellant=alias, text=None)
        ).rowcount  # type: ignore[attr-defined]

        open_case = s.scalars(
            select(CaseRow.id).where(
                CaseRow.platform == platform,
                CaseRow.profile_id == member_id,
                CaseRow.open_key.is_not(None),
            )
        ).first()
        if open_case is not None:
            done["profile"] = f"kept: under open case {open_case}"
        else:
            done["events_sent_deleted"] = s.execute(
                delete(EventRow).where(EventRow.actor == member_id)
            ).rowcount  # type: ignore[attr-defined]
            done["profile_deleted"] = s.execute(
                delete(ProfileRow).where(
                    ProfileRow.platform == platform, ProfileRow.profile_id == member_id
                )
            ).rowcount  # type: ignore[attr-defined]
            done["assessments_deleted"] = s.execute(
                delete(AssessmentRow).where(
                    AssessmentRow.platform == platform, AssessmentRow.profile_id == member_id
                )
            ).rowcount  # type: ignore[attr-defined]
            done["labels_deleted"] = s.execute(
                delete(DecisionRow).where(
                    DecisionRow.platform == platform, DecisionRow.profile_id == member_id
                )
            ).rowcount  # type: ignore[attr-defined]
            s.execute(
                delete(ProfileStatusRow).where(
                    ProfileStatusRow.platform == platform, ProfileStatusRow.profile_id == member_id
                )
            )
            closed = list(
                s.scalars(
                    select(CaseRow.id).where(
                        CaseRow.platform == platform, CaseRow.profile_id == member_id
                    )
                )
            )
            if closed:
                s.execute(delete(CaseEventRow).where(CaseEventRow.case_id.in_(closed)))
                s.execute(delete(CaseRow).where(CaseRow.id.in_(closed)))
            done["closed_cases_deleted"] = len(closed)
        # others' events keep the fact of contact, not who it was
        received = list(
            s.execute(select(EventRow.event_key, EventRow.data).where(EventRow.target == member_id))
        )
        for key, data in received:
            new = dict(data or {})
            new["target"] = alias
            s.execute(
                update(EventRow).where(EventRow.event_key == key).values(target=alias, data=new)
            )
        done["events_received_pseudonymised"] = len(received)
        if mapping is not None:
            s.delete(mapping)
        done["audit_pseudonym_unlinked"] = token is not None
        audit.append(
            s,
            actor=actor,
            action="privacy.erase",
            now=now,
            subject=token,
            details={k: v for k, v in done.items() if k != "profile"}
            | {"profile_kept": "profile" in done},
        )
    return done
