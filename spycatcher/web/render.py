"""Rendering pages: one Jinja2 environment (autoescape always on) and the context every page gets.

Autoescape is forced for every template and for strings, because nearly every value on these pages
(names, headlines, summaries, messages, employer names) was written by whoever runs the fake
profile. Templates must never use ``|safe`` on such values; markup built in Python (highlighted
spans, charts) goes through :func:`markupsafe.escape` first and is wrapped in ``Markup`` only then.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from spycatcher import __version__
from spycatcher.web.security import COOKIE, CSRF_FIELD, SessionSigner, WebUser, user_from_cookie

env = Environment(
    loader=PackageLoader("spycatcher", "web/templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals["version"] = __version__
env.globals["csrf_field"] = CSRF_FIELD


def _fmt_int(value: Any) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def _fmt_pct(value: Any, digits: int = 0) -> str:
    try:
        return f"{float(value) * 100:.{digits}f}%"
    except (TypeError, ValueError):
        return ""


env.filters["int"] = _fmt_int
env.filters["pct"] = _fmt_pct


def signer(request: Request) -> SessionSigner:
    s: SessionSigner = request.app.state.web_signer
    return s


_UNSET = object()


def current_user(request: Request) -> WebUser | None:
    """Who is signed in (looked up once per request, from the signed session cookie)."""
    cached = getattr(request.state, "web_user", _UNSET)
    if cached is _UNSET:
        cached = user_from_cookie(
            request.app.state.store, signer(request), request.cookies.get(COOKIE)
        )
        request.state.web_user = cached
    return cached  # type: ignore[return-value]


def csrf_token(request: Request) -> str:
    return signer(request).csrf_token(request.cookies.get(COOKIE))


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the signed-in user, the CSRF token and the current path."""
    user = current_user(request)
    html = env.get_template(template).render(
        request=request,
        user=user,
        csrf=csrf_token(request),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
