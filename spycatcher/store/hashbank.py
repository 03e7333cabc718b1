"""The persistent photo hash bank: every profile photo seen, and known-bad photos with provenance.

One table, ``photo_hashes``. A row is a PDQ hash (64 hex characters) with its ``kind``
(``known_bad`` or ``profile``), its ``source`` (an intelligence feed, a review case, or "scan" for a
profile photo), a ``reason`` a reviewer can read, and, for profile photos, the profile it belongs
to. Writes are idempotent on (kind, source, pdq, platform, profile_id), so re-importing a feed or
re-scanning a file adds nothing twice.

Other areas call :func:`add_known_bad` (intelligence imports, review decisions) and
:func:`load_bank` (matching); :func:`record_profile_photos` is called after a scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from spycatcher.photo.bank import KINDS, BankEntry, HashBank
from spycatcher.photo.pdq import from_hex
from spycatcher.store.models import Base

MAX_SOURCE = 200
MAX_REASON = 2_000


class PhotoHashRow(Base):
    __tablename__ = "photo_hashes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pdq: Mapped[str] = mapped_column(String(64), index=True)
    quality: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(MAX_SOURCE))
    reason: Mapped[str] = mapped_column(Text, default="")
    platform: Mapped[str] = mapped_column(String(100), default="")
    profile_id: Mapped[str] = mapped_column(String(1000), default="")
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint(
            "kind", "source", "pdq", "platform", "profile_id", name="uq_photo_hashes_entry"
        ),
    )


def _row(
    pdq_hex: str,
    kind: str,
    source: str,
    reason: str,
    platform: str = "",
    profile_id: str = "",
    quality: int | None = None,
) -> dict[str, Any]:
    from_hex(pdq_hex)  # raises ValueError with a reason on a malformed hash
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if not source:
        raise ValueError("a bank entry needs a source")
    return {
        "pdq": pdq_hex.strip().lower(),
        "quality": quality,
        "kind": kind,
        "source": source[:MAX_SOURCE],
        "reason": (reason or "")[:MAX_REASON],
        "platform": platform or "",
        "profile_id": profile_id or "",
        "added_at": datetime.now(UTC),
    }


def _insert_rows(store: Any, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    stmt = store._insert(PhotoHashRow.__table__).on_conflict_do_nothing(
        index_elements=["kind", "source", "pdq", "platform", "profile_id"]
    )
    n = 0
    with store.engine.begin() as conn:
        for i in range(0, len(rows), 2_000):
            res = conn.execute(stmt, rows[i : i + 2_000])
            n += max(res.rowcount or 0, 0)
    return n


def add_known_bad(store: Any, entries: Iterable[tuple[str, str, str]]) -> int:
    """Add known-bad photos as (pdq hex, source, reason); returns how many were new."""
    return _insert_rows(store, [_row(h, "known_bad", src, why) for h, src, why in entries])


def record_profile_photos(
    store: Any, photos: Iterable[tuple[str, str, str, int | None]], source: str = "scan"
) -> int:
    """Bank profile photos as (platform, profile id, pdq hex, quality); returns the new count."""
    rows = [
        _row(h, "profile", source, "profile photo", platform, pid, quality)
        for platform, pid, h, quality in photos
    ]
    return _insert_rows(store, rows)


def load_bank(store: Any, kinds: tuple[str, ...] = KINDS) -> HashBank:
    """Every bank entry of the given kinds, ready for matching."""
    bank = HashBank()
    with store.session() as s:
        q = select(PhotoHashRow).where(PhotoHashRow.kind.in_(kinds)).order_by(PhotoHashRow.id)
        for row in s.scalars(q):
            bank.add(
                BankEntry(
                    pdq=bytes.fromhex(row.pdq),
                    source=row.source,
                    reason=row.reason,
                    kind=row.kind,
                    platform=row.platform,
                    profile_id=row.profile_id,
                    added_at=row.added_at,
                )
            )
    return bank
