"""Cases: what a reviewer looks at, opened by the engine's evidence, never by reports alone.

A case opens for a profile when its score is high, when the weighted reports against it pass a
threshold, or when it matches intelligence. A profile has at most one open case (a unique index on
``open_key``); a further trigger updates the open case (its metrics, its list of triggers) instead
of opening another. Claiming a case gives one reviewer a lease for ``CasePolicy.lease``; a lease
that runs out frees the case for someone else, so a reviewer who walks away blocks nothing.

The evidence of a case is assembled when it is read, from everything the engine knows: the
profile, its latest assessment (signals and contributions), photo and intelligence matches, its
campaign, the messages and invitations it sent and to whom, the reports (reporters hidden unless
the reader may see them), and the case's history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from spycatcher.review import reports as reports_mod
from spycatcher.review.base import Conflict, NotFound, aware, excerpt, iso, profile_key, table
from spycatcher.review.scoring import APPROACH_TYPES, decided_at, latest_assessments
from spycatcher.schema import Profile
from spycatcher.store.models import CampaignRow, EventRow, ProfileRow, ScanRun
from spycatcher.store.review import (
    ActionRow,
    CaseEventRow,
    CaseRow,
    DecisionRow,
    ProfileStatusRow,
    ReportRow,
)

OPEN_STATUSES = ("open", "needs_info", "escalated")
#: approached members read to judge target sensitivity
MAX_TARGETS = 500
MAX_MESSAGES = 50
MAX_REPORTS_SHOWN = 200


@dataclass(frozen=True)
class CasePolicy:
    lease: timedelta = timedelta(minutes=15)
    #: weights of the queue priority (see spycatcher.review.queue)
    w_risk: float = 3.0
    w_reports: float = 1.5
    w_intel: float = 2.0
    w_sensitivity: float = 1.5
    w_age: float = 1.0
    #: a case's age adds its full weight after this long
    age_full: timedelta = timedelta(hours=72)
    #: sensitive members approached for full target-sensitivity weight
    sensitive_full: int = 5
    max_triggers: int = 50

    def static_priority(
        self, score: float, report_weight: float, intel: int, sensitivity: float
    ) -> float:
        return (
            self.w_risk * score
            + self.w_reports * reports_mod.weight_strength(report_weight)
            + self.w_intel * (1.0 if intel > 0 else 0.0)
            + self.w_sensitivity * sensitivity
        )


def approached(s: Session, profile_id: str, limit: int = MAX_TARGETS) -> list[str]:
    """Members this profile sent invitations or messages to (most recent first)."""
    rows = s.execute(
        select(EventRow.target, EventRow.at)
        .where(EventRow.actor == profile_id, EventRow.type.in_(APPROACH_TYPES))
        .order_by(EventRow.at.desc())
        .limit(limit * 4)
    )
    seen: dict[str, None] = {}
    for target, _at in rows:
        if target != profile_id:
            seen.setdefault(str(target), None)
        if len(seen) >= limit:
            break
    return list(seen)


def target_sensitivity(
    s: Session, policy: CasePolicy, profile_id: str
) -> tuple[float, int, dict[str, int]]:
    """How many of the members it approached work at sensitive organisations (0..1, n, sectors)."""
    targets = approached(s, profile_id)
    if not targets:
        return 0.0, 0, {}
    from spycatcher.text.sensitive import SensitiveOrgs

    orgs = SensitiveOrgs.load()
    n = 0
    sectors: Counter[str] = Counter()
    for i in range(0, len(targets), 500):
        for data in s.execute(
            select(ProfileRow.data).where(ProfileRow.profile_id.in_(targets[i : i + 500]))
        ).scalars():
            try:
                match = orgs.classify(Profile.model_validate(data))
            except ValueError:
                continue
            if match is not None:
                n += 1
                sectors.update(match.sectors)
    return min(1.0, n / policy.sensitive_full), n, dict(sectors.most_common())


def _event(
    s: Session, case_id: int, actor: str, kind: str, detail: dict[str, Any], now: datetime
) -> None:
    s.add(CaseEventRow(case_id=case_id, at=now, actor=actor, kind=kind, detail=detail))


def open_or_update(
    s: Session,
    policy: CasePolicy,
    *,
    platform: str,
    profile_id: str,
    trigger: str,
    detail: dict[str, Any],
    score: float,
    report_weight: float,
    intel: int,
    sensitivity: float,
    actor: str,
    now: datetime,
) -> tuple[CaseRow, bool]:
    """Open a case for the profile, or add this trigger to its open case. Returns (case, opened)."""
    key = profile_key(platform, profile_id)
    priority = policy.static_priority(score, report_weight, intel, sensitivity)
    entry = {"kind": trigger, "at": iso(now), "detail": detail}
    existing = s.scalars(select(CaseRow).where(CaseRow.open_key == key)).first()
    if existing is None:
        row = CaseRow(
            platform=platform,
            profile_id=profile_id,
            open_key=key,
            status="open",
            triggers=[entry],
            score=score,
            report_weight=report_weight,
            intel_matches=intel,
            sensitivity=sensitivity,
            priority=priority,
            opened_at=now,
            updated_at=now,
        )
        try:
            with s.begin_nested():
                s.add(row)
                s.flush()
        except IntegrityError:  # another request opened it a moment ago
            existing = s.scalars(select(CaseRow).where(CaseRow.open_key == key)).one()
        else:
            _event(s, row.id, actor, "opened", entry, now)
            return row, True
    triggers = list(existing.triggers or [])
    if not triggers or triggers[-1].get("kind") != trigger or trigger != "reports":
        triggers.append(entry)
    existing.triggers = triggers[-policy.max_triggers :]
    existing.score = score
    existing.report_weight = report_weight
    existing.intel_matches = intel
    existing.sensitivity = sensitivity
    existing.priority = priority
    existing.updated_at = now
    _event(s, existing.id, actor, "trigger", entry, now)
    return existing, False


def get(s: Session, case_id: int) -> CaseRow:
    row = s.get(CaseRow, case_id)
    if row is None:
        raise NotFound(f"no case {case_id}")
    return row


def claim(s: Session, policy: CasePolicy, case_id: int, who: str, now: datetime) -> CaseRow:
    """Give ``who`` the case's lease, unless another reviewer holds a live one."""
    t = table(CaseRow)
    res = s.execute(
        update(t)
        .where(
            t.c.id == case_id,
            t.c.status.in_(OPEN_STATUSES),
            or_(t.c.assignee.is_(None), t.c.assignee == who, t.c.lease_until < now),
        )
        .values(assignee=who, lease_until=now + policy.lease, updated_at=now)
    )
    row = get(s, case_id)
    if not res.rowcount:  # type: ignore[attr-defined]
        if row.status not in OPEN_STATUSES:
            raise Conflict(f"case {case_id} is {row.status}")
        raise Conflict(
            f"case {case_id} is claimed by another reviewer until {iso(row.lease_until)}"
        )
    s.refresh(row)
    _event(s, case_id, who, "claimed", {"until": iso(row.lease_until)}, now)
    return row


