"""Batch ingest of profiles and events: JSON arrays or JSON Lines, idempotent by id.

A bad record never fails the batch: the answer lists each rejected record with its line (or array
position, from 1), field and reason, exactly as the CLI reports them, and everything else is
stored. Profiles whose content changed, and profiles that sent new messages or were newly
reported, are re-scored at once and may open cases (see :mod:`spycatcher.review.scoring`).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from spycatcher.api.auth import require
from spycatcher.api.routers.members import service
from spycatcher.io.records import MAX_LINE_BYTES, RecordError
from spycatcher.review.service import MAX_INGEST_RECORDS, Actor, ReviewService
from spycatcher.schema import Event

router = APIRouter(prefix="/ingest", tags=["ingest"])

MAX_BODY_BYTES = 32 * 1024 * 1024
SOURCE = "request"


async def read_body(request: Request) -> bytes:
    """The request body, refused beyond MAX_BODY_BYTES without reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, f"body larger than {MAX_BODY_BYTES} bytes; send smaller batches")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise HTTPException(413, f"body larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def decode(body: bytes) -> tuple[list[tuple[int, Any]], list[RecordError]]:
    """(position, decoded object) per record, and the records that are not even JSON."""
    text = body.strip()
    if text.startswith(b"["):
        try:
            arr = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise HTTPException(400, f"the JSON array is not valid JSON: {exc}") from exc
        if not isinstance(arr, list):
            raise HTTPException(400, "expected a JSON array or JSON Lines")
        return list(enumerate(arr[: MAX_INGEST_RECORDS + 1], start=1)), []
    items: list[tuple[int, Any]] = []
    errors: list[RecordError] = []
    for lineno, raw in enumerate(text.split(b"\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if len(items) + len(errors) > MAX_INGEST_RECORDS:
            errors.append(RecordError(SOURCE, lineno, "", "too many records in one call"))
            break
        if len(line) > MAX_LINE_BYTES:
            errors.append(
                RecordError(SOURCE, lineno, "", f"line longer than {MAX_LINE_BYTES} bytes")
            )
            continue
        try:
            items.append((lineno, orjson.loads(line)))
        except orjson.JSONDecodeError as exc:
            errors.append(RecordError(SOURCE, lineno, "", f"invalid JSON: {exc}"))
    return items, errors


def _body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "array", "items": schema}},
                "application/x-ndjson": {
                    "schema": {"type": "string", "description": "JSON Lines: one record a line"}
                },
            },
        }
    }


_EVENT_SCHEMA = Event.model_json_schema()
_EVENT_SCHEMA.pop("title", None)


@router.post(
    "/profiles",
    summary="Store profiles (JSON array or JSON Lines) and re-score those that changed",
    openapi_extra=_body_doc({"$ref": "#/components/schemas/Profile"}),
)
async def ingest_profiles(
    request: Request,
    actor: Actor = Depends(require("admin")),
    svc: ReviewService = Depends(service),
) -> dict[str, Any]:
    items, errors = decode(await read_body(request))
    return await run_in_threadpool(svc.ingest_profiles, items, actor, SOURCE, errors)


@router.post(
    "/events",
    summary="Store events (JSON array or JSON Lines); report events become member reports",
    openapi_extra=_body_doc(_EVENT_SCHEMA),
)
async def ingest_events(
    request: Request,
    platform: str = Query("linkedin", min_length=1, max_length=100, pattern=r"^[\w.-]+$"),
    actor: Actor = Depends(require("admin")),
    svc: ReviewService = Depends(service),
) -> dict[str, Any]:
    items, errors = decode(await read_body(request))
    return await run_in_threadpool(svc.ingest_events, items, actor, platform, SOURCE, errors)
