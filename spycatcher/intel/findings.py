"""What to share: confirmed fakes and campaigns, gathered from the store.

A profile is exported when

* its latest review decision is ``fake`` (a person confirmed it), or
* unless ``confirmed_only``: the chosen scan run (the latest by default) scored it at
  ``min_level`` or above, or the ingested data labels it ``fake``;

and never when its latest review decision is ``genuine`` (cleared on review or appeal): a member
wrongly flagged must not end up in a partner's block list.

For each, the profile record (if ingested) gives the name, URL and photo hashes; the assessment's
``intel.*`` signals give the markings and actors of the intelligence it was derived from; the
events it sent (invitations, messages) give how often and when it was seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from spycatcher.intel.stix_export import CampaignFinding, Finding
from spycatcher.schema import parse_datetime
from spycatcher.scoring.assessment import HIGH, MEDIUM
from spycatcher.store.db import Store
from spycatcher.store.models import AssessmentRow, CampaignRow, EventRow, ProfileRow, ScanRun

LEVEL_MIN = {"high": HIGH, "medium": MEDIUM, "low": 0.0}


def _latest_decisions(store: Store) -> dict[tuple[str, str], str]:
    """(platform, profile id) -> latest final decision, when the review tables exist."""
    try:
        from spycatcher.store.review import DecisionRow
    except ModuleNotFoundError:
        return {}
    out: dict[tuple[str, str], tuple[datetime, int, str]] = {}
    with store.session() as s:
        q = select(
            DecisionRow.platform,
            DecisionRow.profile_id,
            DecisionRow.decided_at,
            DecisionRow.id,
            DecisionRow.decision,
        )
        for platform, pid, at, rid, decision in s.execute(q):
            key = (platform, pid)
            if key not in out or (at, rid) > out[key][:2]:
                out[key] = (at, rid, decision)
    return {k: v[2] for k, v in out.items()}


def _intel_data(signals: Iterable[dict[str, Any]]) -> tuple[list[str], list[str]]:
    refs: list[str] = []
    actors: list[str] = []
    for s in signals:
        if not str(s.get("name", "")).startswith("intel."):
            continue
        data = s.get("data") or {}
        refs.extend(r for r in data.get("marking_refs", ()) if r not in refs)
        actors.extend(a for a in data.get("actor_refs", ()) if a not in actors)
    return refs, actors


def _activity(store: Store, ids: list[str]) -> dict[str, tuple[int, datetime, datetime]]:
    """Invitations and messages each account sent: count, first, last."""
    out: dict[str, tuple[int, datetime, datetime]] = {}
    with store.session() as s:
        for i in range(0, len(ids), 500):
            q = (
                select(EventRow.actor, func.count(), func.min(EventRow.at), func.max(EventRow.at))
                .where(EventRow.actor.in_(ids[i : i + 500]))
                .where(EventRow.type.in_(("invitation", "message")))
                .group_by(EventRow.actor)
            )
            for actor, n, first, last in s.execute(q):
                first_dt, last_dt = parse_datetime(first), parse_datetime(last)
                if first_dt and last_dt:
                    out[actor] = (int(n), first_dt, last_dt)
    return out


def collect(
    store: Store,
    *,
    run_id: str | None = None,
    min_level: str = "high",
    confirmed_only: bool = False,
) -> tuple[list[Finding], list[CampaignFinding]]:
    """Findings and campaigns to export from the store (see the module docstring)."""
    if min_level not in LEVEL_MIN:
        raise ValueError("min_level must be high, medium or low")
    decisions = _latest_decisions(store)
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    run: ScanRun | None = None
    with store.session() as s:
        if run_id:
            run = s.get(ScanRun, run_id)
            if run is None:
                raise KeyError(f"no scan run {run_id}")
        else:
            q = select(ScanRun).where(ScanRun.finished_at.is_not(None))
            run = s.scalars(q.order_by(ScanRun.finished_at.desc()).limit(1)).first()
        assessments: dict[tuple[str, str], AssessmentRow] = {}
        if run is not None:
            q2 = select(AssessmentRow).where(AssessmentRow.run_id == run.run_id)
            for row in s.scalars(q2):
                assessments[(row.platform, row.profile_id)] = row
        for key, decision in decisions.items():
            if decision == "fake":
                chosen[key] = {"why": "confirmed by review"}
        if not confirmed_only:
            threshold = LEVEL_MIN[min_level]
            for key, arow in assessments.items():
                if arow.score >= threshold:
                    chosen.setdefault(key, {"why": f"scored {arow.level}"})
            for platform, pid in s.execute(
                select(ProfileRow.platform, ProfileRow.profile_id).where(ProfileRow.label == "fake")
            ):
                chosen.setdefault((platform, pid), {"why": "labelled fake"})
        for key in [k for k in chosen if decisions.get(k) == "genuine"]:
            del chosen[key]
        profiles: dict[tuple[str, str], dict[str, Any]] = {}
        keys = sorted(chosen)
        for i in range(0, len(keys), 500):
            ids = [k[1] for k in keys[i : i + 500]]
            for prow in s.scalars(select(ProfileRow).where(ProfileRow.profile_id.in_(ids))):
                profiles[(prow.platform, prow.profile_id)] = prow.data
        campaign_rows = (
            list(s.scalars(select(CampaignRow).where(CampaignRow.run_id == run.run_id)))
            if run is not None
            else []
        )
    activity = _activity(store, sorted({k[1] for k in chosen}))
    run_time = (run.finished_at or run.started_at) if run is not None else None
    findings: list[Finding] = []
    for key in sorted(chosen):
        platform, pid = key
        a = assessments.get(key)
        data = profiles.get(key, {})
        photo = data.get("photo") or {}
        refs, actors = _intel_data(a.signals if a is not None else [])
        count, first, last = activity.get(pid, (1, run_time, run_time))
        reasons = [str(s.get("evidence", "")) for s in (a.signals if a is not None else [])]
        findings.append(
            Finding(
                profile_id=pid,
                platform=platform,
                name=data.get("name"),
                url=data.get("url"),
                photo_pdq=photo.get("pdq"),
                photo_sha256=photo.get("sha256"),
                score=a.score if a is not None else None,
                level=a.level if a is not None else None,
                campaign_id=a.campaign_id if a is not None else None,
                reasons=[r for r in reasons if r][:8] or [chosen[key]["why"]],
                marking_refs=refs,
                actor_refs=actors,
                count=count,
                first_seen=first,
                last_seen=last,
            )
        )
    exported_ids = {f.profile_id for f in findings}
    campaigns: list[CampaignFinding] = []
    for c in campaign_rows:
        d = c.data
        members = [m for m in d.get("members", []) if m in exported_ids]
        if not members:
            continue
        campaigns.append(
            CampaignFinding(
                id=c.campaign_id,
                members=members,
                targets=len(d.get("targets", [])),
                organisations=list(d.get("organisations", []))[:50],
                evidence=[str(e) for e in d.get("evidence", [])][:20],
                score=float(c.score),
                first_seen=parse_datetime(d.get("first_activity")),
                last_seen=parse_datetime(d.get("last_activity")),
            )
        )
    return findings, campaigns