def holds_lease(row: CaseRow, who: str, now: datetime) -> bool:
    until = aware(row.lease_until)
    return row.assignee == who and until is not None and until >= now


def release(s: Session, case_id: int, who: str, now: datetime) -> CaseRow:
    row = get(s, case_id)
    if not holds_lease(row, who, now):
        raise Conflict(f"you do not hold the lease on case {case_id}")
    row.assignee = None
    row.lease_until = None
    row.updated_at = now
    _event(s, case_id, who, "released", {}, now)
    return row


def as_dict(
    row: CaseRow, now: datetime | None = None, policy: CasePolicy | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "platform": row.platform,
        "profile_id": row.profile_id,
        "status": row.status,
        "triggers": row.triggers,
        "score": round(row.score, 4),
        "report_weight": round(row.report_weight, 4),
        "intel_matches": row.intel_matches,
        "sensitivity": round(row.sensitivity, 4),
        "opened_at": iso(row.opened_at),
        "updated_at": iso(row.updated_at),
        "closed_at": iso(row.closed_at),
        "assignee": row.assignee,
        "lease_until": iso(row.lease_until),
        "outcome": row.outcome,
    }
    if now is not None and policy is not None:
        from spycatcher.review.queue import queue_priority

        out["priority"] = round(queue_priority(policy, row, now), 4)
    return out


