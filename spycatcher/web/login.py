"""Signing in and out, and the home page that sends each person where they work.

Sign-in takes an API key (``spycatcher keys create --role reviewer``): the service has one kind of
credential, and the web pages reuse it rather than adding passwords. The key is checked once and
never stored in the browser; the cookie carries only the key id, signed (see
:mod:`spycatcher.web.security`). Each sign-in and sign-out is written to the audit trail.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from spycatcher.api.auth import authenticate
from spycatcher.review import audit
from spycatcher.review.base import transaction, utcnow
from spycatcher.web.deps import check_csrf, safe_next
from spycatcher.web.render import current_user, page, signer
from spycatcher.web.security import COOKIE, SESSION_SECONDS

router = APIRouter(include_in_schema=False)


def _home_for(role: str | None) -> str:
    if role in ("reviewer", "admin"):
        return "/console"
    return "/checker"


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    user = current_user(request)
    return RedirectResponse(_home_for(user.role if user else None), status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return page(request, "login.html", next=safe_next(next, ""), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    api_key: str = Form(""),
    next: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    check_csrf(request, csrf_token)
    store = request.app.state.store
    actor = authenticate(store, api_key.strip())
    if actor is None:
        return page(
            request,
            "login.html",
            status_code=401,
            next=safe_next(next, ""),
            error="That key was not recognised, or it has been revoked.",
        )
    key_id = actor.id.removeprefix("key:")
    with transaction(store) as s:
        audit.append(s, actor=actor.id, action="web.signed_in", now=utcnow(), subject=actor.id)
    resp = RedirectResponse(safe_next(next, _home_for(actor.role)), status_code=303)
    resp.set_cookie(
        COOKIE,
        signer(request).issue(key_id),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return resp


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    check_csrf(request, csrf_token)
    user = current_user(request)
    if user is not None:
        with transaction(request.app.state.store) as s:
            audit.append(
                s, actor=user.actor.id, action="web.signed_out", now=utcnow(), subject=user.actor.id
            )
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp
