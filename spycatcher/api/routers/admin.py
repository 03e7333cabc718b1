"""The admin's tools: keys, the outbox, the audit trail, retention and erasure, scan triage."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from spycatcher.api import auth
from spycatcher.api.auth import require
from spycatcher.api.models import EraseRequest, GrantRequest, KeyRequest
from spycatcher.api.routers.members import service
from spycatcher.review.service import Actor, ReviewService

router = APIRouter(prefix="/admin", tags=["admin"])
admin = require("admin")
KeyId = Path(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")


@router.post(
    "/keys",
    status_code=201,
    summary="Make an API key (the secret is in this answer only)",
)
def create_key(body: KeyRequest, request: Request, actor: Actor = Depends(admin)) -> dict[str, Any]:
    subject = None
    if body.subject_id or body.subject_platform:
        subject = (body.subject_platform or "linkedin", body.subject_id or "")
        if not subject[1]:
            raise HTTPException(422, "subject_id is required with subject_platform")
    try:
        key, desc = auth.create_key(
            request.app.state.store,
            body.role,
            name=body.name,
            subject=subject,
            can_see_reporters=body.can_see_reporters,
            created_by=actor.id,
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"key": key, **desc}


@router.get("/keys", summary="Keys (never their secrets)")
def list_keys(
    request: Request, include_revoked: bool = False, actor: Actor = Depends(admin)
) -> list[dict[str, Any]]:
    return auth.list_keys(request.app.state.store, include_revoked)


@router.post("/keys/{key_id}/revoke", summary="Revoke a key")
def revoke_key(
    request: Request, key_id: str = KeyId, actor: Actor = Depends(admin)
) -> dict[str, Any]:
    out = auth.revoke_key(request.app.state.store, key_id, actor.id)
    if out is None:
        raise HTTPException(404, "no such key")
    return out


@router.post(
    "/keys/{key_id}/reporters",
    summary="Grant or withdraw a reviewer's right to see who reported a profile",
)
def grant_reporters(
    body: GrantRequest, request: Request, key_id: str = KeyId, actor: Actor = Depends(admin)
) -> dict[str, Any]:
    out = auth.grant_reporters(request.app.state.store, key_id, body.can_see_reporters, actor.id)
    if out is None:
        raise HTTPException(404, "no such key")
    return out


@router.get("/outbox", summary="Enforcement actions and their delivery state")
def outbox(
    status: Literal["pending", "delivered", "dead", "cancelled"] | None = None,
    limit: int = Query(100, ge=1, le=1_000),
    offset: int = Query(0, ge=0, le=1_000_000),
    actor: Actor = Depends(admin),
    svc: ReviewService = Depends(service),
) -> list[dict[str, Any]]:
    return svc.outbox(status, limit, offset)


@router.post("/outbox/deliver", summary="Deliver due actions now (one round)")
async def deliver(request: Request, actor: Actor = Depends(admin)) -> dict[str, Any]:
    deliverer = request.app.state.deliverer
    if deliverer is None:
        raise HTTPException(409, "no webhook is configured (SPYCATCHER_WEBHOOK_URL)")
    report = await run_in_threadpool(deliverer.deliver_due)
    return dict(report.as_dict())


@router.post("/outbox/{action_id}/retry", summary="Retry a dead action")
def retry(
    action_id: str = Path(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$"),
    actor: Actor = Depends(admin),
    svc: ReviewService = Depends(service),
) -> dict[str, Any]:
    return svc.retry_action(actor, action_id)


@router.get("/audit", summary="Audit entries in order")
def audit_entries(
    after: int = Query(0, ge=0, le=2**31 - 1),
    limit: int = Query(100, ge=1, le=1_000),
    actor: Actor = Depends(admin),
    svc: ReviewService = Depends(service),
) -> list[dict[str, Any]]:
    return svc.audit_entries(after, limit)


@router.get("/audit/verify", summary="Check the audit chain for edits and deletions")
def audit_verify(
    actor: Actor = Depends(admin), svc: ReviewService = Depends(service)
) -> dict[str, Any]:
    return svc.audit_verify()


@router.post("/privacy/retention", summary="Apply the retention periods (or preview them)")
def retention(
    dry_run: bool = False, actor: Actor = Depends(admin), svc: ReviewService = Depends(service)
) -> dict[str, Any]:
    return svc.retention(actor, dry_run)


@router.post(
    "/privacy/erase", summary="Erase a member's data (what the audit needs stays pseudonymous)"
)
def erase(
    body: EraseRequest, actor: Actor = Depends(admin), svc: ReviewService = Depends(service)
) -> dict[str, Any]:
    return svc.erase(actor, body.platform, body.member_id)


@router.post("/cases/from-scan", summary="Open cases for the high-risk profiles of a full scan")
def cases_from_scan(
    run_id: str | None = Query(None, min_length=1, max_length=64, pattern=r"^[0-9a-f]+$"),
    limit: int = Query(1_000, ge=1, le=100_000),
    actor: Actor = Depends(admin),
    svc: ReviewService = Depends(service),
) -> dict[str, Any]:
    return svc.cases_from_scan(actor, run_id, limit)
