"""The Store: one object that every front door (CLI, API, web, engines) uses to read and write.

Writes are batched (executemany) and idempotent: profiles and events are upserted on their natural
keys with the dialect's ON CONFLICT, so re-ingesting a file changes nothing, and a changed record is
updated in place.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, delete, event, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from spycatcher.schema import Event, Profile
from spycatcher.store.models import AssessmentRow, CampaignRow, EventRow, ProfileRow, ScanRun

ENV_URL = "SPYCATCHER_DATABASE_URL"
DEFAULT_URL = "sqlite:///spycatcher.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(url: str | None = None) -> str:
    """The URL to use: an explicit one, else $SPYCATCHER_DATABASE_URL, else ./spycatcher.db."""
    url = url or os.environ.get(ENV_URL) or DEFAULT_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def utcnow() -> datetime:
    return datetime.now(UTC)


def content_hash(data: Any) -> str:
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Store:
    """A database holding profiles, events, scan runs, assessments and everything built on them."""

    BATCH = 2_000

    def __init__(self, url: str | None = None, *, migrate: bool = True, echo: bool = False):
        self.url = database_url(url)
        self.engine: Engine = create_engine(self.url, echo=echo, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.migrate()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self, revision: str = "heads") -> None:
        """Bring the schema to ``revision`` through Alembic (creates a fresh database).

        Each area (photos, intelligence, review) adds its tables on its own Alembic branch from
        0001, so upgrading to "heads" applies them all in dependency order.
        """
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def session(self) -> Session:
        return self.sessions()

    def close(self) -> None:
        self.engine.dispose()

    # -- upserts -------------------------------------------------------------------------------

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    def _upsert(self, table: Any, rows: list[dict[str, Any]], keys: Sequence[str]) -> None:
        if not rows:
            return
        stmt = self._insert(table)
        update = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=update)
        with self.engine.begin() as conn:
            conn.execute(stmt, rows)

    def upsert_profiles(self, profiles: Iterable[Profile]) -> int:
        """Insert or update profiles by (platform, id); returns how many were written."""
        n = 0
        batch: dict[tuple[str, str], dict[str, Any]] = {}
        now = utcnow()
        for p in profiles:
            data = p.model_dump(mode="json", exclude_none=True)
            batch[(p.platform, p.id)] = {
                "platform": p.platform,
                "profile_id": p.id,
                "name": p.name,
                "label": p.label,
                "campaign": p.campaign,
                "content_hash": content_hash(data),
                "data": data,
                "updated_at": now,
            }
            if len(batch) >= self.BATCH:
                self._upsert(ProfileRow.__table__, list(batch.values()), ["platform", "profile_id"])
                n += len(batch)
                batch.clear()
        self._upsert(ProfileRow.__table__, list(batch.values()), ["platform", "profile_id"])
        return n + len(batch)

    @staticmethod
    def event_key(e: Event) -> str:
        if e.id:
            return e.id
        return content_hash(e.model_dump(mode="json", exclude_none=True))

    def upsert_events(self, events: Iterable[Event]) -> int:
        n = 0
        batch: dict[str, dict[str, Any]] = {}
        for e in events:
            key = self.event_key(e)
            batch[key] = {
                "event_key": key,
                "type": e.type,
                "actor": e.actor,
                "target": e.target,
                "at": e.at,
                "data": e.model_dump(mode="json", exclude_none=True),
            }
            if len(batch) >= self.BATCH:
                self._upsert(EventRow.__table__, list(batch.values()), ["event_key"])
                n += len(batch)
                batch.clear()
        self._upsert(EventRow.__table__, list(batch.values()), ["event_key"])
        return n + len(batch)

    def get_profile(self, profile_id: str, platform: str | None = None) -> Profile | None:
        with self.session() as s:
            q = select(ProfileRow).where(ProfileRow.profile_id == profile_id)
            if platform:
                q = q.where(ProfileRow.platform == platform)
            row = s.scalars(q.limit(1)).first()
            return Profile.model_validate(row.data) if row else None

    def count(self, model: type[Any]) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

    # -- scan runs -----------------------------------------------------------------------------

    def start_run(self, engine: str, source: str | None, scorer: str) -> str:
        run_id = uuid.uuid4().hex
        with self.session() as s, s.begin():
            s.add(
                ScanRun(
                    run_id=run_id,
                    started_at=utcnow(),
                    engine=engine,
                    source=source,
                    scorer=scorer,
                    summary={},
                )
            )
        return run_id

    def save_assessments(self, run_id: str, rows: list[dict[str, Any]]) -> None:
        """Append assessment rows (dicts from Assessment.as_dict()) to a run."""
        if not rows:
            return
        values = [
            {
                "run_id": run_id,
                "platform": r.get("platform") or "linkedin",
                "profile_id": r["id"],
                "score": float(r["score"]),
                "level": r["level"],
                "signals": r.get("signals", []),
                "contributions": r.get("contributions", {}),
                "campaign_id": r.get("campaign_id"),
            }
            for r in rows
        ]
        with self.engine.begin() as conn:
            conn.execute(insert(AssessmentRow), values)

    def replace_assessments(self, run_id: str, rows: list[dict[str, Any]]) -> None:
        """Rewrite the given profiles' assessments in a run (after campaign lifts)."""
        if not rows:
            return
        ids = [r["id"] for r in rows]
        with self.engine.begin() as conn:
            for i in range(0, len(ids), 500):
                conn.execute(
                    delete(AssessmentRow).where(
                        AssessmentRow.run_id == run_id,
                        AssessmentRow.profile_id.in_(ids[i : i + 500]),
                    )
                )
        self.save_assessments(run_id, rows)

    def save_campaigns(self, run_id: str, campaigns: list[dict[str, Any]]) -> None:
        if not campaigns:
            return
        values = [
            {
                "run_id": run_id,
                "campaign_id": c["id"],
                "score": float(c.get("score", 0.0)),
                "size": len(c.get("members", [])),
                "data": c,
            }
            for c in campaigns
        ]
        with self.engine.begin() as conn:
            conn.execute(insert(CampaignRow), values)

    def finish_run(self, run_id: str, summary: dict[str, Any]) -> None:
        with self.session() as s, s.begin():
            run = s.get(ScanRun, run_id)
            if run is None:
                raise KeyError(run_id)
            run.finished_at = utcnow()
            run.summary = orjson.loads(orjson.dumps(summary, default=str))

    def latest_run(self) -> ScanRun | None:
        with self.session() as s:
            q = select(ScanRun).where(ScanRun.finished_at.is_not(None))
            return s.scalars(q.order_by(ScanRun.finished_at.desc()).limit(1)).first()

    def top_assessments(self, run_id: str, limit: int = 100) -> list[AssessmentRow]:
        with self.session() as s:
            q = (
                select(AssessmentRow)
                .where(AssessmentRow.run_id == run_id)
                .order_by(AssessmentRow.score.desc(), AssessmentRow.profile_id)
                .limit(limit)
            )
            return list(s.scalars(q))

    def latest_assessment(
        self, profile_id: str, platform: str | None = None
    ) -> AssessmentRow | None:
        with self.session() as s:
            q = (
                select(AssessmentRow)
                .join(ScanRun, ScanRun.run_id == AssessmentRow.run_id)
                .where(AssessmentRow.profile_id == profile_id)
            )
            if platform:
                q = q.where(AssessmentRow.platform == platform)
            return s.scalars(q.order_by(ScanRun.started_at.desc()).limit(1)).first()

    def campaigns(self, run_id: str) -> list[CampaignRow]:
        with self.session() as s:
            q = select(CampaignRow).where(CampaignRow.run_id == run_id)
            return list(s.scalars(q.order_by(CampaignRow.score.desc())))
