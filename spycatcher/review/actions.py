"""Enforcement actions and their delivery to the platform: an outbox and a signed webhook.

A decision writes its actions (restrict, remove, label; their reversals; notifications) into the
``actions`` table *in the same transaction* as the decision and its audit entry: if the platform
is down, nothing is lost, the actions simply wait. A deliverer (a background thread of ``spycatcher
serve``, or ``spycatcher outbox deliver`` from cron) POSTs each pending action to the platform's
webhook, oldest first, and marks it delivered on a 2xx answer (or 409, "already have it"). A
failure schedules a retry with exponential backoff and jitter; after ``max_attempts`` the action is
"dead" and waits for an admin (``POST /admin/outbox/{id}/retry``).

Exactly once, as the platform sees it:

* every action has a fixed id, sent as the ``Idempotency-Key`` header and in the body, so a retry
  after a lost answer is recognisable: the platform applies each key once;
* a deliverer takes a short lease on an action before sending it (a conditional UPDATE), so two
  workers never send the same action at the same time;
* a profile's actions go out in order: an action waits while an older action of the same profile
  is still pending (or dead), so a reinstatement never overtakes its removal and members are not
  told a profile was removed before the platform has removed it.

Signature (for the platform to check that a request came from us and was not altered)::

    X-Spycatcher-Timestamp: 1767225600
    X-Spycatcher-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

The platform recomputes the HMAC over the raw body, compares in constant time, and rejects
timestamps more than five minutes old (replays). :func:`verify_signature` does exactly that.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from spycatcher.review import audit
from spycatcher.review.base import aware, excerpt, iso, table, transaction, utcnow
from spycatcher.store import Store
from spycatcher.store.review import ActionRow

log = logging.getLogger(__name__)

#: action -> the enforcement state it puts the profile in
ENFORCEMENT = {"restrict": "restricted", "remove": "removed", "label": "labelled"}
#: action -> the action that undoes it
REVERSAL = {"restrict": "unrestrict", "remove": "reinstate", "label": "unlabel"}
ACTIONS = (*ENFORCEMENT, *REVERSAL.values(), "notify")

SIGNATURE_HEADER = "X-Spycatcher-Signature"
TIMESTAMP_HEADER = "X-Spycatcher-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: answers that mean "the platform has this action"
DELIVERED_STATUSES = frozenset({200, 201, 202, 204, 409})


def sign(secret: str | bytes, timestamp: int, body: bytes) -> str:
    """The signature header value for a body sent at ``timestamp`` (Unix seconds)."""
    key = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={mac}"


def verify_signature(
    secret: str | bytes,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = 300,
) -> bool:
    """What the platform runs on each request: is it ours, unaltered and recent?"""
    if not timestamp or not signature:
        return False
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs((now if now is not None else time.time()) - ts) > tolerance:
        return False
    expected = sign(secret, ts, body)
    return any(hmac.compare_digest(expected, part.strip()) for part in signature.split(","))


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str
    timeout: float = 10.0
    max_attempts: int = 20
    base_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(hours=1)

    def backoff(self, attempts: int) -> timedelta:
        """Delay before the next try after ``attempts`` failures: doubling, capped, +0-10%."""
        base = self.base_delay.total_seconds() * (2 ** max(0, attempts - 1))
        delay = min(self.max_delay.total_seconds(), base)
        return timedelta(seconds=delay * (1.0 + 0.1 * random.random()))


def enqueue(
    s: Session,
    *,
    platform: str,
    profile_id: str,
    action: str,
    payload: dict[str, Any],
    actor: str,
    now: datetime,
    case_id: int | None = None,
    appeal_id: int | None = None,
    reverses: str | None = None,
) -> ActionRow:
    """Put one action in the outbox (inside the caller's transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    row = ActionRow(
        id=uuid.uuid4().hex,
        platform=platform,
        profile_id=profile_id,
        action=action,
        payload=payload,
        case_id=case_id,
        appeal_id=appeal_id,
        reverses=reverses,
        created_at=now,
        created_by=actor,
        status="pending",
        attempts=0,
        next_attempt_at=now,
    )
    s.add(row)
    s.flush()
    return row


