"""Organisation mode: staff exports in, campaigns across staff out (shown, and as STIX 2.1).

One fake recruiter rarely approaches one person: MI5 counted over 10,000 UK nationals approached
in five years, many of them colleagues at the same few organisations. A security officer who sees
only one report at a time misses that. Here staff exports (uploaded by the officer, or submitted
by staff themselves under the organisation's code) are each ranked by
:func:`spycatcher.export_check.rank_export`, and the approaches kept are grouped across staff.

**Roles.** An ``org-officer`` API key is attached to one organisation
(:class:`~spycatcher.store.organisations.OrgOfficerRow`); an admin creates organisations and their
officer keys. Staff need no key: they submit under the organisation's code, a ~100-bit random
string the officer hands out (only its SHA-256 is stored; rotating it invalidates the old one).

**What is kept** (:func:`kept_approaches`): for each sender who sent the staff member an
invitation, or whose messages the check rated medium or high, the sender's details as the export
shows them (name, headline, employer, profile URL; the email address only when rated medium or
high), counts, first and last dates, the check's level, score and reasons, and at most
:data:`TEXTS_KEPT` texts of :data:`TEXT_CHARS` characters (for a low-rated sender only its
invitation notes: a colleague's messages are never kept). The staff member is recorded only by
the label the uploader chose. Nothing else of the export is kept: not the file, not the staff
member's profile, connections or own messages.

**For how long, and erasure.** Each submission expires after the organisation's retention period
(default :data:`DEFAULT_RETENTION_DAYS` days, at most :data:`MAX_RETENTION_DAYS`) and is then
deleted, rows and all, by :func:`purge_expired` (run on every organisation page, STIX download
and submission, so nothing outlives its period by more than the time to the next visit). The
officer may erase one submission or all of them at any time; a staff member who submitted their
own export gets an erasure code, shown once, that deletes it. The audit trail records that a
submission was made or erased (ids and counts, never labels or text).

**Grouping** (:func:`group_campaigns`), over senders:

* *same sender*: one profile (normalised URL) that approached several staff is one group;
* *same wording*: texts of at least :data:`WORDING_MIN_TOKENS` content words that MinHash puts at
  estimated Jaccard >= 0.5 (:class:`spycatcher.text.templates.TemplateIndex`) link their senders.
  Platform-wide, one message script links two accounts only weakly (scripts are shared between
  operators); inside one organisation, the same script reaching several of its staff is exactly
  the pattern the officer asks about, whoever runs the accounts;
* *persona traits*: :func:`spycatcher.graph.campaigns.find_campaigns` over the senders (shared
  photo, contact details, website, shell employer, overlapping staff targeted).

A group is shown when it spans two or more staff or two or more senders. Its level is that of its
riskiest sender; the STIX export (:func:`stix_bundle`, built by
:func:`spycatcher.intel.stix_export.build_bundle`) holds the groups rated medium or high, never a
staff label.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from base64 import b32encode
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

from spycatcher.export_check import UPLOAD_LIMITS, ExportRanking, RankedSender, rank_export
from spycatcher.graph.campaigns import campaign_id, find_campaigns
from spycatcher.io.limits import Limits
from spycatcher.io.linkedin_export import profile_url
from spycatcher.review import audit
from spycatcher.review.base import aware, transaction
from spycatcher.schema import Profile
from spycatcher.store import Store
from spycatcher.store.organisations import (
    OrganisationRow,
    OrgApproachRow,
    OrgOfficerRow,
    OrgSubmissionRow,
)

DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 365
#: texts kept per sender and submission, and characters per text
TEXTS_KEPT = 5
TEXT_CHARS = 1_000
#: approaches kept per submission (riskiest first); an export with more is unusual
MAX_KEPT = 500
#: content words a text needs before its wording can link two senders (as the template stage)
WORDING_MIN_TOKENS = 8
WORDING_THRESHOLD = 0.5
LEVEL_RANK = {"low": 0, "medium": 1, "high": 2}
STAFF_LABEL_CHARS = 200


class OrganisationError(ValueError):
    """A request organisation mode refuses, with a sentence for the person who made it."""


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    name: str
    retention_days: int
    created_at: datetime


def _org(row: OrganisationRow) -> Organisation:
    created = aware(row.created_at)
    assert created is not None
    return Organisation(row.id, row.name, row.retention_days, created)


# ------------------------------------------------------------------------------ codes


def new_code(prefix: str = "ORG") -> str:
    """A code of 100 random bits in five-letter groups (easy to read out, impossible to guess)."""
    raw = b32encode(secrets.token_bytes(13)).decode()[:20]
    return prefix + "-" + "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def code_hash(code: str) -> str:
    """The stored form of a code: SHA-256 of its letters (case, spaces and dashes ignored)."""
    letters = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(letters.encode()).hexdigest()


# ---------------------------------------------------------------------- organisations


def create_organisation(
    store: Store,
    name: str,
    actor: str,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    now: datetime | None = None,
) -> tuple[Organisation, str]:
    """Make an organisation; returns it and its staff code (shown once, stored hashed)."""
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise OrganisationError("An organisation needs a name of 1 to 200 characters.")
    if not 1 <= retention_days <= MAX_RETENTION_DAYS:
        raise OrganisationError(f"Keep submissions for 1 to {MAX_RETENTION_DAYS} days.")
    now = now or datetime.now(UTC)
    code = new_code()
    row = OrganisationRow(
        id=uuid.uuid4().hex,
        name=name,
        code_hash=code_hash(code),
        retention_days=retention_days,
        created_at=now,
        created_by=actor[:100],
    )
    with transaction(store) as s:
        s.add(row)
        s.flush()
        audit.append(
            s,
            actor=actor,
            action="org.created",
            now=now,
            subject=f"org:{row.id}",
            details={"retention_days": retention_days},
        )
    return _org(row), code


def rotate_code(store: Store, org_id: str, actor: str, now: datetime | None = None) -> str:
    """A new staff code for the organisation; the old one stops working at once."""
    now = now or datetime.now(UTC)
    code = new_code()
    with transaction(store) as s:
        row = s.get(OrganisationRow, org_id)
        if row is None:
            raise OrganisationError("No such organisation.")
        row.code_hash = code_hash(code)
        audit.append(s, actor=actor, action="org.code_rotated", now=now, subject=f"org:{org_id}")
    return code


def create_officer_key(
    store: Store, org_id: str, name: str | None, actor: str, now: datetime | None = None
) -> str:
    """An ``org-officer`` API key attached to the organisation; returns the key (shown once)."""
    from spycatcher.api.auth import create_key

    if get_organisation(store, org_id) is None:
        raise OrganisationError("No such organisation.")
    now = now or datetime.now(UTC)
    key, desc = create_key(store, "org-officer", name=name, created_by=actor, now=now)
    with transaction(store) as s:
        s.add(OrgOfficerRow(key_id=desc["key_id"], org_id=org_id, added_at=now))
        audit.append(
            s,
            actor=actor,
            action="org.officer_added",
            now=now,
            subject=f"org:{org_id}",
            details={"key_id": desc["key_id"]},
        )
    return key


def get_organisation(store: Store, org_id: str) -> Organisation | None:
    with store.session() as s:
        row = s.get(OrganisationRow, org_id)
        return _org(row) if row else None


def organisation_for_key(store: Store, key_id: str) -> Organisation | None:
    """The organisation an org-officer key belongs to (None: the key was never attached)."""
    with store.session() as s:
        link = s.get(OrgOfficerRow, key_id)
        if link is None:
            return None
        row = s.get(OrganisationRow, link.org_id)
        return _org(row) if row else None


def organisation_by_code(store: Store, code: str) -> Organisation | None:
    if not code or len(code) > 100:
        return None
    with store.session() as s:
        row = s.scalars(
            select(OrganisationRow).where(OrganisationRow.code_hash == code_hash(code))
        ).first()
        return _org(row) if row else None


def organisations(store: Store) -> list[dict[str, Any]]:
    """Every organisation with its number of live submissions (for an admin)."""
    with store.session() as s:
        counts = dict(
            s.execute(
                select(OrgSubmissionRow.org_id, func.count()).group_by(OrgSubmissionRow.org_id)
            ).all()
        )
        officers = dict(
            s.execute(
                select(OrgOfficerRow.org_id, func.count()).group_by(OrgOfficerRow.org_id)
            ).all()
        )
        rows = s.scalars(select(OrganisationRow).order_by(OrganisationRow.name, OrganisationRow.id))
        return [
            {
                "org": _org(r),
                "submissions": int(counts.get(r.id, 0)),
                "officers": int(officers.get(r.id, 0)),
            }
            for r in rows
        ]


# ------------------------------------------------------------------------ submissions


@dataclass(slots=True)
class Submitted:
    """What a submission kept, for the page that confirms it."""

    id: str
    checked: int
    kept: int
    levels: dict[str, int]
    expires_at: datetime
    #: the staff member's erasure code (staff submissions only; shown once)
    erase_code: str | None
    ranking: ExportRanking


def kept_approaches(ranking: ExportRanking) -> list[dict[str, Any]]:
    """The approaches of one export that organisation mode keeps (see the module doc)."""
    out: list[dict[str, Any]] = []
    for r in ranking.senders:
        risky = r.level in ("medium", "high")
        if not risky and not r.invitations:
            continue  # a colleague's low-risk messages are none of the officer's business
        texts = [t for t in r.texts if risky or t.kind == "invitation"][-TEXTS_KEPT:]
        out.append(
            {
                "sender_id": r.sender_id[:1000],
                "sender": _sender_details(r, risky),
                "invitations": r.invitations,
                "messages": r.messages if risky else 0,
                "first_at": r.first_at,
                "last_at": r.last_at,
                "texts": [
                    {"kind": t.kind, "at": t.at.isoformat(), "text": t.text[:TEXT_CHARS]}
                    for t in texts
                ],
                "score": r.score,
                "level": r.level,
                "reasons": [
                    {"name": x["name"], "title": x["title"], "evidence": x["evidence"]}
                    for x in r.verdict["reasons"]
                ][:20],
            }
        )
        if len(out) >= MAX_KEPT:
            break
    return out


def _sender_details(r: RankedSender, risky: bool) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": r.name,
        "headline": r.headline,
        "employer": r.employer,
        "url": r.url,
    }
    if risky and r.email:
        d["email"] = r.email
    return {k: (v[:1000] if isinstance(v, str) else v) for k, v in d.items() if v}


def submit_export(
    store: Store,
    org: Organisation,
    path: Path,
    staff_label: str,
    *,
    source: str,
    actor: str,
    now: datetime | None = None,
    limits: Limits = UPLOAD_LIMITS,
) -> Submitted:
    """Rank one staff export and keep what the officer needs (raises UntrustedFileError)."""
    label = " ".join(staff_label.split())[:STAFF_LABEL_CHARS]
    if not label:
        raise OrganisationError("Say whose export this is (a name or a staff number).")
    if source not in ("officer", "staff"):
        raise ValueError(f"unknown source {source!r}")
    now = now or datetime.now(UTC)
    ranking = rank_export(path, limits, as_of=now)
    kept = kept_approaches(ranking)
    erase_code = new_code("ERASE") if source == "staff" else None
    sub_id = uuid.uuid4().hex
    expires = now + timedelta(days=org.retention_days)
    levels = ranking.counts()
    summary = {
        "checked": len(ranking.senders),
        "not_checked": ranking.not_checked,
        "kept": len(kept),
        "levels": levels,
        "unreadable_lines": ranking.report.rejected,
    }
    purge_expired(store, now)
    with transaction(store) as s:
        s.add(
            OrgSubmissionRow(
                id=sub_id,
                org_id=org.id,
                staff_label=label,
                source=source,
                created_at=now,
                expires_at=expires,
                erase_hash=code_hash(erase_code) if erase_code else None,
                summary=summary,
            )
        )
        s.flush()
        for k in kept:
            s.add(OrgApproachRow(submission_id=sub_id, org_id=org.id, **k))
        audit.append(
            s,
            actor=actor,
            action="org.submission",
            now=now,
            subject=f"org:{org.id}",
            details={"submission": sub_id, "source": source, "kept": len(kept)},
        )
    return Submitted(sub_id, len(ranking.senders), len(kept), levels, expires, erase_code, ranking)


def submissions(store: Store, org_id: str) -> list[dict[str, Any]]:
    with store.session() as s:
        rows = s.scalars(
            select(OrgSubmissionRow)
            .where(OrgSubmissionRow.org_id == org_id)
            .order_by(OrgSubmissionRow.created_at.desc(), OrgSubmissionRow.id)
        )
        return [
            {
                "id": r.id,
                "staff": r.staff_label,
                "source": r.source,
                "created_at": aware(r.created_at),
                "expires_at": aware(r.expires_at),
                "summary": r.summary,
            }
            for r in rows
        ]


def _delete(s: Any, ids: Sequence[str]) -> int:
    if not ids:
        return 0
    s.execute(delete(OrgApproachRow).where(OrgApproachRow.submission_id.in_(ids)))
    res = s.execute(delete(OrgSubmissionRow).where(OrgSubmissionRow.id.in_(ids)))
    return int(res.rowcount or 0)


def erase_submission(
    store: Store, org_id: str, submission_id: str, actor: str, now: datetime | None = None
) -> bool:
    """Delete one submission of this organisation and everything kept from it."""
    now = now or datetime.now(UTC)
    with transaction(store) as s:
        ids = list(
            s.scalars(
                select(OrgSubmissionRow.id).where(
                    OrgSubmissionRow.id == submission_id, OrgSubmissionRow.org_id == org_id
                )
            )
        )
        n = _delete(s, ids)
        if n:
            audit.append(
                s,
                actor=actor,
                action="org.erased",
                now=now,
                subject=f"org:{org_id}",
                details={"submissions": ids},
            )
    return bool(n)


def erase_all(store: Store, org_id: str, actor: str, now: datetime | None = None) -> int:
    """Delete every submission of the organisation."""
    now = now or datetime.now(UTC)
    with transaction(store) as s:
        ids = list(s.scalars(select(OrgSubmissionRow.id).where(OrgSubmissionRow.org_id == org_id)))
        n = _delete(s, ids)
        if n:
            audit.append(
                s,
                actor=actor,
                action="org.erased",
                now=now,
                subject=f"org:{org_id}",
                details={"submissions": len(ids), "all": True},
            )
    return n


def erase_with_code(store: Store, code: str, now: datetime | None = None) -> bool:
    """A staff member deletes their own submission with the erasure code they were given."""
    if not code or len(code) > 100:
        return False
    now = now or datetime.now(UTC)
    with transaction(store) as s:
        row = s.scalars(
            select(OrgSubmissionRow).where(OrgSubmissionRow.erase_hash == code_hash(code))
        ).first()
        if row is None:
            return False
        org_id, sub_id = row.org_id, row.id
        _delete(s, [sub_id])
        audit.append(
            s,
            actor="staff:erasure-code",
            action="org.erased",
            now=now,
            subject=f"org:{org_id}",
            details={"submissions": [sub_id], "by": "staff"},
        )
    return True


def purge_expired_in(s: Any, now: datetime, dry_run: bool = False) -> int:
    """Delete (or with ``dry_run`` only count) submissions past their retention, in session ``s``.

    The one place expiry is decided: organisation pages call it through :func:`purge_expired`,
    and the service's retention job (``spycatcher privacy retention``) calls it inside its own
    transaction, so expired staff submissions go even when no officer visits.
    """
    due = list(s.scalars(select(OrgSubmissionRow.id).where(OrgSubmissionRow.expires_at <= now)))
    if dry_run or not due:
        return len(due)
    return _delete(s, due)


def purge_expired(store: Store, now: datetime | None = None) -> int:
    """Delete every submission past its retention period (all organisations), audited."""
    now = now or datetime.now(UTC)
    with store.session() as s:
        if not purge_expired_in(s, now, dry_run=True):  # no write transaction on most visits
            return 0
    with transaction(store) as s:
        n = purge_expired_in(s, now)
        if n:
            audit.append(
                s,
                actor="system:retention",
                action="org.expired",
                now=now,
                details={"submissions": n},
            )
    return n


# --------------------------------------------------------------------------- grouping


@dataclass(slots=True)
class Approach:
    """One sender's approaches to one staff member, as stored."""

    submission_id: str
    staff: str
    sender_id: str
    sender: dict[str, Any]
    invitations: int
    messages: int
    first_at: datetime
    last_at: datetime
    texts: list[dict[str, Any]]
    score: float
    level: str
    reasons: list[dict[str, Any]]


