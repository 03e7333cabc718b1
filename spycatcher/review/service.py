"""The review service: one object the API, the CLI and the web pages call for every workflow.

It owns the store, the policies and the clock, opens one transaction per operation (with its
audit entry inside it), and composes the modules of this package: ingest and re-scoring, reports,
cases and the queue, decisions and enforcement, appeals, notifications, privacy. It holds no HTTP
concepts: callers pass an :class:`Actor` (who is acting, with which role) and get plain dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from spycatcher.io.records import LoadReport, RecordError, parse_record
from spycatcher.review import actions as actions_mod
from spycatcher.review import appeals as appeals_mod
from spycatcher.review import audit, cases, decisions, privacy, queue
from spycatcher.review import reports as reports_mod
from spycatcher.review.base import (
    Clock,
    Forbidden,
    NotFound,
    ReviewError,
    iso,
    transaction,
    utcnow,
    write_lock,
)
from spycatcher.review.queue import QueueFilter
from spycatcher.review.scoring import Rescorer, Scored, latest_assessments
from spycatcher.schema import Event, Profile
from spycatcher.store import Store
from spycatcher.store.db import content_hash
from spycatcher.store.models import AssessmentRow, CampaignRow, EventRow, ProfileRow, ScanRun
from spycatcher.store.review import (
    ActionRow,
    AppealRow,
    CaseRow,
    NotificationRow,
    ProfileStatusRow,
    ReportRow,
)

#: records accepted in one ingest call (a platform sends more in several calls)
MAX_INGEST_RECORDS = 10_000


@dataclass(frozen=True)
class Actor:
    """Who is acting: ``id`` goes into the audit trail (an API key id, never a secret)."""

    id: str
    role: str
    subject_platform: str | None = None
    subject_id: str | None = None
    can_see_reporters: bool = False

    @property
    def sees_reporters(self) -> bool:
        return self.role == "admin" or self.can_see_reporters


SYSTEM = Actor("system:engine", "system")


@dataclass
class Policies:
    reports: reports_mod.ReportPolicy = field(default_factory=reports_mod.ReportPolicy)
    cases: cases.CasePolicy = field(default_factory=cases.CasePolicy)
    retention: privacy.RetentionPolicy = field(default_factory=privacy.RetentionPolicy)


def _nul_path(obj: Any, path: str = "") -> str | None:
    """Where a NUL character hides in a decoded JSON value (PostgreSQL text cannot hold one)."""
    if isinstance(obj, str):
        return path or "(value)" if "\x00" in obj else None
    if isinstance(obj, dict):
        for k, v in obj.items():
            if "\x00" in str(k):
                return f"{path}.{k!s}".lstrip(".").replace("\x00", "\\0")
            found = _nul_path(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            found = _nul_path(v, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


class ReviewService:
    """Every service workflow over one store."""

    def __init__(
        self,
        store: Store,
        policies: Policies | None = None,
        clock: Clock = utcnow,
        rescorer: Rescorer | None = None,
    ):
        self.store = store
        self.policies = policies or Policies()
        self.clock = clock
        self.rescorer = rescorer or Rescorer(store, self.policies.reports)

    # -- ingest and re-scoring -----------------------------------------------------------------

    def _parse(
        self,
        model: type[Any],
        items: Iterable[tuple[int, Any]],
        source: str,
        errors: Sequence[RecordError] = (),
    ) -> tuple[list[Any], LoadReport]:
        report = LoadReport()
        for pre in errors:  # lines the caller could not even decode
            report.read += 1
            report.add_error(pre)
        out: list[Any] = []
        for line, obj in items:
            report.read += 1
            if report.read > MAX_INGEST_RECORDS:
                report.add_error(
                    RecordError(
                        source, line, "", f"more than {MAX_INGEST_RECORDS} records in one call"
                    )
                )
                continue
            nul = _nul_path(obj)
            if nul is not None:
                report.add_error(RecordError(source, line, nul, "contains a NUL character"))
                continue
            rec, err = parse_record(model, obj, source, line)
            if err is not None:
                report.add_error(err)
                continue
            report.accepted += 1
            out.append(rec)
        return out, report

    @staticmethod
    def _report_dict(report: LoadReport) -> dict[str, Any]:
        return {
            **report.summary(),
            "errors": [
                {"line": e.line, "field": e.field, "reason": e.reason, "message": str(e)}
                for e in report.errors[:1_000]
            ],
        }

    def ingest_profiles(
        self,
        items: Iterable[tuple[int, Any]],
        actor: Actor,
        source: str = "request",
        errors: Sequence[RecordError] = (),
    ) -> dict[str, Any]:
        """Store profiles (idempotent by platform + id) and re-score those that changed."""
        profiles, report = self._parse(Profile, items, source, errors)
        unique: dict[tuple[str, str], Profile] = {(p.platform, p.id): p for p in profiles}
        hashes: dict[tuple[str, str], str] = {}
        with self.store.session() as s:
            ids = sorted({pid for _, pid in unique})
            for i in range(0, len(ids), 500):
                for platform, pid, h in s.execute(
                    select(
                        ProfileRow.platform, ProfileRow.profile_id, ProfileRow.content_hash
                    ).where(ProfileRow.profile_id.in_(ids[i : i + 500]))
                ):
                    hashes[(platform, pid)] = h
        changed = [
            p
            for k, p in unique.items()
            if hashes.get(k) != content_hash(p.model_dump(mode="json", exclude_none=True))
        ]
        with write_lock(self.store):
            stored = self.store.upsert_profiles(unique.values())
        triage = self.rescore(changed, cause="ingest", actor=actor)
        now = self.clock()
        with transaction(self.store) as s:
            audit.append(
                s,
                actor=actor.id,
                action="ingest.profiles",
                now=now,
                details={
                    "accepted": report.accepted,
                    "rejected": report.rejected,
                    "changed": len(changed),
                    "cases_opened": triage["cases_opened"],
                },
            )
        return {
            **self._report_dict(report),
            "stored": stored,
            "changed": len(changed),
            **triage,
        }

    def ingest_events(
        self,
        items: Iterable[tuple[int, Any]],
        actor: Actor,
        platform: str = "linkedin",
        source: str = "request",
        errors: Sequence[RecordError] = (),
    ) -> dict[str, Any]:
        """Store events (idempotent by id or content); re-score the profiles they concern.

        ``report`` events become member reports (de-duplicated; the platform already rate-limits
        its own report button, so no rate limit here) and re-score the reported profile.
        """
        events, report = self._parse(Event, items, source, errors)
        keyed = {Store.event_key(e): e for e in events}
        known: set[str] = set()
        keys = sorted(keyed)
        with self.store.session() as s:
            for i in range(0, len(keys), 500):
                known.update(
                    s.scalars(
                        select(EventRow.event_key).where(EventRow.event_key.in_(keys[i : i + 500]))
                    )
                )
        new = [e for k, e in keyed.items() if k not in known]
        with write_lock(self.store):
            stored = self.store.upsert_events(keyed.values())
        now = self.clock()
        reported: set[str] = set()
        new_reports = 0
        if any(e.type == "report" for e in new):
            with transaction(self.store) as s:
                for e in new:
                    if e.type != "report" or e.actor == e.target:
                        continue
                    reason = e.reason if e.reason in reports_mod.REASONS else "other"
                    _, created = reports_mod.submit(
                        s,
                        self.policies.reports,
                        platform=platform,
                        profile_id=e.target,
                        reporter=e.actor,
                        reason=reason,
                        text=e.text,
                        now=e.at or now,
                        source="ingest",
                        rate_limit=False,
                    )
                    if created:
                        new_reports += 1
                        reported.add(e.target)
        actors = {e.actor for e in new if e.type in ("invitation", "message")}
        ingest_profiles = self._load_profiles(platform, actors)
        report_profiles = self._load_profiles(platform, reported - actors)
        triage = self.rescore(ingest_profiles, cause="ingest", actor=actor)
        t2 = self.rescore(report_profiles, cause="report", actor=actor)
        with transaction(self.store) as s:
            audit.append(
                s,
                actor=actor.id,
                action="ingest.events",
                now=self.clock(),
                details={
                    "accepted": report.accepted,
                    "rejected": report.rejected,
                    "new": len(new),
                    "reports": new_reports,
                    "cases_opened": triage["cases_opened"] + t2["cases_opened"],
                },
            )
        return {
            **self._report_dict(report),
            "stored": stored,
            "new": len(new),
            "reports": new_reports,
            "rescored": triage["rescored"] + t2["rescored"],
            "cases_opened": triage["cases_opened"] + t2["cases_opened"],
            "cases_updated": triage["cases_updated"] + t2["cases_updated"],
        }

    def _load_profiles(self, platform: str, ids: Iterable[str]) -> list[Profile]:
        ids = sorted(set(ids))
        out: list[Profile] = []
        with self.store.session() as s:
            for i in range(0, len(ids), 500):
                for data in s.scalars(
                    select(ProfileRow.data).where(
                        ProfileRow.platform == platform, ProfileRow.profile_id.in_(ids[i : i + 500])
                    )
                ):
                    out.append(Profile.model_validate(data))
        return out

    def rescore(self, profiles: Sequence[Profile], cause: str, actor: Actor) -> dict[str, Any]:
        """Score profiles from the store's view and open or update cases from the results."""
        if not profiles:
            return {"rescored": 0, "cases_opened": [], "cases_updated": []}
        now = self.clock()
        scored = self.rescorer.score(profiles, now)
        self.rescorer.save(scored, f"service:{cause}")
        opened: list[int] = []
        updated: list[int] = []
        # Lock order, to keep PostgreSQL free of deadlocks: case rows in (platform, id) order,
        # then the audit head (every transaction appends its audit entries last).
        scored = sorted(scored, key=lambda sc: (sc.profile.platform, sc.profile.id))
        with transaction(self.store) as s:
            statuses: dict[tuple[str, str], ProfileStatusRow] = {}
            ids = sorted({p.id for p in profiles})
            for i in range(0, len(ids), 500):
                for r in s.scalars(
                    select(ProfileStatusRow).where(
                        ProfileStatusRow.profile_id.in_(ids[i : i + 500])
                    )
                ):
                    statuses[(r.platform, r.profile_id)] = r
            entries: list[dict[str, Any]] = []
            for sc in scored:
                status = statuses.get((sc.profile.platform, sc.profile.id))
                result = self._triage(s, sc, cause, now, status, entries)
                if result is None:
                    continue
                case, is_new = result
                (opened if is_new else updated).append(case.id)
            for entry in entries:
                audit.append(s, actor=SYSTEM.id, action="case.opened", now=now, **entry)
        return {"rescored": len(scored), "cases_opened": opened, "cases_updated": updated}

    def _triage(
        self,
        s: Any,
        sc: Scored,
        cause: str,
        now: datetime,
        status: ProfileStatusRow | None,
        audit_entries: list[dict[str, Any]],
    ) -> tuple[CaseRow, bool] | None:
        """Open or update the profile's case from its new score; audit entries are collected."""
        p, a = sc.profile, sc.assessment
        if status is not None and status.label == "fake":
            return None  # decided; a second look comes through an appeal
        decided = status is not None and status.decided_at is not None
        weight = float(sc.ctx.reports.get("weight", 0.0) or 0.0)
        intel = sum(1 for x in a.signals if x.name.startswith("intel."))
        triggers: list[tuple[str, dict[str, Any]]] = []
        fresh_evidence = not (decided and cause == "report")
        if a.level == "high" and fresh_evidence:
            triggers.append(("score", {"score": round(a.score, 4), "cause": cause}))
        if intel and fresh_evidence:
            triggers.append(("intel", {"matches": intel}))
        if weight >= self.policies.reports.case_threshold:
            triggers.append(
                (
                    "reports",
                    {
                        "weight": weight,
                        "count": sc.ctx.reports.get("count", 0),
                        "burst": bool(sc.ctx.reports.get("burst")),
                    },
                )
            )
        if not triggers:
            return None
        sens, _, _ = cases.target_sensitivity(s, self.policies.cases, p.id)
        result: tuple[CaseRow, bool] | None = None
        for kind, detail in triggers:
            case, is_new = cases.open_or_update(
                s,
                self.policies.cases,
                platform=p.platform,
                profile_id=p.id,
                trigger=kind,
                detail=detail,
                score=a.score,
                report_weight=weight,
                intel=intel,
                sensitivity=sens,
                actor=SYSTEM.id,
                now=now,
            )
            if is_new:
                audit_entries.append(
                    {
                        "subject": audit.pseudonym(s, p.platform, p.id, now),
                        "reason": f"{kind} trigger",
                        "details": {"case_id": case.id, "trigger": kind, **detail},
                    }
                )
            result = (case, is_new or (result[1] if result else False))
        return result

    def cases_from_scan(
        self, actor: Actor, run_id: str | None = None, limit: int = 1_000
    ) -> dict[str, Any]:
        """Open cases for the high-risk profiles of a full scan (the latest by default)."""
        if run_id is None:
            run = self.store.latest_run()
            if run is None:
                raise NotFound("no finished scan in the store")
            run_id = run.run_id
        with self.store.session() as s:
            if s.get(ScanRun, run_id) is None:
                raise NotFound(f"no scan run {run_id}")
            rows = list(
                s.scalars(
                    select(AssessmentRow)
                    .where(AssessmentRow.run_id == run_id, AssessmentRow.level == "high")
                    .order_by(AssessmentRow.score.desc())
                    .limit(limit)
                )
            )
        now = self.clock()
        opened: list[int] = []
        with transaction(self.store) as s:
            for r in rows:
                status = s.get(ProfileStatusRow, (r.platform, r.profile_id))
                if status is not None and status.decided_at is not None:
                    continue
                intel = sum(
                    1 for x in r.signals or [] if str(x.get("name", "")).startswith("intel.")
                )
                sens, _, _ = cases.target_sensitivity(s, self.policies.cases, r.profile_id)
                case, is_new = cases.open_or_update(
                    s,
                    self.policies.cases,
                    platform=r.platform,
                    profile_id=r.profile_id,
                    trigger="intel" if intel else "score",
                    detail={"score": round(r.score, 4), "run_id": run_id},
                    score=r.score,
                    report_weight=0.0,
                    intel=intel,
                    sensitivity=sens,
                    actor=actor.id,
                    now=now,
                )
                if is_new:
                    opened.append(case.id)
            audit.append(
                s,
                actor=actor.id,
                action="cases.from_scan",
                now=now,
                details={"run_id": run_id, "high": len(rows), "opened": len(opened)},
            )
        return {"run_id": run_id, "high": len(rows), "cases_opened": opened}

    # -- the member's side ---------------------------------------------------------------------

    def check(self, profile: Profile, message: str | None = None) -> dict[str, Any]:
        """The individual's check (the same function as ``spycatcher check``)."""
        from spycatcher.checker import check_profile

        return check_profile(profile, message=message)

    def _member(self, actor: Actor) -> tuple[str, str]:
        if actor.role != "member" or not actor.subject_id or not actor.subject_platform:
            raise Forbidden("only a member key with a profile may do this")
        return actor.subject_platform, actor.subject_id

    def submit_report(
        self, actor: Actor, platform: str, profile_id: str, reason: str, text: str | None
    ) -> dict[str, Any]:
        my_platform, me = self._member(actor)
        if platform != my_platform:
            raise ReviewError("members report profiles on their own platform", 422)
        now = self.clock()
        with transaction(self.store) as s:
            row, created = reports_mod.submit(
                s,
                self.policies.reports,
                platform=platform,
                profile_id=profile_id,
                reporter=me,
                reason=reason,
                text=text,
                now=now,
            )
            if created:
                audit.append(
                    s,
                    actor=actor.id,
                    action="report.filed",
                    now=now,
                    subject=audit.pseudonym(s, platform, profile_id, now),
                    details={
                        "report_id": row.id,
                        "reason": reason,
                        "reporter": audit.pseudonym(s, platform, me, now),
                    },
                )
            out = reports_mod.as_dict(row, show_reporter=False)
        out["duplicate"] = not created
        if created:
            profiles = self._load_profiles(platform, [profile_id])
            triage = self.rescore(profiles, cause="report", actor=actor)
            out["case_opened"] = bool(triage["cases_opened"])
        return out

    def my_reports(self, actor: Actor, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        platform, me = self._member(actor)
        with self.store.session() as s:
            rows = s.scalars(
                select(ReportRow)
                .where(ReportRow.platform == platform, ReportRow.reporter == me)
                .order_by(ReportRow.created_at.desc(), ReportRow.id)
                .offset(offset)
                .limit(limit)
            )
            return [reports_mod.as_dict(r, show_reporter=False) for r in rows]

    def my_notifications(
        self, actor: Actor, limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        platform, me = self._member(actor)
        with self.store.session() as s:
            rows = s.scalars(
                select(NotificationRow)
                .where(NotificationRow.platform == platform, NotificationRow.member_id == me)
                .order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc())
                .offset(offset)
                .limit(limit)
            )
            return [
                {
                    "id": n.id,
                    "profile_id": n.profile_id,
                    "created_at": iso(n.created_at),
                    "text": n.text,
                    "asked": (n.data or {}).get("asked", []),
                    "messages": (n.data or {}).get("messages", []),
                }
                for n in rows
            ]

    def open_appeal(
        self, actor: Actor, platform: str, profile_id: str, text: str | None
    ) -> dict[str, Any]:
        my_platform, me = self._member(actor)
        if (platform, profile_id) != (my_platform, me):
            raise Forbidden("members may appeal only their own profile")
        now = self.clock()
        with transaction(self.store) as s:
            row = appeals_mod.open_appeal(
                s,
                platform=platform,
                profile_id=profile_id,
                appellant=me,
                text=text,
                actor=actor.id,
                now=now,
            )
            return appeals_mod.as_dict(row, show_appellant=False)

    def my_appeals(self, actor: Actor) -> list[dict[str, Any]]:
        platform, me = self._member(actor)
        with self.store.session() as s:
            rows = s.scalars(
                select(AppealRow)
                .where(AppealRow.platform == platform, AppealRow.profile_id == me)
                .order_by(AppealRow.opened_at.desc(), AppealRow.id.desc())
            )
            return [appeals_mod.as_dict(r, show_appellant=False) for r in rows]

    # -- the reviewer's side -------------------------------------------------------------------

    def queue(
        self, actor: Actor, status: str = "open", limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        with self.store.session() as s:
            return queue.ranked(
                s,
                self.policies.cases,
                self.clock(),
                status=status,
                who=actor.id,
                limit=limit,
                offset=offset,
            )

    def queue_page(
        self, actor: Actor, flt: QueueFilter, limit: int = 25, offset: int = 0
    ) -> dict[str, Any]:
        """A filtered, sorted page of cases for the console, with what each row shows, the
        number of matches, every match's id in order, the case count per status and the
        campaigns a reviewer can filter by."""
        with self.store.session() as s:
            found = queue.search(
                s,
                self.policies.cases,
                self.clock(),
                flt,
                who=actor.id,
                limit=limit,
                offset=offset,
            )
            return {
                "items": queue.describe(s, found.items),
                "total": found.total,
                "ids": found.ids,
                "counts": queue.status_counts(s),
                "campaigns": queue.campaign_options(s),
            }

    def queue_ids(self, actor: Actor, flt: QueueFilter) -> list[int]:
        """Every case id ``flt`` selects, in queue order (for "next" and "previous" case)."""
        with self.store.session() as s:
            return queue.search(
                s, self.policies.cases, self.clock(), flt, who=actor.id, limit=0
            ).ids

    def case_surroundings(self, actor: Actor, case_id: int) -> dict[str, Any]:
        """The case profile's events, network neighbourhood and campaign picture (members,
        targets, who approached whom, shared traits), for the console's case page."""
        with self.store.session() as s:
            row = cases.get(s, case_id)
            campaign = None
            latest = latest_assessments(s, [(row.platform, row.profile_id)]).get(
                (row.platform, row.profile_id)
            )
            if latest is not None and latest.campaign_id:
                camp = s.execute(
                    select(CampaignRow)
                    .join(ScanRun, ScanRun.run_id == CampaignRow.run_id)
                    .where(CampaignRow.campaign_id == latest.campaign_id)
                    .order_by(ScanRun.started_at.desc())
                    .limit(1)
                ).scalar_one_or_none()
                campaign = camp.data if camp is not None else None
            return cases.surroundings(s, row, campaign)

    def case_audit(self, actor: Actor, case_id: int, limit: int = 200) -> list[dict[str, Any]]:
        """The audit entries about the case's profile (its pseudonym), oldest first. Reporters'
        pseudonyms are hidden from a key that may not see reporters."""
        with self.store.session() as s:
            row = cases.get(s, case_id)
            token = audit.subject_token(s, row.platform, row.profile_id)
            entries = audit.for_subject(s, token, limit) if token else []
        if not actor.sees_reporters:
            for e in entries:
                if isinstance(e["details"], dict) and "reporter" in e["details"]:
                    e["details"]["reporter"] = "(hidden)"
        return entries

    def case(self, actor: Actor, case_id: int) -> dict[str, Any]:
        with self.store.session() as s:
            row = cases.get(s, case_id)
            out = cases.as_dict(row, self.clock(), self.policies.cases)
            out["evidence"] = cases.evidence(
                s, row, self.policies.reports, self.policies.cases, actor.sees_reporters
            )
            return out

    def claim(self, actor: Actor, case_id: int) -> dict[str, Any]:
        now = self.clock()
        with transaction(self.store) as s:
            row = cases.get(s, case_id)
            if row.status == "escalated" and actor.role != "admin":
                raise Forbidden("an escalated case is for an admin")
            row = cases.claim(s, self.policies.cases, case_id, actor.id, now)
            audit.append(
                s,
                actor=actor.id,
                action="case.claimed",
                now=now,
                subject=audit.pseudonym(s, row.platform, row.profile_id, now),
                details={"case_id": case_id, "until": iso(row.lease_until)},
            )
            return cases.as_dict(row, now, self.policies.cases)

    def release(self, actor: Actor, case_id: int) -> dict[str, Any]:
        now = self.clock()
        with transaction(self.store) as s:
            row = cases.release(s, case_id, actor.id, now)
            audit.append(
                s,
                actor=actor.id,
                action="case.released",
                now=now,
                subject=audit.pseudonym(s, row.platform, row.profile_id, now),
                details={"case_id": case_id},
            )
            return cases.as_dict(row, now, self.policies.cases)

    def decide(
        self, actor: Actor, case_id: int, decision: str, reason: str, action: str | None = None
    ) -> dict[str, Any]:
        now = self.clock()
        with transaction(self.store) as s:
            row = cases.get(s, case_id)
            result = decisions.decide(
                s,
                row,
                decision=decision,
                reason=reason,
                action=action,
                who=actor.id,
                role=actor.role,
                now=now,
            )
            platform, pid = row.platform, row.profile_id
        pdq = result.pop("bank_pdq", None)
        if pdq:
            with write_lock(self.store):
                banked = decisions.bank_photo(self.store, pdq, case_id, reason)
            result["hash_bank"] = banked
            with transaction(self.store) as s:
                audit.append(
                    s,
                    actor=actor.id,
                    action="photo.banked" if banked["banked"] else "photo.not_banked",
                    now=now,
                    subject=audit.pseudonym(s, platform, pid, now),
                    details={"case_id": case_id, **banked},
                )
        return result

    def profile(self, actor: Actor, platform: str, profile_id: str) -> dict[str, Any]:
        with self.store.session() as s:
            prof = s.get(ProfileRow, (platform, profile_id))
            if prof is None:
                raise NotFound("no such profile")
            status = s.get(ProfileStatusRow, (platform, profile_id))
            open_case = s.scalars(
                select(CaseRow.id).where(
                    CaseRow.platform == platform,
                    CaseRow.profile_id == profile_id,
                    CaseRow.open_key.is_not(None),
                )
            ).first()
            latest = self.store.latest_assessment(profile_id, platform)
            return {
                "profile": prof.data,
                "assessment": None
                if latest is None
                else {
                    "score": round(latest.score, 4),
                    "level": latest.level,
                    "signals": latest.signals,
                    "run_id": latest.run_id,
                },
                "status": {
                    "label": status.label if status else None,
                    "enforcement": status.enforcement if status else None,
                    "decided_at": iso(status.decided_at) if status else None,
                },
                "open_case": open_case,
            }

    def profile_reports(
        self, actor: Actor, platform: str, profile_id: str, limit: int = 100, offset: int = 0
    ) -> dict[str, Any]:
        with self.store.session() as s:
            rows = s.scalars(
                select(ReportRow)
                .where(ReportRow.platform == platform, ReportRow.profile_id == profile_id)
                .order_by(ReportRow.created_at.desc(), ReportRow.id)
                .offset(offset)
                .limit(limit)
            )
            items = [reports_mod.as_dict(r, actor.sees_reporters) for r in rows]
            since = None
            st = s.get(ProfileStatusRow, (platform, profile_id))
            if st is not None:
                since = st.decided_at
            summary = reports_mod.context(s, self.policies.reports, platform, profile_id, since)
        return {"summary": summary, "items": items, "reporters_visible": actor.sees_reporters}

    def appeals(
        self, actor: Actor, status: str | None = "open", limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        with self.store.session() as s:
            return [
                appeals_mod.as_dict(r, show_appellant=actor.sees_reporters)
                for r in appeals_mod.listing(s, status, limit, offset)
            ]

    def decide_appeal(
        self, actor: Actor, appeal_id: int, grant: bool, reason: str
    ) -> dict[str, Any]:
        now = self.clock()
        with transaction(self.store) as s:
            return appeals_mod.decide_appeal(
                s, appeal_id=appeal_id, grant=grant, reason=reason, who=actor.id, now=now
            )

    # -- admin ---------------------------------------------------------------------------------

    def outbox(
        self, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        with self.store.session() as s:
            q = select(ActionRow)
            if status:
                q = q.where(ActionRow.status == status)
            rows = s.scalars(q.order_by(ActionRow.seq).offset(offset).limit(limit))
            return [actions_mod.as_dict(a) for a in rows]

    def retry_action(self, actor: Actor, action_id: str) -> dict[str, Any]:
        now = self.clock()
        with transaction(self.store) as s:
            return actions_mod.as_dict(actions_mod.retry_dead(s, action_id, actor.id, now))

    def retention(self, actor: Actor, dry_run: bool = False) -> dict[str, Any]:
        return privacy.apply_retention(
            self.store, self.policies.retention, self.clock(), actor.id, dry_run
        )

    def erase(self, actor: Actor, platform: str, member_id: str) -> dict[str, Any]:
        return privacy.erase_member(self.store, platform, member_id, actor.id, self.clock())

    def audit_verify(self) -> dict[str, Any]:
        return audit.verify(self.store).as_dict()

    def audit_entries(self, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        return audit.entries(self.store, after, limit)

    def record(
        self, actor: Actor, action: str, details: dict[str, Any], reason: str | None = None
    ) -> None:
        """Append an audit entry for an action taken outside this class (keys, intel import)."""
        with transaction(self.store) as s:
            audit.append(
                s, actor=actor.id, action=action, now=self.clock(), reason=reason, details=details
            )