def evidence(
    s: Session,
    row: CaseRow,
    report_policy: reports_mod.ReportPolicy,
    case_policy: CasePolicy,
    show_reporters: bool,
) -> dict[str, Any]:
    """Everything the engine knows about the case's profile, for the reviewer."""
    platform, pid = row.platform, row.profile_id
    prof = s.get(ProfileRow, (platform, pid))
    latest = latest_assessments(s, [(platform, pid)]).get((platform, pid))
    assessment: dict[str, Any] | None = None
    campaign: dict[str, Any] | None = None
    if latest is not None:
        run = s.get(ScanRun, latest.run_id)
        assessment = {
            "run_id": latest.run_id,
            "engine": run.engine if run else None,
            "scored_at": iso(run.started_at) if run else None,
            "score": round(latest.score, 4),
            "level": latest.level,
            "signals": latest.signals,
            "contributions": latest.contributions,
        }
        if latest.campaign_id:
            camp = s.execute(
                select(CampaignRow)
                .join(ScanRun, ScanRun.run_id == CampaignRow.run_id)
                .where(CampaignRow.campaign_id == latest.campaign_id)
                .order_by(ScanRun.started_at.desc())
                .limit(1)
            ).scalar_one_or_none()
            if camp is not None:
                campaign = camp.data
    signals = (assessment or {}).get("signals") or []
    from spycatcher.text.lures import default_matcher

    matcher = default_matcher()
    titles = matcher.lexicon.titles
    messages = []
    for ev in s.execute(
        select(EventRow)
        .where(EventRow.actor == pid, EventRow.type.in_(APPROACH_TYPES))
        .order_by(EventRow.at.desc())
        .limit(MAX_MESSAGES)
    ).scalars():
        text = (ev.data or {}).get("text")
        lures = sorted({titles.get(h.category, h.category) for h in matcher.flagged(text)})
        messages.append(
            {
                "type": ev.type,
                "to": ev.target,
                "at": iso(ev.at),
                "text": excerpt(text, 2_000) if text else None,
                "accepted": (ev.data or {}).get("accepted"),
                "lures": lures,
            }
        )
    sens, n_sens, sectors = target_sensitivity(s, case_policy, pid)
    report_rows = list(
        s.scalars(
            select(ReportRow)
            .where(ReportRow.platform == platform, ReportRow.profile_id == pid)
            .order_by(ReportRow.created_at.desc())
            .limit(MAX_REPORTS_SHOWN)
        )
    )
    history = [
        {"at": iso(e.at), "actor": e.actor, "kind": e.kind, "detail": e.detail}
        for e in s.scalars(
            select(CaseEventRow).where(CaseEventRow.case_id == row.id).order_by(CaseEventRow.id)
        )
    ]
    decisions = [
        {
            "decision": d.decision,
            "reason": d.reason,
            "reviewer": d.reviewer,
            "decided_at": iso(d.decided_at),
            "case_id": d.case_id,
            "source": d.source,
        }
        for d in s.scalars(
            select(DecisionRow)
            .where(DecisionRow.platform == platform, DecisionRow.profile_id == pid)
            .order_by(DecisionRow.id)
        )
    ]
    actions = [
        {"id": a.id, "action": a.action, "status": a.status, "created_at": iso(a.created_at)}
        for a in s.scalars(
            select(ActionRow)
            .where(ActionRow.platform == platform, ActionRow.profile_id == pid)
            .order_by(ActionRow.seq)
            .limit(200)
        )
    ]
    status = s.get(ProfileStatusRow, (platform, pid))
    return {
        "profile": prof.data if prof is not None else None,
        "assessment": assessment,
        "photo_matches": [x for x in signals if str(x.get("name", "")).startswith("photo.")],
        "intel_matches": [x for x in signals if str(x.get("name", "")).startswith("intel.")],
        "campaign": campaign,
        "messages": messages,
        "approached": {
            "members": len(approached(s, pid)),
            "sensitive": n_sens,
            "sectors": sectors,
            "sensitivity": round(sens, 4),
        },
        "reports": {
            "summary": reports_mod.context(
                s, report_policy, platform, pid, decided_at(s, platform, pid)
            ),
            "items": [reports_mod.as_dict(r, show_reporters) for r in report_rows],
            "reporters_visible": show_reporters,
        },
        "history": history,
        "decisions": decisions,
        "actions": actions,
        "status": {
            "label": status.label if status else None,
            "enforcement": status.enforcement if status else None,
        },
    }