def approaches(store: Store, org_id: str) -> list[Approach]:
    with store.session() as s:
        rows = s.execute(
            select(OrgApproachRow, OrgSubmissionRow.staff_label)
            .join(OrgSubmissionRow, OrgSubmissionRow.id == OrgApproachRow.submission_id)
            .where(OrgApproachRow.org_id == org_id)
            .order_by(OrgApproachRow.id)
        ).all()
        out = []
        for r, staff in rows:
            first, last = aware(r.first_at), aware(r.last_at)
            assert first is not None and last is not None
            out.append(
                Approach(
                    submission_id=r.submission_id,
                    staff=staff,
                    sender_id=r.sender_id,
                    sender=dict(r.sender or {}),
                    invitations=r.invitations,
                    messages=r.messages,
                    first_at=first,
                    last_at=last,
                    texts=list(r.texts or []),
                    score=float(r.score),
                    level=r.level,
                    reasons=list(r.reasons or []),
                )
            )
        return out


@dataclass(slots=True)
class Sender:
    """One profile that approached staff, over all submissions."""

    id: str
    name: str | None
    headline: str | None
    employer: str | None
    url: str | None
    email: str | None
    score: float
    level: str
    staff: list[str]
    approaches: list[Approach]
    reasons: list[dict[str, Any]]

    @property
    def count(self) -> int:
        return sum(a.invitations + a.messages for a in self.approaches)

    @property
    def first_at(self) -> datetime:
        return min(a.first_at for a in self.approaches)

    @property
    def last_at(self) -> datetime:
        return max(a.last_at for a in self.approaches)


