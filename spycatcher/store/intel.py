"""Threat-intelligence tables and the queries on them.

* ``intel_objects``: every STIX 2.1 object version imported (from a file, a TAXII collection or a
  converted MISP event), keyed on (STIX id, version) where the version is the object's
  ``modified`` timestamp (empty for objects that have none, such as cyber observables). STIX says
  a version never changes once published, so re-importing it is a no-op: imports are idempotent
  and ``added_at`` keeps the time the version first arrived. The raw JSON is kept whole beside the
  columns that queries filter on, plus the compiled form of an indicator's pattern so that a scan
  never needs the STIX library.
* ``intel_exports``: spycatcher's own outgoing objects (the read-only TAXII collection it serves).
  One row per STIX id holding its latest version; ``date_added`` changes only when the content
  does, which is what TAXII clients page on with ``added_after``.
* ``intel_feeds``: per TAXII collection pulled, the last ``X-TAXII-Date-Added-Last`` seen, so the
  next pull asks only for what is new.

The tables register on :data:`spycatcher.store.models.Base` when this module is imported; the
schema itself is created by the Alembic migration ``0003_intel``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    func,
    select,
    tuple_,
)
from sqlalchemy.orm import Mapped, mapped_column

from spycatcher.store.db import Store, utcnow
from spycatcher.store.models import Base


class IntelObjectRow(Base):
    __tablename__ = "intel_objects"

    stix_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    #: the object's ``modified`` as a canonical UTC string (sorts as time); "" when unversioned
    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    type: Mapped[str] = mapped_column(String(250))
    spec_version: Mapped[str] = mapped_column(String(10))
    created: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    modified: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: governing TLP level of the object's own markings (None when unmarked)
    tlp: Mapped[str | None] = mapped_column(String(20))
    markings: Mapped[list[Any]] = mapped_column(JSON)
    #: where it came from: "file:<name>", "taxii:<url>#<collection>", "misp:<event uuid>"
    source: Mapped[str] = mapped_column(String(1000))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: indicators: the pattern compiled by spycatcher.intel.patterns (None if not applicable)
    compiled: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (
        Index("ix_intel_objects_type", "type"),
        Index("ix_intel_objects_added", "added_at"),
    )


class IntelExportRow(Base):
    __tablename__ = "intel_exports"

    stix_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    type: Mapped[str] = mapped_column(String(250))
    version: Mapped[str] = mapped_column(String(40))
    spec_version: Mapped[str] = mapped_column(String(10))
    content_hash: Mapped[str] = mapped_column(String(64))
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tlp: Mapped[str | None] = mapped_column(String(20))
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_intel_exports_added", "date_added", "stix_id"),)


class IntelFeedRow(Base):
    __tablename__ = "intel_feeds"

    url: Mapped[str] = mapped_column(String(1000), primary_key=True)
    collection: Mapped[str] = mapped_column(String(300), primary_key=True)
    last_added: Mapped[str | None] = mapped_column(String(40))
    last_pulled: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    objects: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)


@dataclass
class UpsertCounts:
    new: int = 0
    unchanged: int = 0


class IntelRepository:
    """Reads and writes the intelligence tables through a :class:`~spycatcher.store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- imported objects --------------------------------------------------------------------

    def existing_versions(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (stix id, version) pairs are already stored."""
        found: set[tuple[str, str]] = set()
        with self.store.session() as s:
            for i in range(0, len(keys), 400):
                part = keys[i : i + 400]
                q = select(IntelObjectRow.stix_id, IntelObjectRow.version).where(
                    tuple_(IntelObjectRow.stix_id, IntelObjectRow.version).in_(part)
                )
                found.update((a, b) for a, b in s.execute(q))
        return found

    def upsert_objects(self, rows: list[dict[str, Any]]) -> UpsertCounts:
        """Store object versions; a version already stored is refreshed but keeps ``added_at``."""
        counts = UpsertCounts()
        if not rows:
            return counts
        dedup = {(r["stix_id"], r["version"]): r for r in rows}
        have = self.existing_versions(list(dedup))
        counts.unchanged = len(have)
        counts.new = len(dedup) - len(have)
        values = list(dedup.values())
        stmt = self.store._insert(IntelObjectRow.__table__)
        keep = ("stix_id", "version", "added_at")
        update = {c: stmt.excluded[c] for c in values[0] if c not in keep}
        stmt = stmt.on_conflict_do_update(index_elements=["stix_id", "version"], set_=update)
        with self.store.engine.begin() as conn:
            for i in range(0, len(values), 1_000):
                conn.execute(stmt, values[i : i + 1_000])
        return counts

    def latest_objects(self, types: Iterable[str] | None = None) -> Iterator[IntelObjectRow]:
        """The newest version of every stored object (optionally of some types), by id."""
        newest = select(
            IntelObjectRow.stix_id.label("sid"), func.max(IntelObjectRow.version).label("ver")
        ).group_by(IntelObjectRow.stix_id)
        if types is not None:
            newest = newest.where(IntelObjectRow.type.in_(list(types)))
        sub = newest.subquery()
        q = (
            select(IntelObjectRow)
            .join(
                sub,
                (IntelObjectRow.stix_id == sub.c.sid) & (IntelObjectRow.version == sub.c.ver),
            )
            .order_by(IntelObjectRow.stix_id)
        )
        with self.store.session() as s:
            yield from s.scalars(q)

    def count_by_type(self) -> dict[str, int]:
        """Distinct objects (not versions) per STIX type."""
        q = select(IntelObjectRow.type, func.count(func.distinct(IntelObjectRow.stix_id))).group_by(
            IntelObjectRow.type
        )
        with self.store.session() as s:
            return {t: int(n) for t, n in s.execute(q)}

    def count_versions(self) -> int:
        return self.store.count(IntelObjectRow)

    # -- exported objects (the served collection) --------------------------------------------

    def export_rows(self, ids: Sequence[str]) -> dict[str, IntelExportRow]:
        out: dict[str, IntelExportRow] = {}
        with self.store.session() as s:
            for i in range(0, len(ids), 400):
                q = select(IntelExportRow).where(IntelExportRow.stix_id.in_(ids[i : i + 400]))
                out.update({r.stix_id: r for r in s.scalars(q)})
        return out

    def upsert_exports(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.store._upsert(IntelExportRow.__table__, rows, ["stix_id"])

    def page_exports(
        self,
        *,
        added_after: datetime | None = None,
        after_key: tuple[datetime, str] | None = None,
        ids: Sequence[str] | None = None,
        types: Sequence[str] | None = None,
        limit: int = 100,
    ) -> list[IntelExportRow]:
        """Exported objects in (date_added, id) order, strictly after a cursor when given."""
        q = select(IntelExportRow)
        if added_after is not None:
            q = q.where(IntelExportRow.date_added > added_after)
        if after_key is not None:
            t, sid = after_key
            q = q.where(
                (IntelExportRow.date_added > t)
                | ((IntelExportRow.date_added == t) & (IntelExportRow.stix_id > sid))
            )
        if ids:
            q = q.where(IntelExportRow.stix_id.in_(list(ids)))
        if types:
            q = q.where(IntelExportRow.type.in_(list(types)))
        q = q.order_by(IntelExportRow.date_added, IntelExportRow.stix_id).limit(limit)
        with self.store.session() as s:
            return list(s.scalars(q))

    def count_exports(self) -> int:
        return self.store.count(IntelExportRow)

    # -- TAXII feeds ---------------------------------------------------------------------------

    def feed(self, url: str, collection: str) -> IntelFeedRow | None:
        with self.store.session() as s:
            return s.get(IntelFeedRow, (url, collection))

    def save_feed(self, url: str, collection: str, last_added: str | None, objects: int) -> None:
        with self.store.session() as s, s.begin():
            row = s.get(IntelFeedRow, (url, collection))
            if row is None:
                row = IntelFeedRow(url=url, collection=collection, objects=0)
                s.add(row)
            if last_added:
                row.last_added = last_added
            row.last_pulled = utcnow()
            row.objects = (row.objects or 0) + objects
