"""What keeps the web pages safe: security headers, signed sessions and CSRF tokens.

Every page shows text written by attackers (names, summaries, messages). Templates autoescape it;
the Content-Security-Policy here is the second wall: no inline script, no inline style attribute
that could carry script, no remote origin at all (every asset is vendored under ``/static``), no
framing, forms post only to this origin. A payload that slipped through escaping still could not
run.

Sessions: a reviewer signs in once with an API key (see :mod:`spycatcher.api.auth`); the browser
then carries only the key's id and an expiry in a cookie signed with HMAC-SHA256. The key is looked
up on every request, so revoking it ends the browser session at once. The signing secret is
``SPYCATCHER_WEB_SECRET`` (set it when running several workers, so they all accept each other's
cookies); without it each process makes a random one, and sessions end when it restarts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

from spycatcher.api.auth import actor_by_key_id
from spycatcher.review.service import Actor
from spycatcher.store import Store

ENV_SECRET = "SPYCATCHER_WEB_SECRET"
COOKIE = "spycatcher_session"
#: a working day plus slack: long enough for a review shift, short enough for a shared desk
SESSION_SECONDS = 10 * 3600
CSRF_FIELD = "csrf_token"

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTML page and static asset.

    JSON API answers get them too: harmless there, and one rule is easier to audit than two.
    Pages that show a person's data are also marked ``no-store`` so a shared browser's cache does
    not keep them.
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                if not path.startswith("/static/") and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SessionSigner:
    """Signs and checks session cookies and derives per-session CSRF tokens."""

    def __init__(self, secret: str | bytes | None = None):
        raw = secret if secret is not None else os.environ.get(ENV_SECRET)
        if raw is None:
            raw = secrets.token_bytes(32)
        self._key = raw.encode() if isinstance(raw, str) else raw

    def _mac(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self, key_id: str, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + SESSION_SECONDS)
        nonce = secrets.token_urlsafe(9)
        payload = f"{key_id}.{expires}.{nonce}"
        return f"{payload}.{self._mac(payload)}"

    def key_id(self, cookie: str | None, now: float | None = None) -> str | None:
        """The key id a cookie vouches for, or None (forged, malformed or expired)."""
        if not cookie or len(cookie) > 300:
            return None
        parts = cookie.split(".")
        if len(parts) != 4:
            return None
        key_id, expires, nonce, mac = parts
        if not hmac.compare_digest(mac, self._mac(f"{key_id}.{expires}.{nonce}")):
            return None
        if not expires.isdigit() or int(expires) < (now if now is not None else time.time()):
            return None
        return key_id

    def csrf_token(self, cookie: str | None) -> str:
        """A token bound to this session (or to 'anonymous'), checked on every form post."""
        return self._mac(f"csrf|{cookie or 'anonymous'}")

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token(cookie), token or "")


@dataclass(frozen=True)
class WebUser:
    """A signed-in person: the API actor plus what the page needs to show."""

    actor: Actor
    key_id: str

    @property
    def role(self) -> str:
        return self.actor.role

    @property
    def is_staff(self) -> bool:
        """Reviewers and admins work cases and see the dashboard."""
        return self.actor.role in ("reviewer", "admin")


def user_from_cookie(store: Store, signer: SessionSigner, cookie: str | None) -> WebUser | None:
    key_id = signer.key_id(cookie)
    if key_id is None:
        return None
    actor = actor_by_key_id(store, key_id)
    return WebUser(actor, key_id) if actor else None