@dataclass(slots=True)
class OrgCampaign:
    """Approaches to several staff that appear to belong together, and why."""

    id: str
    senders: list[Sender]
    staff: list[str]
    level: str
    score: float
    #: plain sentences for the officer (may name staff)
    evidence: list[str]
    #: the same sentences without staff labels, for sharing (STIX)
    shareable_evidence: list[str]
    #: link kinds: "sender", "wording", and the persona traits of find_campaigns
    links: list[str] = field(default_factory=list)
    #: a sample of the shared wording, when wording links the group
    wording: str | None = None

    @property
    def approaches(self) -> list[Approach]:
        return sorted(
            (a for s in self.senders for a in s.approaches),
            key=lambda a: (a.first_at, a.staff, a.sender_id),
        )

    @property
    def first_at(self) -> datetime:
        return min(s.first_at for s in self.senders)

    @property
    def last_at(self) -> datetime:
        return max(s.last_at for s in self.senders)


def _staff_key(label: str) -> str:
    return " ".join(label.casefold().split())


def senders_of(items: Iterable[Approach]) -> list[Sender]:
    """Approaches merged per sender (a sender seen by several staff is one Sender)."""
    by_id: dict[str, list[Approach]] = defaultdict(list)
    for a in items:
        by_id[a.sender_id].append(a)
    out = []
    for sid, group in by_id.items():
        best = max(group, key=lambda a: (a.score, a.last_at))

        def pick(key: str, group: list[Approach] = group) -> str | None:
            for a in sorted(group, key=lambda a: -a.score):
                v = a.sender.get(key)
                if isinstance(v, str) and v:
                    return v
            return None

        staff = sorted({a.staff for a in group}, key=_staff_key)
        out.append(
            Sender(
                id=sid,
                name=pick("name"),
                headline=pick("headline"),
                employer=pick("employer"),
                url=pick("url") or profile_url(sid),
                email=pick("email"),
                score=best.score,
                level=best.level,
                staff=staff,
                approaches=sorted(group, key=lambda a: (a.first_at, a.staff)),
                reasons=best.reasons,
            )
        )
    out.sort(key=lambda s: (-s.score, s.id))
    return out


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _wording_clusters(senders: Sequence[Sender]) -> list[list[int]]:
    """Groups of senders (indexes) whose texts share wording (MinHash, as the template stage)."""
    from spycatcher.text.templates import TemplateIndex

    index = TemplateIndex(threshold=WORDING_THRESHOLD, min_tokens=WORDING_MIN_TOKENS)
    for i, s in enumerate(senders):
        for a in s.approaches:
            for t in a.texts:
                index.add(i, str(t.get("text") or ""))
    if len(index) < 2:
        return []
    return [[int(k) for k in c.tolist()] for c in index.build().clusters(min_size=2)]


