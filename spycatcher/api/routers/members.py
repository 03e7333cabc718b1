"""What every key may do (check, who am I) and the member's own workflows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from spycatcher.api.auth import current_actor, require
from spycatcher.api.models import AppealRequest, CheckRequest, ReportRequest
from spycatcher.review.service import Actor, ReviewService

router = APIRouter(tags=["members"])


def service(request: Request) -> ReviewService:
    svc: ReviewService = request.app.state.service
    return svc


@router.get("/me", summary="The calling key: its role and, for a member, their profile")
def me(actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    return {
        "actor": actor.id,
        "role": actor.role,
        "subject": (
            {"platform": actor.subject_platform, "profile_id": actor.subject_id}
            if actor.subject_id
            else None
        ),
        "can_see_reporters": actor.sees_reporters,
    }


@router.post(
    "/check",
    summary="Is this profile fake, why, and what to do (the 4 Rs)",
    description="Runs the same detectors and scorer as `spycatcher check` on one profile and the "
    "message it sent. Nothing is stored. Any role may call it.",
)
def check(
    body: CheckRequest,
    actor: Actor = Depends(current_actor),
    svc: ReviewService = Depends(service),
) -> dict[str, Any]:
    return svc.check(body.profile, body.message)


@router.post(
    "/reports",
    status_code=201,
    summary="Report a profile (members)",
    description="One report per member and profile: a repeat returns the first report with "
    "`duplicate: true`. At most 10 reports an hour and 50 a day per member (429 beyond). "
    "Reports are weighted by the reporter's track record and corroborate other evidence; they "
    "never remove a profile by themselves.",
)
def report(
    body: ReportRequest,
    actor: Actor = Depends(require("member")),
    svc: ReviewService = Depends(service),
) -> dict[str, Any]:
    return svc.submit_report(actor, body.platform, body.profile_id, body.reason, body.text)


@router.get("/reports/mine", summary="The reports I filed (members)")
def my_reports(
    limit: int = Query(100, ge=1, le=1_000),
    offset: int = Query(0, ge=0, le=1_000_000),
    actor: Actor = Depends(require("member")),
    svc: ReviewService = Depends(service),
) -> list[dict[str, Any]]:
    return svc.my_reports(actor, limit, offset)


@router.post(
    "/appeals",
    status_code=201,
    summary="Appeal a restriction, removal or label of my own profile (members)",
)
def appeal(
    body: AppealRequest,
    actor: Actor = Depends(require("member")),
    svc: ReviewService = Depends(service),
) -> dict[str, Any]:
    return svc.open_appeal(actor, body.platform, body.profile_id, body.text)


@router.get("/appeals/mine", summary="My appeals and their outcome (members)")
def my_appeals(
    actor: Actor = Depends(require("member")), svc: ReviewService = Depends(service)
) -> list[dict[str, Any]]:
    return svc.my_appeals(actor)


@router.get(
    "/me/notifications",
    summary="Warnings about fake profiles I dealt with (members)",
    description="When a fake profile is removed, every member it connected with or approached "
    "gets a notification: what it sent, what it was after, and what to do now.",
)
def my_notifications(
    limit: int = Query(100, ge=1, le=1_000),
    offset: int = Query(0, ge=0, le=1_000_000),
    actor: Actor = Depends(require("member")),
    svc: ReviewService = Depends(service),
) -> list[dict[str, Any]]:
    return svc.my_notifications(actor, limit, offset)
