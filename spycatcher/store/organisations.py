"""Tables of organisation mode: organisations, their officers, staff submissions, approaches.

A security officer sees which of their staff were approached, by whom and how, so that approaches
spread over many people can be seen as one campaign. What is stored is only what that needs
(the rules are decided in :mod:`spycatcher.organisation`; this module says how it is kept):

* ``organisations``: a name, a retention period and a SHA-256 hash of the staff code (the code is
  ~100 random bits, shown once; a hash of it is enough to recognise it and useless to a thief);
* ``org_officers``: which ``org-officer`` API key belongs to which organisation (one each);
* ``org_submissions``: one staff member's export, as a label the officer or the staff member
  chose (e.g. a name or staff number), when, how many approaches were kept, and when it expires;
  a hash of the staff member's own erasure code when they submitted it themselves;
* ``org_approaches``: per submission and sender, the sender's public details as the export shows
  them, counts and dates, at most a few texts, and the check's level, score and reasons.

Nothing of the export itself is kept: not the file, not the staff member's own profile, not their
connections, not their own messages, not messages from colleagues the check judged low risk.
Rows are deleted (not flagged) when a submission expires or is erased; approaches go with their
submission. Created by the migration ``0005_organisations`` on its own branch from ``0001``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from spycatcher.store.models import Base

TZ = DateTime(timezone=True)


class OrganisationRow(Base):
    """An organisation using organisation mode."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: SHA-256 (hex) of the staff code; unique, so a code names one organisation
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: days a staff submission is kept before it is deleted
    retention_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TZ)
    created_by: Mapped[str | None] = mapped_column(String(100))


class OrgOfficerRow(Base):
    """An org-officer key and the one organisation it may see."""

    __tablename__ = "org_officers"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(32), ForeignKey("organisations.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(TZ)


class OrgSubmissionRow(Base):
    """One staff member's export, as far as the officer needs it."""

    __tablename__ = "org_submissions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(32), ForeignKey("organisations.id"), index=True)
    staff_label: Mapped[str] = mapped_column(String(200))
    #: "officer" (uploaded by the officer) or "staff" (submitted with the organisation's code)
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(TZ)
    expires_at: Mapped[datetime] = mapped_column(TZ, index=True)
    #: SHA-256 of the erasure code given to a staff member who submitted their own export
    erase_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: counts only: senders checked, approaches kept, levels, lines that could not be read
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class OrgApproachRow(Base):
    """One sender's approaches to one staff member (one submission)."""

    __tablename__ = "org_approaches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("org_submissions.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[str] = mapped_column(String(32), index=True)
    #: the sender's normalised profile URL (``linkedin.com/in/<slug>``) or ``name:<name>``
    sender_id: Mapped[str] = mapped_column(String(1000))
    #: name, headline, employer, email and URL as the export shows them (attacker-written)
    sender: Mapped[dict[str, Any]] = mapped_column(JSON)
    invitations: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(TZ)
    last_at: Mapped[datetime] = mapped_column(TZ)
    #: [{"kind", "at", "text"}], newest last, bounded (see spycatcher.organisation)
    texts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(10))
    #: [{"name", "title", "evidence"}] from the check
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
