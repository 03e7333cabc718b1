"""API keys and roles: who may call what.

A key looks like ``sc_<key id>_<secret>``. The database keeps the key id, a random salt and
SHA-256(salt + secret), never the secret; the secret is shown once, when the key is made. A salted
fast hash is enough here (unlike passwords): the secret is 32 random bytes, so there is nothing to
guess, and a slow hash would cost every request. Comparison is constant-time.

Roles:

* ``member``: check a profile, report a profile, appeal their own profile, read their own reports,
  appeals and notifications. A member key names the member's own profile (its *subject*).
* ``reviewer``: the queue, cases and their evidence, claims and decisions, appeals. Who reported a
  profile stays hidden unless an admin granted the key ``can_see_reporters``.
* ``admin``: everything a reviewer may do, plus ingest, keys, the outbox, the audit trail,
  retention and erasure, and escalated cases.
* ``intel-partner``: import intelligence and read the TAXII collection.
* ``org-officer``: an organisation's security officer. Only the web pages' organisation mode
  (``/organisation``) is theirs: the staff exports of the one organisation the key is attached to
  (:mod:`spycatcher.store.organisations`), the campaigns found in them and their STIX export. No
  review, ingest or admin endpoint lets them in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy import select, update

from spycatcher.review.base import iso, transaction, utcnow
from spycatcher.review.service import Actor
from spycatcher.store import Store
from spycatcher.store.review import ApiKeyRow

ROLES = ("member", "reviewer", "admin", "intel-partner", "org-officer")
PREFIX = "sc_"
HEADER = "X-API-Key"

api_key_header = APIKeyHeader(
    name=HEADER, auto_error=False, description="An API key: `sc_<key id>_<secret>`."
)


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256((salt + secret).encode()).hexdigest()


def create_key(
    store: Store,
    role: str,
    *,
    name: str | None = None,
    subject: tuple[str, str] | None = None,
    can_see_reporters: bool = False,
    created_by: str = "cli",
    now: datetime | None = None,
) -> tuple[str, dict[str, Any]]:
    """Make a key; returns (the full key, shown once; its public description)."""
    from spycatcher.review import audit

    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if role == "member" and subject is None:
        raise ValueError("a member key needs the member's own profile (platform and id)")
    if role != "member" and subject is not None:
        raise ValueError("only member keys have a subject profile")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    now = now or utcnow()
    row = ApiKeyRow(
        key_id=key_id,
        salt=salt,
        key_hash=_hash(salt, secret),
        role=role,
        name=name,
        subject_platform=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        can_see_reporters=can_see_reporters,
        created_at=now,
        created_by=created_by,
    )
    with transaction(store) as s:
        s.add(row)
        s.flush()
        audit.append(
            s,
            actor=created_by,
            action="key.created",
            now=now,
            subject=f"key:{key_id}",
            details={"role": role, "can_see_reporters": can_see_reporters},
        )
        desc = describe(row)
    return f"{PREFIX}{key_id}_{secret}", desc


def describe(row: ApiKeyRow) -> dict[str, Any]:
    return {
        "key_id": row.key_id,
        "role": row.role,
        "name": row.name,
        "subject": (
            {"platform": row.subject_platform, "profile_id": row.subject_id}
            if row.subject_id
            else None
        ),
        "can_see_reporters": bool(row.can_see_reporters),
        "created_at": iso(row.created_at),
        "revoked_at": iso(row.revoked_at),
    }


def authenticate(store: Store, presented: str | None) -> Actor | None:
    """The actor a presented key stands for, or None (unknown, malformed or revoked)."""
    if not presented or not presented.startswith(PREFIX) or len(presented) > 200:
        return None
    try:
        key_id, secret = presented[len(PREFIX) :].split("_", 1)
    except ValueError:
        return None
    if not key_id.isalnum() or len(key_id) > 32:
        return None
    with store.session() as s:
        row = s.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, _hash(row.salt, secret)):
        return None
    return _actor(row)


def _actor(row: ApiKeyRow) -> Actor:
    return Actor(
        id=f"key:{row.key_id}",
        role=row.role,
        subject_platform=row.subject_platform,
        subject_id=row.subject_id,
        can_see_reporters=bool(row.can_see_reporters),
    )


def actor_by_key_id(store: Store, key_id: str) -> Actor | None:
    """The actor of a key already proven (e.g. by a signed web session), or None once revoked.

    The web pages sign in once with the full key and then carry only its id in a signed cookie;
    looking the key up on every request is what makes revocation end a browser session at once.
    """
    if not key_id.isalnum() or len(key_id) > 32:
        return None
    with store.session() as s:
        row = s.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return None
    return _actor(row)


def list_keys(store: Store, include_revoked: bool = False) -> list[dict[str, Any]]:
    with store.session() as s:
        q = select(ApiKeyRow)
        if not include_revoked:
            q = q.where(ApiKeyRow.revoked_at.is_(None))
        return [describe(r) for r in s.scalars(q.order_by(ApiKeyRow.created_at, ApiKeyRow.key_id))]


def _change(
    store: Store, key_id: str, actor: str, action: str, values: dict[str, Any]
) -> dict[str, Any] | None:
    from spycatcher.review import audit

    now = utcnow()
    with transaction(store) as s:
        res = s.execute(update(ApiKeyRow).where(ApiKeyRow.key_id == key_id).values(**values))
        if not res.rowcount:  # type: ignore[attr-defined]
            return None
        row = s.get(ApiKeyRow, key_id)
        assert row is not None
        s.refresh(row)
        audit.append(
            s,
            actor=actor,
            action=action,
            now=now,
            subject=f"key:{key_id}",
            details={k: str(v) for k, v in values.items()},
        )
        return describe(row)


def revoke_key(store: Store, key_id: str, actor: str = "cli") -> dict[str, Any] | None:
    return _change(store, key_id, actor, "key.revoked", {"revoked_at": utcnow()})


def grant_reporters(
    store: Store, key_id: str, grant: bool, actor: str = "cli"
) -> dict[str, Any] | None:
    return _change(store, key_id, actor, "key.reporters_visibility", {"can_see_reporters": grant})


# -- FastAPI dependencies --------------------------------------------------------------------


def current_actor(request: Request, key: str | None = Security(api_key_header)) -> Actor:
    """Authenticate the request's key (401 when missing or wrong)."""
    actor = authenticate(request.app.state.store, key)
    if actor is None:
        raise HTTPException(
            status_code=401,
            detail="a valid API key is required in the X-API-Key header",
            headers={"WWW-Authenticate": "ApiKey"},
        )
    return actor


def require(*roles: str) -> Callable[..., Actor]:
    """A dependency that lets only these roles through (admin passes wherever reviewer does)."""
    allowed = set(roles)
    if "reviewer" in allowed:
        allowed.add("admin")

    def dep(actor: Actor = Depends(current_actor)) -> Actor:
        if actor.role not in allowed:
            raise HTTPException(status_code=403, detail=f"the {actor.role} role may not do this")
        return actor

    return dep
