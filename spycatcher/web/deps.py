"""FastAPI dependencies for pages: who is signed in, which roles may see a page, CSRF checks.

A page that needs a role and finds nobody signed in redirects to the sign-in page (and back after);
a signed-in person without the role gets a plain 403 page. Every state-changing form carries the
session's CSRF token; the session cookie is also ``SameSite=Strict``, so a forged cross-site post
fails twice.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import Depends, Request

from spycatcher.web.render import current_user, signer
from spycatcher.web.security import COOKIE, WebUser


class LoginRequired(Exception):
    """Raised by :func:`require_role` when nobody is signed in; the app redirects to /login."""

    def __init__(self, next_path: str):
        self.next_path = next_path


class PageForbidden(Exception):
    """Raised when the signed-in person's role may not see the page (rendered as 403)."""

    def __init__(self, message: str):
        self.message = message


class BadCsrf(Exception):
    """A form post without this session's CSRF token (rendered as 403)."""


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to return to after signing in; other hosts (``//x``) are dropped."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 32 for c in value) or len(value) > 500:
        return default
    return value


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(safe_next(target), safe="/")


def require_role(*roles: str) -> Callable[[Request], WebUser]:
    """A dependency letting only these roles in (admin passes wherever reviewer does)."""
    allowed = set(roles)
    if "reviewer" in allowed:
        allowed.add("admin")

    def dep(request: Request) -> WebUser:
        user = current_user(request)
        if user is None:
            raise LoginRequired(login_url(request))
        if user.role not in allowed:
            raise PageForbidden(f"This page is for {' or '.join(sorted(allowed))} accounts.")
        return user

    return dep


require_staff = require_role("reviewer")


def check_csrf(request: Request, token: str | None) -> None:
    """Raise :class:`BadCsrf` unless ``token`` is this session's CSRF token."""
    if not signer(request).csrf_ok(request.cookies.get(COOKIE), token):
        raise BadCsrf()


StaffUser = Depends(require_staff)