# -- what surrounds a case: its profile's events, neighbours and campaign ----------------------

#: events of the profile read for its timeline and neighbourhood (newest first)
MAX_PROFILE_EVENTS = 500
#: neighbours and campaign members / targets described (the rest are counted)
MAX_NEIGHBOURS = 40
MAX_CAMPAIGN_MEMBERS = 30
MAX_CAMPAIGN_TARGETS = 40
#: event types a neighbourhood shows; reports are left out (they name the reporter, whom a
#: reviewer may not be allowed to see) and come from the reports table instead
NEIGHBOUR_TYPES = ("invitation", "message", "connection", "endorsement", "view")


def people(s: Session, platform: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """What a picture of the network says about each profile: its name, current employer, the
    sensitive sectors it works in, its latest risk level, its human label and its open case.
    Profiles the store does not hold get only their id."""
    from spycatcher.text.sensitive import SensitiveOrgs

    orgs = SensitiveOrgs.load()
    wanted = sorted(set(ids))
    out: dict[str, dict[str, Any]] = {
        pid: {
            "id": pid,
            "name": None,
            "employer": None,
            "sectors": [],
            "level": None,
            "label": None,
            "open_case": None,
        }
        for pid in wanted
    }
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        for pid, data in s.execute(
            select(ProfileRow.profile_id, ProfileRow.data).where(
                ProfileRow.platform == platform, ProfileRow.profile_id.in_(chunk)
            )
        ):
            p = out[str(pid)]
            try:
                prof = Profile.model_validate(data)
            except ValueError:  # a stored record the contract no longer accepts
                continue
            p["name"] = prof.name
            jobs = [j.company for j in prof.current_positions() if j.company]
            p["employer"] = jobs[0] if jobs else None
            match = orgs.classify(prof)
            if match is not None:
                p["sectors"] = sorted(orgs.titles.get(x, x) for x in match.sectors)
        for st in s.scalars(
            select(ProfileStatusRow).where(
                ProfileStatusRow.platform == platform, ProfileStatusRow.profile_id.in_(chunk)
            )
        ):
            out[st.profile_id]["label"] = st.label
        for cid, pid in s.execute(
            select(CaseRow.id, CaseRow.profile_id).where(
                CaseRow.open_key.in_([profile_key(platform, x) for x in chunk])
            )
        ):
            out[str(pid)]["open_case"] = int(cid)
    for (_, pid), a in latest_assessments(s, [(platform, x) for x in wanted]).items():
        out[pid]["level"] = a.level
    return out


def _campaign_picture(
    s: Session, platform: str, pid: str, campaign: dict[str, Any]
) -> dict[str, Any]:
    members = [str(m) for m in campaign.get("members") or []]
    targets = [str(t) for t in campaign.get("targets") or []]
    shown_members = members[:MAX_CAMPAIGN_MEMBERS]
    if pid in members and pid not in shown_members:
        shown_members[-1] = pid
    shown_targets = targets[:MAX_CAMPAIGN_TARGETS]
    edges: Counter[tuple[str, str]] = Counter()
    if shown_members and shown_targets:
        for actor, target, n in s.execute(
            select(EventRow.actor, EventRow.target, func.count())
            .where(
                EventRow.actor.in_(shown_members),
                EventRow.target.in_(shown_targets),
                EventRow.type.in_(APPROACH_TYPES),
            )
            .group_by(EventRow.actor, EventRow.target)
        ):
            edges[(str(actor), str(target))] += int(n)
    who = people(s, platform, [*shown_members, *shown_targets])
    return {
        "id": campaign.get("id"),
        "score": campaign.get("score"),
        "size": len(members),
        "evidence": [str(e) for e in campaign.get("evidence") or []],
        "links": {str(k): int(v) for k, v in (campaign.get("links") or {}).items()},
        "organisations": [str(o) for o in campaign.get("organisations") or []],
        "first_activity": campaign.get("first_activity"),
        "last_activity": campaign.get("last_activity"),
        "members": [{**who[m], "is_case": m == pid} for m in shown_members],
        "targets": [who[t] for t in shown_targets],
        "members_total": len(members),
        "targets_total": len(targets),
        "edges": [{"member": a, "target": b, "count": n} for (a, b), n in sorted(edges.items())],
    }


def surroundings(s: Session, row: CaseRow, campaign: dict[str, Any] | None) -> dict[str, Any]:
    """The profile's recent events in both directions (newest first, reports excluded), the
    members it deals with most and how, and its campaign's members, targets and approaches.

    ``campaign`` is the campaign record from :func:`evidence` (or None).
    """
    platform, pid = row.platform, row.profile_id
    events = []
    for ev in s.scalars(
        select(EventRow)
        .where(
            or_(EventRow.actor == pid, EventRow.target == pid),
            EventRow.type.in_(NEIGHBOUR_TYPES),
        )
        .order_by(EventRow.at.desc())
        .limit(MAX_PROFILE_EVENTS)
    ):
        outgoing = ev.actor == pid
        other = ev.target if outgoing else ev.actor
        if other == pid:
            continue
        data = ev.data or {}
        events.append(
            {
                "type": ev.type,
                "direction": "out" if outgoing else "in",
                "other": other,
                "at": iso(ev.at),
                "accepted": data.get("accepted"),
                "text": excerpt(data.get("text"), 200) if data.get("text") else None,
            }
        )
    relations: dict[str, Counter[str]] = {}
    accepted: dict[str, bool] = {}
    for e in events:
        other = str(e["other"])
        kind = e["type"] if e["type"] == "connection" else f"{e['type']}_{e['direction']}"
        relations.setdefault(other, Counter())[str(kind)] += 1
        if e["accepted"]:
            accepted[other] = True
    # approached members first (they are who the case is about), then by how much happened
    ranked = sorted(
        relations,
        key=lambda o: (
            -sum(n for k, n in relations[o].items() if k in ("invitation_out", "message_out")),
            -sum(relations[o].values()),
            o,
        ),
    )
    shown = ranked[:MAX_NEIGHBOURS]
    who = people(s, platform, shown)
    neighbours = [
        {**who[o], "relations": dict(relations[o]), "accepted": accepted.get(o, False)}
        for o in shown
    ]
    return {
        "events": events,
        "events_truncated": len(events) >= MAX_PROFILE_EVENTS - 1,
        "neighbours": neighbours,
        "neighbours_total": len(ranked),
        "campaign": _campaign_picture(s, platform, pid, campaign) if campaign else None,
    }
