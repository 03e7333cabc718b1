"""The FastAPI application: ``create_app`` builds it over a store, ``spycatcher serve`` runs it.

The app holds no logic of its own: routers authenticate, validate and call
:class:`~spycatcher.review.service.ReviewService`, which calls the engine and the store. Routers
come from a list (``DEFAULT_ROUTERS`` plus ``extra_routers``), so plugins add theirs without
touching this module; TAXII and intelligence import are mounted when the intel package provides
them, and the web pages (:mod:`spycatcher.web`) are installed unless ``web=False``.

Configuration (arguments, else environment):

* ``SPYCATCHER_DATABASE_URL``: the store (SQLite file by default; PostgreSQL in production);
* ``SPYCATCHER_WEBHOOK_URL`` and ``SPYCATCHER_WEBHOOK_SECRET``: the platform's enforcement webhook
  and the HMAC secret that signs every delivery; without them actions wait in the outbox.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

import spycatcher.store.review  # noqa: F401  (maps the service tables)
from spycatcher import __version__
from spycatcher.api.routers import admin, ingest, members, review
from spycatcher.review.actions import Deliverer, OutboxWorker, WebhookConfig
from spycatcher.review.base import Clock, ReviewError, utcnow
from spycatcher.review.service import Policies, ReviewService
from spycatcher.store import Store

log = logging.getLogger(__name__)

ENV_WEBHOOK_URL = "SPYCATCHER_WEBHOOK_URL"
ENV_WEBHOOK_SECRET = "SPYCATCHER_WEBHOOK_SECRET"

DEFAULT_ROUTERS: tuple[APIRouter, ...] = (
    members.router,
    ingest.router,
    review.router,
    admin.router,
)

DESCRIPTION = """
The spycatcher service: the engine that finds fake professional-network profiles run by hostile
intelligence services, with member reports, human review, enforcement, appeals and an audit trail.

Every endpoint except `/health` needs an API key in the `X-API-Key` header. Roles:
**member** (check, report, appeal own profile), **reviewer** (queue, cases, decisions, appeals),
**admin** (everything, plus ingest, keys, outbox, audit, privacy), **intel-partner**
(intelligence import and TAXII). See docs/service.md.
"""


class _RejectNul:
    """Refuse a request whose path or query carries a NUL byte (400), before any route runs.

    PostgreSQL text cannot hold NUL; refusing it here keeps every route from a server error.
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            raw = (
                bytes(scope.get("raw_path") or b"") + b"?" + bytes(scope.get("query_string") or b"")
            )
            if b"%00" in raw.lower() or b"\x00" in raw or "\x00" in scope.get("path", ""):
                resp = JSONResponse({"detail": "NUL characters are not allowed"}, status_code=400)
                await resp(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _intel_routers(store_factory: Callable[[], Store]) -> list[tuple[str, APIRouter]]:
    """The intel area's routers when that package provides them (spycatcher.api.routers.intel)."""
    try:
        from spycatcher.api.routers import intel
    except ImportError:  # pragma: no cover - the module ships with the api package
        return []
    return intel.routers(store_factory)


def _warm_up(service: ReviewService) -> None:
    from spycatcher.schema import Profile

    service.check(Profile(id="warm-up", name="Warm Up"), "hello")
    _ = service.rescorer.detectors


def create_app(
    store_url: str | None = None,
    *,
    store: Store | None = None,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    policies: Policies | None = None,
    clock: Clock = utcnow,
    routers: Sequence[APIRouter] | None = None,
    extra_routers: Sequence[APIRouter] = (),
    start_outbox: bool = True,
    outbox_interval: float = 2.0,
    webhook_config: WebhookConfig | None = None,
    warm_up: bool = True,
    web: bool = True,
) -> FastAPI:
    """Build the application over one store (created and migrated here unless given)."""
    store = store or Store(store_url)
    service = ReviewService(store, policies, clock)
    url = webhook_url or os.environ.get(ENV_WEBHOOK_URL)
    secret = webhook_secret or os.environ.get(ENV_WEBHOOK_SECRET)
    if webhook_config is None and url:
        if not secret:
            raise ValueError(f"a webhook URL needs a signing secret ({ENV_WEBHOOK_SECRET})")
        webhook_config = WebhookConfig(url=url, secret=secret)
    deliverer = Deliverer(store, webhook_config, clock) if webhook_config else None
    worker = OutboxWorker(deliverer, outbox_interval) if deliverer and start_outbox else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm_up:  # import every detector now, not in the first member's request
            await run_in_threadpool(_warm_up, service)
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="spycatcher",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "members", "description": "Checking, reporting and appealing"},
            {"name": "ingest", "description": "Profiles and events from the platform"},
            {"name": "review", "description": "The review queue, cases and decisions"},
            {"name": "admin", "description": "Keys, outbox, audit trail, privacy"},
            {"name": "intel", "description": "Intelligence exchange with partners"},
        ],
    )
    app.state.store = store
    app.state.service = service
    app.state.deliverer = deliverer
    app.state.outbox_worker = worker
    app.add_middleware(_RejectNul)

    @app.exception_handler(ReviewError)
    async def _review_error(_request: Request, exc: ReviewError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    @app.exception_handler(OperationalError)
    async def _db_busy(_request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", exc)
        return JSONResponse(
            {"detail": "the database is busy or unavailable; retry shortly"},
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.get("/health", tags=["members"], summary="Liveness (no key needed)")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    for r in routers if routers is not None else DEFAULT_ROUTERS:
        app.include_router(r)
    for r in extra_routers:
        app.include_router(r)
    for prefix, r in _intel_routers(lambda: store):
        app.include_router(r, prefix=prefix)
    if web:  # the pages (spycatcher.web): console, dashboard, public checker
        from spycatcher.web.app import install

        install(app)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several workers): everything from the environment."""
    return create_app()
