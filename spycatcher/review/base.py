"""What every review module shares: transactions, the clock, errors, and small helpers.

SQLite allows one writer at a time, and a transaction that read before it writes fails at once
(instead of waiting) when another connection wrote in between. The service runs many request
threads in one process, so on SQLite its write transactions take a process-wide lock: they queue
instead of failing. PostgreSQL needs no such lock; its row locks (the audit head, conditional
updates) order concurrent writers, across processes too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from spycatcher.store import Store

Clock = Callable[[], datetime]

_SQLITE_WRITE_LOCK = threading.RLock()

#: longest free text a member or reviewer may attach (reasons, report text, appeal text)
MAX_TEXT = 5_000


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone columns: they were stored as UTC."""
    if dt is None:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def iso(dt: datetime | None) -> str | None:
    d = aware(dt)
    return d.isoformat() if d else None


class ReviewError(Exception):
    """A request the service refuses; ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


class NotFound(ReviewError):
    status = 404


class Conflict(ReviewError):
    status = 409


class Forbidden(ReviewError):
    status = 403


class RateLimited(ReviewError):
    status = 429


@contextmanager
def write_lock(store: Store) -> Iterator[None]:
    """Hold the SQLite write lock around the Store's own writes (upserts, scan runs)."""
    if store.dialect != "sqlite":
        yield
        return
    with _SQLITE_WRITE_LOCK:
        yield


@contextmanager
def transaction(store: Store) -> Iterator[Session]:
    """A session in one transaction (committed on success), serialised on SQLite."""
    lock = _SQLITE_WRITE_LOCK if store.dialect == "sqlite" else None
    if lock is not None:
        lock.acquire()
    try:
        with store.session() as s, s.begin():
            yield s
    finally:
        if lock is not None:
            lock.release()


def profile_key(platform: str, profile_id: str) -> str:
    """The value of ``open_key`` columns: one open case / appeal per profile."""
    return f"{platform}/{profile_id}"


def excerpt(text: Any, limit: int = 280) -> str:
    """A bounded, single-line excerpt of attacker-written text (never interpreted)."""
    t = " ".join(str(text or "").split())
    return t if len(t) <= limit else t[: limit - 1] + "\u2026"


def insert_for(s: Session, table: Any) -> Any:
    """The dialect's INSERT (with ON CONFLICT support) for ``table``."""
    name = s.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)


def table(model: Any) -> Table:
    """A mapped class's Table, for core UPDATEs with conditions (claims, leases)."""
    return cast(Table, model.__table__)
