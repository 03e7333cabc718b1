"""Wiring the pages into the service app: static assets, security headers, routers, error pages.

:func:`install` is called by :func:`spycatcher.api.app.create_app`. Page modules are listed in
:data:`PAGE_MODULES`; each exposes a FastAPI ``router``. A module that is not there (an optional
part not installed) is skipped; any other import error is raised, never hidden.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from spycatcher.web.deps import BadCsrf, LoginRequired, PageForbidden
from spycatcher.web.render import page
from spycatcher.web.security import SecurityHeaders, SessionSigner

STATIC_DIR = Path(__file__).parent / "static"

#: page modules under spycatcher.web, in menu order
PAGE_MODULES = ("login", "console", "dashboard", "checker", "organisation")


def install(app: FastAPI, signer: SessionSigner | None = None) -> None:
    """Add the web pages to ``app`` (which already holds ``state.store`` and ``state.service``)."""
    app.state.web_signer = signer or SessionSigner()
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for name in PAGE_MODULES:
        qualified = f"spycatcher.web.{name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as exc:
            if exc.name != qualified:
                raise
            continue
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    async def _login(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(exc.next_path, status_code=303)

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, exc: PageForbidden) -> HTMLResponse:
        return page(
            request,
            "error.html",
            status_code=403,
            title="Not for this account",
            message=exc.message,
        )

    @app.exception_handler(BadCsrf)
    async def _csrf(request: Request, _exc: BadCsrf) -> HTMLResponse:
        return page(
            request,
            "error.html",
            status_code=403,
            title="This form has expired",
            message="Go back, reload the page and try again.",
        )
