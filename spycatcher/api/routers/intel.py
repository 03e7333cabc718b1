"""Intelligence exchange for partners: STIX 2.1 import and the TAXII 2.1 collection.

Both come from the intel area (:mod:`spycatcher.intel`); this module only mounts them behind the
``intel-partner`` role (admins too) when they are installed. Imported indicators reach profiles
through the intel population stage of the next full scan; its ``intel.*`` signals then open cases
(``POST /admin/cases/from-scan``) and are carried into the service's incremental re-scores.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from spycatcher.api.auth import require
from spycatcher.api.routers.ingest import read_body
from spycatcher.review.service import Actor, ReviewService
from spycatcher.store import Store

partner = require("intel-partner", "admin")


def _find(module: str, name: str) -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def import_router(importer: Callable[..., Any]) -> APIRouter:
    router = APIRouter(tags=["intel"])

    @router.post(
        "/intel/import",
        summary="Import a STIX 2.1 bundle (intel partners)",
        description="Each object is validated on its own: the answer lists rejected objects with "
        "the reason, and every other object is stored. Importing the same bundle twice changes "
        "nothing.",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    async def intel_import(request: Request, actor: Actor = Depends(partner)) -> dict[str, Any]:
        body = await read_body(request)
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise HTTPException(400, f"not valid JSON: {exc}") from exc
        if not isinstance(doc, (dict, list)):
            raise HTTPException(400, "expected a STIX bundle (a JSON object)")
        svc: ReviewService = request.app.state.service
        store: Store = request.app.state.store

        def run() -> dict[str, Any]:
            try:
                report = importer(store, doc, f"api:{actor.id}")
            except ValueError as exc:
                raise HTTPException(422, str(exc)) from exc
            out = dict(report.summary())
            out["rejections"] = [
                {"id": r.id, "type": r.type, "reason": r.reason} for r in report.rejected[:1_000]
            ]
            svc.record(actor, "intel.import", {k: v for k, v in out.items() if k != "rejections"})
            return out

        return await run_in_threadpool(run)

    return router


def routers(store_factory: Callable[[], Store]) -> list[tuple[str, APIRouter]]:
    """(prefix, router) pairs for what the intel area provides today."""
    out: list[tuple[str, APIRouter]] = []
    importer = _find("spycatcher.intel.stix_import", "import_bundle")
    if importer is not None:
        out.append(("", import_router(importer)))
    make_taxii = _find("spycatcher.intel.taxii_server", "make_taxii_router")
    if make_taxii is not None:
        out.append(("/taxii2", make_taxii(store_factory, auth_dependency=partner)))
    return out
