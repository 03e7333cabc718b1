"""The audit trail: every automated and human action, append-only and chained by hash.

Each entry records who or what acted (an API key id, ``system:engine``, ``system:outbox``, a CLI
user), when, what was done, to what, and why. Its hash is SHA-256 over its own canonical content
and the previous entry's hash, so editing an entry breaks its own hash and deleting one breaks the
link of the next; the head row (last sequence number and hash) catches deleting the newest
entries. :func:`verify` checks all three. Someone able to rewrite the whole table *and* the head
could forge a consistent chain, which is why :func:`head` exists: publish or store the head
elsewhere from time to time and pass it back as an anchor to ``spycatcher audit verify``.

Appending first increments the head row: that statement takes the row's write lock (PostgreSQL) or
the database's write lock (SQLite), so concurrent appenders queue and the chain stays a single line.
Entries are written in the same transaction as the action they describe: no action without its
record, no record of an action that was rolled back.

The log holds no member's identity: members and profiles appear as pseudonyms (see
:func:`pseudonym`); erasing a member deletes the mapping, and the chain stays intact.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from spycatcher.review.base import excerpt, insert_for, table
from spycatcher.store import Store
from spycatcher.store.review import AuditHeadRow, AuditRow, PseudonymRow

GENESIS = "0" * 64


def canonical(data: Any) -> str:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS, default=str).decode()


def entry_hash(
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str | None,
    reason: str | None,
    details: str,
    prev_hash: str,
) -> str:
    body = canonical(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "reason": reason,
            "details": details,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(body.encode()).hexdigest()


def pseudonym(s: Session, platform: str, subject_id: str, now: datetime) -> str:
    """A member's or profile's stable pseudonym for the audit log (created on first use)."""
    row = s.get(PseudonymRow, (platform, subject_id))
    if row is not None:
        return row.token
    token = "p_" + secrets.token_hex(10)
    values = {"platform": platform, "subject_id": subject_id, "token": token, "created_at": now}
    stmt = insert_for(s, PseudonymRow.__table__).values(**values)
    s.execute(stmt.on_conflict_do_nothing(index_elements=["platform", "subject_id"]))
    got = s.execute(
        select(PseudonymRow.token).where(
            PseudonymRow.platform == platform, PseudonymRow.subject_id == subject_id
        )
    ).scalar_one()
    return str(got)


def append(
    s: Session,
    *,
    actor: str,
    action: str,
    now: datetime,
    subject: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditRow:
    """Append one entry inside the caller's transaction."""
    head_t = table(AuditHeadRow)
    seq, prev = s.execute(
        update(head_t)
        .where(head_t.c.id == 1)
        .values(seq=head_t.c.seq + 1)
        .returning(head_t.c.seq, head_t.c.hash)
    ).one()
    at = now.isoformat()
    details_text = canonical(details or {})
    reason_text = excerpt(reason, 2_000) if reason else None
    h = entry_hash(int(seq), at, actor, action, subject, reason_text, details_text, str(prev))
    row = AuditRow(
        seq=int(seq),
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        reason=reason_text,
        details=details_text,
        prev_hash=str(prev),
        hash=h,
    )
    s.add(row)
    s.flush()
    s.execute(update(head_t).where(head_t.c.id == 1).values(hash=h))
    return row


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "problems": self.problems,
        }


def _rows(store: Store, batch: int = 5_000) -> Iterator[AuditRow]:
    last = 0
    while True:
        with store.session() as s:
            rows = list(
                s.scalars(
                    select(AuditRow).where(AuditRow.seq > last).order_by(AuditRow.seq).limit(batch)
                )
            )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(store: Store, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Walk the chain; report edited entries, missing entries and a head that does not match.

    ``anchor`` is a (seq, hash) published earlier: the entry at ``seq`` must still carry it.
    """
    problems: list[dict[str, Any]] = []
    expected, prev, n = 1, GENESIS, 0
    anchor_seen = False
    for row in _rows(store):
        n += 1
        if row.seq != expected:
            problems.append(
                {"seq": expected, "problem": f"entries {expected} to {row.seq - 1} are missing"}
            )
        if row.prev_hash != prev:
            problems.append(
                {
                    "seq": row.seq,
                    "problem": "does not follow the entry before it (deleted or edited)",
                }
            )
        recomputed = entry_hash(
            row.seq,
            row.at,
            row.actor,
            row.action,
            row.subject,
            row.reason,
            row.details,
            row.prev_hash,
        )
        if recomputed != row.hash:
            problems.append(
                {"seq": row.seq, "problem": "content edited: it no longer matches its hash"}
            )
        if anchor is not None and row.seq == anchor[0]:
            anchor_seen = True
            if row.hash != anchor[1]:
                problems.append({"seq": row.seq, "problem": "differs from the published anchor"})
        prev, expected = row.hash, row.seq + 1
    with store.session() as s:
        head_row = s.get(AuditHeadRow, 1)
    if head_row is None:
        problems.append({"seq": None, "problem": "the chain's head record is missing"})
        head_seq, head_hash = 0, GENESIS
    else:
        head_seq, head_hash = head_row.seq, head_row.hash
        if head_seq != expected - 1:
            problems.append(
                {
                    "seq": expected,
                    "problem": f"the head says {head_seq} entries but the log ends at "
                    f"{expected - 1} (newest entries deleted?)",
                }
            )
        elif head_hash != prev:
            problems.append({"seq": head_seq, "problem": "the last entry does not match the head"})
    if anchor is not None and not anchor_seen:
        problems.append({"seq": anchor[0], "problem": "the anchored entry is missing"})
    return VerifyResult(not problems, n, head_seq, head_hash, problems)


def head(store: Store) -> dict[str, Any]:
    """The chain's head, to publish as an anchor: ``{"seq": N, "hash": "..."}``."""
    with store.session() as s:
        row = s.get(AuditHeadRow, 1)
    if row is None:
        return {"seq": 0, "hash": GENESIS}
    return {"seq": row.seq, "hash": row.hash}


def entries(
    store: Store, after: int = 0, limit: int = 100, subject: str | None = None
) -> list[dict[str, Any]]:
    """Entries in order, for the admin's audit view."""
    with store.session() as s:
        q = select(AuditRow).where(AuditRow.seq > after)
        if subject:
            q = q.where(AuditRow.subject == subject)
        rows = list(s.scalars(q.order_by(AuditRow.seq).limit(limit)))
    return [
        {
            "seq": r.seq,
            "at": r.at,
            "actor": r.actor,
            "action": r.action,
            "subject": r.subject,
            "reason": r.reason,
            "details": orjson.loads(r.details),
            "hash": r.hash,
        }
        for r in rows
    ]


def subject_token(s: Session, platform: str, subject_id: str) -> str | None:
    """The pseudonym a member or profile has in the log, without creating one (None: the log
    never mentioned them, or their mapping was erased)."""
    row = s.get(PseudonymRow, (platform, subject_id))
    return row.token if row is not None else None


def for_subject(s: Session, subject: str, limit: int = 200) -> list[dict[str, Any]]:
    """The newest ``limit`` entries about one pseudonym, oldest first (a case's trail)."""
    rows = list(
        s.scalars(
            select(AuditRow)
            .where(AuditRow.subject == subject)
            .order_by(AuditRow.seq.desc())
            .limit(limit)
        )
    )
    return [
        {
            "seq": r.seq,
            "at": r.at,
            "actor": r.actor,
            "action": r.action,
            "subject": r.subject,
            "reason": r.reason,
            "details": orjson.loads(r.details),
            "hash": r.hash,
        }
        for r in reversed(rows)
    ]
