"""The reviewer's workflows: the queue, cases and their evidence, claims, decisions, appeals."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from spycatcher.api.auth import require
from spycatcher.api.models import AppealDecisionRequest, DecisionRequest
from spycatcher.api.routers.members import service
from spycatcher.review.service import Actor, ReviewService

router = APIRouter(tags=["review"])
reviewer = require("reviewer")

CaseId = Path(ge=1, le=2**31 - 1)


@router.get(
    "/queue",
    summary="Open cases, most urgent first",
    description="Ordered by risk score, report weight, intelligence matches, the sensitivity of "
    "the members approached, and age. Cases another reviewer holds a live lease on are left out.",
)
def get_queue(
    status: Literal["open", "needs_info", "escalated"] = "open",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
    actor: Actor = Depends(reviewer),
    svc: ReviewService = Depends(service),
) -> list[dict[str, Any]]:
    return svc.queue(actor, status, limit, offset)


@router.get(
    "/cases/{case_id}",
    summary="A case with all its evidence",
    description="Signals and contributions, photo and intelligence matches, campaign, messages "
    "sent, members approached, reports (reporters hidden unless granted), history, decisions and "
    "actions.",
)
def get_case(
    case_id: int = CaseId, actor: Actor = Depends(reviewer), svc: ReviewService = Depends(service)
) -> dict[str, Any]:
    return svc.case(actor, case_id)


@router.post("/cases/{case_id}/claim", summary="Take the case's lease (15 minutes, renewable)")
def claim(
    case_id: int = CaseId, actor: Actor = Depends(reviewer), svc: ReviewService = Depends(service)
) -> dict[str, Any]:
    return svc.claim(actor, case_id)


@router.post("/cases/{case_id}/release", summary="Give the case back to the queue")
def release(
    case_id: int = CaseId, actor: Actor = Depends(reviewer), svc: ReviewService = Depends(service)
) -> dict[str, Any]:
    return svc.release(actor, case_id)


@router.post(
    "/cases/{case_id}/decision",
    summary="Decide a case you hold: fake, genuine, needs_info or escalate, with a reason",
)
def decide(
    body: DecisionRequest,
    case_id: int = CaseId,
    actor: Actor = Depends(reviewer),
    svc: ReviewService = Depends(service),
) -> dict[str, Any]:
    return svc.decide(actor, case_id, body.decision, body.reason, body.action)


@router.get("/profiles/{platform}/{profile_id}", summary="A stored profile, its score and status")
def get_profile(
    platform: str = Path(min_length=1, max_length=100),
    profile_id: str = Path(min_length=1, max_length=1_000),
    actor: Actor = Depends(reviewer),
    svc: ReviewService = Depends(service),
) -> dict[str, Any]:
    return svc.profile(actor, platform, profile_id)


@router.get("/profiles/{platform}/{profile_id}/reports", summary="Reports against a profile")
def get_profile_reports(
    platform: str = Path(min_length=1, max_length=100),
    profile_id: str = Path(min_length=1, max_length=1_000),
    limit: int = Query(100, ge=1, le=1_000),
    offset: int = Query(0, ge=0, le=1_000_000),
    actor: Actor = Depends(reviewer),
    svc: ReviewService = Depends(service),
) -> dict[str, Any]:
    return svc.profile_reports(actor, platform, profile_id, limit, offset)


@router.get("/appeals", summary="Appeals to decide")
def list_appeals(
    status: Literal["open", "granted", "denied"] = "open",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
    actor: Actor = Depends(reviewer),
    svc: ReviewService = Depends(service),
) -> list[dict[str, Any]]:
    return svc.appeals(actor, status, limit, offset)


@router.post(
    "/appeals/{appeal_id}/decision",
    summary="Grant or deny an appeal (not by the reviewer who decided the profile)",
)
def decide_appeal(
    body: AppealDecisionRequest,
    appeal_id: int = Path(ge=1, le=2**31 - 1),
    actor: Actor = Depends(reviewer),
    svc: ReviewService = Depends(service),
) -> dict[str, Any]:
    return svc.decide_appeal(actor, appeal_id, body.grant, body.reason)
