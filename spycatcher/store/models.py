"""Tables. Records are kept whole as JSON beside the columns that queries filter on.

Keys are natural (platform + profile id; event id or a content hash) so that re-ingesting the same
records updates rows instead of duplicating them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ProfileRow(Base):
    __tablename__ = "profiles"

    platform: Mapped[str] = mapped_column(String(100), primary_key=True)
    profile_id: Mapped[str] = mapped_column(String(1000), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(String(20))
    campaign: Mapped[str | None] = mapped_column(String(1000))
    #: sha256 of the canonical JSON, to tell a changed record from a re-sent one
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EventRow(Base):
    __tablename__ = "events"

    #: the event's own id when given, else a hash of its content (idempotent re-ingest)
    event_key: Mapped[str] = mapped_column(String(1000), primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(1000), index=True)
    target: Mapped[str] = mapped_column(String(1000), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ScanRun(Base):
    __tablename__ = "scan_runs"

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    engine: Mapped[str] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(Text)
    scorer: Mapped[str] = mapped_column(String(200))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AssessmentRow(Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("scan_runs.run_id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(100))
    profile_id: Mapped[str] = mapped_column(String(1000))
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(10))
    signals: Mapped[list[Any]] = mapped_column(JSON)
    contributions: Mapped[dict[str, Any]] = mapped_column(JSON)
    campaign_id: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_assessments_profile", "platform", "profile_id"),
        Index("ix_assessments_run_score", "run_id", "score"),
    )


class CampaignRow(Base):
    __tablename__ = "campaigns"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("scan_runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