def _shared_text(senders: Sequence[Sender], members: Sequence[int]) -> str | None:
    """A text of one member that another member's text resembles (the script, as a sample)."""
    from spycatcher.text.templates import jaccard

    texts = [
        (i, str(t.get("text") or ""))
        for i in members
        for a in senders[i].approaches
        for t in a.texts
        if t.get("text")
    ]
    for i, x in texts:
        for j, y in texts:
            if i < j and jaccard(x, y) >= WORDING_THRESHOLD:
                return x
    return None


def _persona_groups(senders: Sequence[Sender], wording: list[list[int]]) -> list[Any]:
    """find_campaigns over the senders: photo, contact, website, shell employer, staff targeted."""
    from spycatcher.engine.local import suspect_traits
    from spycatcher.scoring.assessment import Assessment
    from spycatcher.signals.base import ProfileContext

    same_words: dict[int, list[str]] = defaultdict(list)
    for members in wording:
        for i in members:
            same_words[i].extend(senders[j].id for j in members if j != i)
    traits = []
    for i, s in enumerate(senders):
        prof = Profile.model_validate(
            {
                "id": s.id,
                "name": s.name,
                "headline": s.headline,
                "experience": [{"company": s.employer}] if s.employer else [],
                "contact": {"email": s.email} if s.email else None,
            }
        )
        ctx = ProfileContext()
        if same_words.get(i):
            ctx.template_matches["message"] = same_words[i]
        ctx.behaviour.update(
            {
                "targets": sorted({_staff_key(x) for x in s.staff}),
                "first_at": s.first_at,
                "last_at": s.last_at,
            }
        )
        a = Assessment(profile_id=s.id, score=s.score, level=s.level, signals=[])
        traits.append(suspect_traits(prof, ctx, a))
    return find_campaigns(traits)