def active_enforcement(s: Session, platform: str, profile_id: str) -> list[ActionRow]:
    """Enforcement actions on the profile that are in force or on their way (not yet reversed)."""
    return list(
        s.scalars(
            select(ActionRow)
            .where(
                ActionRow.platform == platform,
                ActionRow.profile_id == profile_id,
                ActionRow.action.in_(tuple(ENFORCEMENT)),
                ActionRow.reversed_by.is_(None),
                ActionRow.status.in_(("pending", "delivered", "dead")),
            )
            .order_by(ActionRow.seq)
        )
    )


def reverse_active(
    s: Session,
    *,
    platform: str,
    profile_id: str,
    actor: str,
    now: datetime,
    reason: str,
    case_id: int | None = None,
    appeal_id: int | None = None,
) -> list[dict[str, Any]]:
    """Undo every enforcement in force: cancel what was never sent, send reversals for the rest."""
    done: list[dict[str, Any]] = []
    for a in active_enforcement(s, platform, profile_id):
        lease = aware(a.lease_until)
        in_flight = lease is not None and lease >= now
        if a.status in ("pending", "dead") and not in_flight:
            a.status = "cancelled"
            a.reversed_by = "cancelled"
            done.append({"action": a.action, "id": a.id, "result": "cancelled before delivery"})
            continue
        r = enqueue(
            s,
            platform=platform,
            profile_id=profile_id,
            action=REVERSAL[a.action],
            payload={"reason": excerpt(reason, 1_000)},
            actor=actor,
            now=now,
            case_id=case_id,
            appeal_id=appeal_id,
            reverses=a.id,
        )
        a.reversed_by = r.id
        done.append({"action": r.action, "id": r.id, "reverses": a.id})
    return done


def body_of(a: ActionRow) -> bytes:
    """The JSON the platform receives for an action (the same bytes on every retry)."""
    return orjson.dumps(
        {
            "id": a.id,
            "action": a.action,
            "platform": a.platform,
            "profile_id": a.profile_id,
            "case_id": a.case_id,
            "appeal_id": a.appeal_id,
            "reverses": a.reverses,
            "created_at": iso(a.created_at),
            **(a.payload or {}),
        },
        option=orjson.OPT_SORT_KEYS,
    )


def as_dict(a: ActionRow) -> dict[str, Any]:
    return {
        "id": a.id,
        "seq": a.seq,
        "action": a.action,
        "platform": a.platform,
        "profile_id": a.profile_id,
        "status": a.status,
        "attempts": a.attempts,
        "next_attempt_at": iso(a.next_attempt_at),
        "last_error": a.last_error,
        "created_at": iso(a.created_at),
        "delivered_at": iso(a.delivered_at),
        "reverses": a.reverses,
        "reversed_by": a.reversed_by,
        "case_id": a.case_id,
        "appeal_id": a.appeal_id,
    }


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "dead": self.dead,
            "waiting": self.waiting,
            "errors": self.errors[:20],
        }


Sender = Callable[[str, bytes, dict[str, str], float], int]


