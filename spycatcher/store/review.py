"""Tables of the service: API keys, member reports, cases, decisions, the action outbox, appeals,
notifications, the hash-chained audit log and the pseudonyms it refers to.

They share ``Base`` with the core tables (so Alembic sees one metadata) and are created by the
migration ``0004_review`` on its own branch from ``0001``. Logic lives in :mod:`spycatcher.review`;
this module only says what is stored and which columns queries filter on.

A few choices worth knowing:

* ``cases.open_key`` and ``appeals.open_key`` hold "platform/profile" while a case or appeal is
  open and NULL once it is closed; a unique index on them makes "one open case per profile" a
  database guarantee (NULLs never collide, on SQLite and PostgreSQL alike), which is what keeps a
  burst of 500 reports from opening 500 cases even when requests race.
* ``decisions`` holds only final labels (fake / genuine) so that ``spycatcher train --from-store``
  can read it as training data: the latest row per (platform, profile_id) is the label.
* ``audit_log`` stores timestamps and details as the exact text that was hashed, so verification
  never depends on how a database round-trips a datetime or a float.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from spycatcher.store.models import Base

TZ = DateTime(timezone=True)


class ApiKeyRow(Base):
    """An API key: only a salted hash of its secret is kept; the secret is shown once."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    #: for member keys: the member's own profile (what "own" means for reports and appeals)
    subject_platform: Mapped[str | None] = mapped_column(String(100))
    subject_id: Mapped[str | None] = mapped_column(String(1000))
    #: an admin's grant: this reviewer may see who reported a profile
    can_see_reporters: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TZ)
    created_by: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(TZ)


class ReportRow(Base):
    """A member's report of a profile (one per reporter and profile: repeats are de-duplicated)."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(100))
    profile_id: Mapped[str] = mapped_column(String(1000))
    reporter: Mapped[str] = mapped_column(String(1000))
    reason: Mapped[str] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(Text)
    #: "api" (a member through the service) or "ingest" (the platform's own report events)
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(TZ)

    __table_args__ = (
        UniqueConstraint("platform", "profile_id", "reporter", name="uq_reports_once"),
        Index("ix_reports_reporter_at", "platform", "reporter", "created_at"),
        Index("ix_reports_created", "created_at"),
    )


class ProfileStatusRow(Base):
    """What people decided about a profile, and which enforcement is in force."""

    __tablename__ = "profile_status"

    platform: Mapped[str] = mapped_column(String(100), primary_key=True)
    profile_id: Mapped[str] = mapped_column(String(1000), primary_key=True)
    label: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[datetime | None] = mapped_column(TZ)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    #: restricted / removed / labelled, or NULL
    enforcement: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(TZ)


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(100))
    profile_id: Mapped[str] = mapped_column(String(1000))
    #: "platform/profile" while open, NULL when closed (unique: one open case per profile)
    open_key: Mapped[str | None] = mapped_column(String(1200), unique=True)
    #: open / needs_info / escalated / closed
    status: Mapped[str] = mapped_column(String(20))
    triggers: Mapped[list[Any]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    report_weight: Mapped[float] = mapped_column(Float, default=0.0)
    intel_matches: Mapped[int] = mapped_column(Integer, default=0)
    sensitivity: Mapped[float] = mapped_column(Float, default=0.0)
    #: the time-independent part of the queue priority (age is added when the queue is read)
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    opened_at: Mapped[datetime] = mapped_column(TZ)
    updated_at: Mapped[datetime] = mapped_column(TZ)
    closed_at: Mapped[datetime | None] = mapped_column(TZ)
    assignee: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(TZ)
    outcome: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        Index("ix_cases_profile", "platform", "profile_id"),
        Index("ix_cases_status", "status"),
    )


class CaseEventRow(Base):
    """The history of a case: opened, re-triggered, claimed, released, decided."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(TZ)
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_case_events_kind_at", "kind", "at"),)


class DecisionRow(Base):
    """A final human label (fake / genuine): what ``spycatcher train --from-store`` reads."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(100))
    profile_id: Mapped[str] = mapped_column(String(1000))
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(TZ)
    case_id: Mapped[int | None] = mapped_column(Integer)
    #: "review" (a case decision) or "appeal" (an appeal's outcome)
    source: Mapped[str] = mapped_column(String(20))

    __table_args__ = (Index("ix_decisions_profile", "platform", "profile_id", "decided_at"),)


class ActionRow(Base):
    """The outbox: an enforcement action for the platform, kept until the platform has it.

    ``id`` is the idempotency key the platform sees; ``seq`` orders actions so that a profile's
    reinstatement never overtakes its removal.
    """

    __tablename__ = "actions"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    platform: Mapped[str] = mapped_column(String(100))
    profile_id: Mapped[str] = mapped_column(String(1000))
    #: restrict / remove / label / unrestrict / reinstate / unlabel / notify
    action: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    case_id: Mapped[int | None] = mapped_column(Integer)
    appeal_id: Mapped[int | None] = mapped_column(Integer)
    reverses: Mapped[str | None] = mapped_column(String(32))
    reversed_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(TZ)
    created_by: Mapped[str] = mapped_column(String(100))
    #: pending / delivered / dead (too many failures) / cancelled (reversed before it was sent)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(TZ)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(TZ)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(TZ)

    __table_args__ = (
        Index("ix_actions_due", "status", "next_attempt_at"),
        Index("ix_actions_profile", "platform", "profile_id"),
    )


class NotificationRow(Base):
    """A message to a member that a profile they dealt with was fake and removed (CPNI "Remove")."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(100))
    member_id: Mapped[str] = mapped_column(String(1000))
    profile_id: Mapped[str] = mapped_column(String(1000))
    case_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TZ)
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_notifications_member", "platform", "member_id"),)


class AppealRow(Base):
    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(100))
    profile_id: Mapped[str] = mapped_column(String(1000))
    open_key: Mapped[str | None] = mapped_column(String(1200), unique=True)
    appellant: Mapped[str] = mapped_column(String(1000))
    text: Mapped[str | None] = mapped_column(Text)
    #: open / granted / denied
    status: Mapped[str] = mapped_column(String(20))
    #: who decided the profile was fake: may not decide the appeal
    original_reviewer: Mapped[str | None] = mapped_column(String(100))
    case_id: Mapped[int | None] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(TZ)
    decided_at: Mapped[datetime | None] = mapped_column(TZ)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_appeals_profile", "platform", "profile_id"),)


class AuditRow(Base):
    """One audit entry; ``hash`` = sha256 over the entry and the previous entry's hash."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_log_subject", "subject"),)


class AuditHeadRow(Base):
    """The chain's head (last seq and hash): appending locks this row, so entries form one line."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class PseudonymRow(Base):
    """A member's stable pseudonym in the audit log; erasing the member deletes this mapping."""

    __tablename__ = "pseudonyms"

    platform: Mapped[str] = mapped_column(String(100), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(1000), primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZ)


REVIEW_TABLES = (
    ApiKeyRow,
    ReportRow,
    ProfileStatusRow,
    CaseRow,
    CaseEventRow,
    DecisionRow,
    ActionRow,
    NotificationRow,
    AppealRow,
    AuditRow,
    AuditHeadRow,
    PseudonymRow,
)