def _quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


def group_campaigns(items: Sequence[Approach]) -> list[OrgCampaign]:
    """Approaches grouped across staff into campaigns, riskiest and widest first."""
    senders = senders_of(items)
    if not senders:
        return []
    index = {s.id: i for i, s in enumerate(senders)}
    u = _Union(len(senders))
    wording = _wording_clusters(senders)
    for members in wording:
        for m in members[1:]:
            u.union(members[0], m)
    persona = _persona_groups(senders, wording)
    for c in persona:
        ids = [index[m] for m in c.members if m in index]
        for m in ids[1:]:
            u.union(ids[0], m)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(senders)):
        groups[u.find(i)].append(i)

    out = []
    for members in groups.values():
        group = [senders[i] for i in members]
        staff = sorted({x for s in group for x in s.staff}, key=_staff_key)
        if len(staff) < 2 and len(group) < 2:
            continue
        out.append(_campaign(senders, members, staff, wording, persona))
    out.sort(key=lambda c: (-LEVEL_RANK[c.level], -len(c.staff), -c.score, c.id))
    return out


def _campaign(
    senders: Sequence[Sender],
    members: list[int],
    staff: list[str],
    wording: list[list[int]],
    persona: list[Any],
) -> OrgCampaign:
    group = sorted((senders[i] for i in members), key=lambda s: (-s.score, s.id))
    inside = set(members)
    evidence: list[str] = []
    shareable: list[str] = []
    links: list[str] = []
    for s in group:
        if len(s.staff) >= 2:
            who = _quote(s.name or s.id, 60)
            evidence.append(
                f"The same profile, {who}, approached {len(s.staff)} staff: {', '.join(s.staff)}."
            )
            shareable.append(f"The same profile, {who}, approached {len(s.staff)} staff.")
            if "sender" not in links:
                links.append("sender")
    sample = None
    for cluster in wording:
        shared = [i for i in cluster if i in inside]
        if len(shared) < 2:
            continue
        reached = sorted({x for i in shared for x in senders[i].staff}, key=_staff_key)
        sample = sample or _shared_text(senders, shared)
        said = f": {_quote(sample)}" if sample else ""
        evidence.append(
            f"{len(shared)} profiles sent the same wording to {len(reached)} staff "
            f"({', '.join(reached)}){said}."
        )
        # the script itself may carry a staff member's name ("Dear Carol"): not for sharing
        shareable.append(f"{len(shared)} profiles sent the same wording to {len(reached)} staff.")
        if "wording" not in links:
            links.append("wording")
    for c in persona:
        if set(c.members) & {senders[i].id for i in members}:
            for sentence in c.evidence:
                if sentence not in evidence:
                    evidence.append(sentence)
                    shareable.append(sentence)
            for k in c.links:
                if k not in links:
                    links.append(k)
    top = group[0]
    return OrgCampaign(
        id=campaign_id(s.id for s in group),
        senders=group,
        staff=staff,
        level=max((s.level for s in group), key=lambda lv: LEVEL_RANK[lv]),
        score=top.score,
        evidence=evidence,
        shareable_evidence=shareable,
        links=links,
        wording=sample,
    )