def http_sender(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST with httpx; returns the HTTP status (raises on connection errors)."""
    import httpx

    resp = httpx.post(url, content=body, headers=headers, timeout=timeout)
    return resp.status_code


class Deliverer:
    """Sends due actions from the outbox to the platform's webhook."""

    def __init__(
        self,
        store: Store,
        config: WebhookConfig,
        clock: Callable[[], datetime] = utcnow,
        sender: Sender = http_sender,
    ):
        self.store = store
        self.config = config
        self.clock = clock
        self.sender = sender
        self.owner = uuid.uuid4().hex

    def _claim(self, seq: int, now: datetime) -> ActionRow | None:
        t = table(ActionRow)
        lease = now + timedelta(seconds=self.config.timeout + 30)
        with transaction(self.store) as s:
            row = s.get(ActionRow, seq)
            if row is None:
                return None
            earlier = s.scalar(
                select(func.count())
                .select_from(ActionRow)
                .where(
                    ActionRow.platform == row.platform,
                    ActionRow.profile_id == row.profile_id,
                    ActionRow.status.in_(("pending", "dead")),
                    ActionRow.seq < seq,
                )
            )
            if earlier:
                return None
            res = s.execute(
                update(t)
                .where(
                    t.c.seq == seq,
                    t.c.status == "pending",
                    or_(t.c.lease_until.is_(None), t.c.lease_until < now),
                )
                .values(lease_owner=self.owner, lease_until=lease)
            )
            if not res.rowcount:  # type: ignore[attr-defined]
                return None
            s.refresh(row)
            s.expunge(row)
            return row

    def _send(self, a: ActionRow) -> tuple[bool, str | None, int | None]:
        body = body_of(a)
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: a.id,
            TIMESTAMP_HEADER: str(ts),
            SIGNATURE_HEADER: sign(self.config.secret, ts, body),
            "X-Spycatcher-Attempt": str(a.attempts + 1),
            "User-Agent": "spycatcher-outbox",
        }
        try:
            status = self.sender(self.config.url, body, headers, self.config.timeout)
        except Exception as exc:  # network errors of any kind: retry later
            return False, f"{type(exc).__name__}: {excerpt(exc, 300)}", None
        if status in DELIVERED_STATUSES:
            return True, None, status
        return False, f"HTTP {status}", status

    def _record(self, a: ActionRow, ok: bool, error: str | None, status: int | None) -> str:
        now = self.clock()
        with transaction(self.store) as s:
            row = s.get(ActionRow, a.seq)
            if row is None or row.lease_owner != self.owner:
                return "lost"
            row.attempts += 1
            row.lease_owner = None
            row.lease_until = None
            if ok:
                row.status = "delivered"
                row.delivered_at = now
                row.last_error = None
                audit.append(
                    s,
                    actor="system:outbox",
                    action="action.delivered",
                    now=now,
                    subject=f"action:{row.id}",
                    details={"action": row.action, "attempts": row.attempts, "http": status},
                )
                return "delivered"
            row.last_error = error
            if row.attempts >= self.config.max_attempts:
                row.status = "dead"
                audit.append(
                    s,
                    actor="system:outbox",
                    action="action.dead",
                    now=now,
                    subject=f"action:{row.id}",
                    reason=error,
                    details={"action": row.action, "attempts": row.attempts},
                )
                return "dead"
            row.next_attempt_at = now + self.config.backoff(row.attempts)
            return "failed"

    def deliver_due(self, limit: int = 200) -> DeliveryReport:
        """One round: send every due action (oldest first, a profile's actions in order)."""
        report = DeliveryReport()
        now = self.clock()
        with self.store.session() as s:
            due = list(
                s.scalars(
                    select(ActionRow.seq)
                    .where(ActionRow.status == "pending", ActionRow.next_attempt_at <= now)
                    .order_by(ActionRow.seq)
                    .limit(limit)
                )
            )
        blocked: set[tuple[str, str]] = set()
        for seq in due:
            a = self._claim(seq, self.clock())
            if a is None:
                report.waiting += 1
                continue
            key = (a.platform, a.profile_id)
            if key in blocked:  # an older action of this profile failed in this round
                self._release(a)
                report.waiting += 1
                continue
            ok, error, status = self._send(a)
            outcome = self._record(a, ok, error, status)
            if outcome == "delivered":
                report.delivered += 1
            else:
                blocked.add(key)
                if outcome == "dead":
                    report.dead += 1
                else:
                    report.failed += 1
                if error:
                    report.errors.append(f"{a.id}: {error}")
        return report

    def _release(self, a: ActionRow) -> None:
        with transaction(self.store) as s:
            row = s.get(ActionRow, a.seq)
            if row is not None and row.lease_owner == self.owner:
                row.lease_owner = None
                row.lease_until = None


class OutboxWorker:
    """A background thread that runs the deliverer every ``interval`` seconds until stopped."""

    def __init__(self, deliverer: Deliverer, interval: float = 2.0):
        self.deliverer = deliverer
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="spycatcher-outbox", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliverer.deliver_due()
            except Exception:  # keep delivering after a database hiccup
                log.exception("outbox delivery round failed")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None


def retry_dead(s: Session, action_id: str, actor: str, now: datetime) -> ActionRow:
    """Give a dead action a fresh set of attempts (an admin's call once the platform is fixed)."""
    from spycatcher.review.base import Conflict, NotFound

    row = s.scalars(select(ActionRow).where(ActionRow.id == action_id)).first()
    if row is None:
        raise NotFound(f"no action {action_id}")
    if row.status != "dead":
        raise Conflict(f"action {action_id} is {row.status}, not dead")
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = now
    audit.append(s, actor=actor, action="action.retry", now=now, subject=f"action:{row.id}")
    return row