# ------------------------------------------------------------------------------- STIX


def stix_bundle(
    org: Organisation, campaigns: Sequence[OrgCampaign], now: datetime | None = None
) -> dict[str, Any]:
    """The campaigns rated medium or high, and their senders, as a validated STIX 2.1 bundle.

    Staff are counted, never named; the organisation is the producer (TLP:AMBER by default).
    """
    from spycatcher.intel.stix_export import (
        CampaignFinding,
        ExportOptions,
        Finding,
        build_bundle,
    )

    findings: list[Finding] = []
    found: list[CampaignFinding] = []
    for c in campaigns:
        if LEVEL_RANK[c.level] < LEVEL_RANK["medium"]:
            continue
        found.append(
            CampaignFinding(
                id=c.id,
                members=[s.id for s in c.senders],
                targets=len(c.staff),
                evidence=list(c.shareable_evidence),
                score=c.score,
                first_seen=c.first_at,
                last_seen=c.last_at,
            )
        )
        for s in c.senders:
            findings.append(
                Finding(
                    profile_id=s.id,
                    name=s.name,
                    url=s.url,
                    score=s.score,
                    level=s.level,
                    campaign_id=c.id,
                    reasons=[f"{r['title']}: {r['evidence']}" for r in s.reasons][:8],
                    count=max(1, s.count),
                    first_seen=s.first_at,
                    last_seen=s.last_at,
                )
            )
    result = build_bundle(findings, found, ExportOptions(producer=org.name), now=now)
    return result.bundle
