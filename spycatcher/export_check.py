"""A member's LinkedIn data export, checked: everyone who approached them, ranked, with reasons.

The member uploads the zip LinkedIn gives them ("Get a copy of your data"). It is read by
:mod:`spycatcher.io.linkedin_export` under :class:`~spycatcher.io.limits.Limits` (never extracted);
every other party who sent the member an invitation or a message is then checked with
:func:`spycatcher.checker.check_profile` -- the same detectors and scorer as ``spycatcher check``
-- on what the export holds about them (name, headline, employer for connections) and on the
texts they sent, and the senders are ranked, riskiest first.

An export holds a sender's name and headline, never their photo, summary or history, so signals
that would read that absence as a warning ("no photo", "most of the profile is empty") are not
raised (:data:`UNSEEN`): saying "no photo" of a photo nobody looked at would be false.

The member's own profile is looked at only for their exposure: what it shows that an approach
could use (an address, a birth date, a sensitive employer), as advice. Nothing is stored here;
organisation mode (:mod:`spycatcher.organisation`) decides what it keeps of a ranking.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spycatcher.checker import check_profile
from spycatcher.io.limits import MIB, Limits, UntrustedFileError
from spycatcher.io.linkedin_export import MEMBER_FALLBACK_ID, convert, profile_url
from spycatcher.io.records import LoadReport, RecordError
from spycatcher.schema import Event, Photo, Profile

#: limits for an export uploaded by anyone on the internet: real exports are a few MiB zipped
UPLOAD_LIMITS = Limits(
    max_file_bytes=64 * MIB,
    max_zip_members=2_000,
    max_zip_total_bytes=256 * MIB,
    max_member_bytes=200 * MIB,
)
#: senders checked per export (the most recent first); the rest are counted, not checked
MAX_SENDERS = 1_000
#: texts kept per sender, newest last (what the message detectors read)
TEXTS_PER_SENDER = 20
#: characters of one text kept for display
TEXT_CHARS = 2_000

#: signals about parts of a profile an export never shows (see the module doc)
UNSEEN = frozenset(
    {
        "photo.missing",
        "profile.thin_history",
        "profile.incomplete",
        "profile.empty_bio",
        "profile.few_followers",
        "profile.inactive",
        "profile.no_interaction",
    }
)
#: what stands in for the sender's photo, which the export does not include
_PHOTO_NOT_IN_EXPORT = Photo(url="not-in-export")


@dataclass(slots=True)
class SentText:
    """One invitation note or message the sender sent the member."""

    kind: str  # "invitation" or "message"
    at: datetime
    text: str
    subject: str | None = None


@dataclass(slots=True)
class RankedSender:
    """A party who approached the member: who, what they sent, and the check's verdict."""

    sender_id: str
    name: str | None
    url: str | None
    headline: str | None
    employer: str | None
    email: str | None
    is_connection: bool
    invitations: int
    messages: int
    first_at: datetime
    last_at: datetime
    texts: list[SentText]
    verdict: dict[str, Any]

    @property
    def level(self) -> str:
        return str(self.verdict["level"])

    @property
    def score(self) -> float:
        return float(self.verdict["score"])


@dataclass(slots=True)
class ExportRanking:
    """The ranked senders of one export, what could not be read, and the member's exposure."""

    member_name: str | None
    senders: list[RankedSender]
    report: LoadReport
    exposure: list[str] = field(default_factory=list)
    #: senders beyond MAX_SENDERS, not checked
    not_checked: int = 0

    def counts(self) -> dict[str, int]:
        out = {"high": 0, "medium": 0, "low": 0}
        for s in self.senders:
            out[s.level] = out.get(s.level, 0) + 1
        return out


@dataclass(slots=True)
class _Sent:
    invitations: int = 0
    messages: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    texts: deque[SentText] = field(default_factory=lambda: deque(maxlen=TEXTS_PER_SENDER))

    def add(self, ev: Event) -> None:
        if ev.type == "invitation":
            self.invitations += 1
        else:
            self.messages += 1
        at = ev.at
        if at is not None:
            self.first_at = at if self.first_at is None else min(self.first_at, at)
            self.last_at = at if self.last_at is None else max(self.last_at, at)
        if ev.text and at is not None:
            subject = getattr(ev, "subject", None)
            self.texts.append(
                SentText(ev.type, at, ev.text[:TEXT_CHARS], str(subject) if subject else None)
            )


def refused_files(report: LoadReport) -> list[RecordError]:
    """Files inside the export that crossed a limit (a bomb, an over-long line) while being read."""
    return [e for e in report.errors if e.reason.startswith("file refused:")]


def read_export(
    path: Path, limits: Limits = UPLOAD_LIMITS
) -> tuple[dict[str, Profile], dict[tuple[str, str], _Sent], LoadReport]:
    """Profiles by id and what each party sent each other party (bounded per pair).

    Raises :class:`UntrustedFileError` when the zip, or any file in it, crossed a limit: a
    member then sees why their file was refused instead of a ranking of part of it.
    """
    report = LoadReport()
    profiles: dict[str, Profile] = {}
    sent: dict[tuple[str, str], _Sent] = {}
    for rec in convert(path, report, limits=limits):
        if isinstance(rec, Profile):
            profiles[rec.id] = rec
        elif rec.type in ("invitation", "message") and rec.actor != rec.target:
            key = (rec.actor, rec.target)
            agg = sent.get(key)
            if agg is None:
                agg = sent[key] = _Sent()
            agg.add(rec)
    refused = refused_files(report)
    if refused:
        raise UntrustedFileError(path, refused[0].reason.removeprefix("file refused: "))
    return profiles, sent, report


def _member(profiles: dict[str, Profile]) -> Profile | None:
    for p in profiles.values():
        if p.features.get("export_owner") is True:
            return p
    return None


def exposure_advice(member: Profile | None) -> list[str]:
    """What the member's own profile shows that an approach could use, in plain words."""
    if member is None:
        return []
    f = member.features
    out: list[str] = []
    shown = [
        label
        for key, label in (
            ("has_address", "your home address"),
            ("has_birth_date", "your date of birth"),
            ("has_instant_messengers", "your instant messenger accounts"),
        )
        if f.get(key) is True
    ]
    if shown:
        out.append(
            "Your profile data includes "
            + _join(shown)
            + ". Check who can see them (Settings > Visibility) and remove what is not needed."
        )
    from spycatcher.text.sensitive import SensitiveOrgs

    match = SensitiveOrgs.load().classify(member)
    if match is not None:
        out.append(
            f"Your profile links you to {match.org!r}, which is the kind of organisation hostile "
            "services target. Keep the detail of your role and projects to the minimum, and never "
            "mention a security clearance."
        )
    return out


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def rank_senders(
    profiles: dict[str, Profile],
    sent: dict[tuple[str, str], _Sent],
    member_id: str,
    as_of: datetime,
    max_senders: int = MAX_SENDERS,
) -> tuple[list[RankedSender], int]:
    """Check every party who sent ``member_id`` something; riskiest first. Returns (ranked,
    number of senders not checked because there were more than ``max_senders``)."""
    incoming = [
        (actor, agg)
        for (actor, target), agg in sent.items()
        if target == member_id and actor != member_id and agg.last_at is not None
    ]
    incoming.sort(key=lambda x: (x[1].last_at, x[0]), reverse=True)
    skipped = max(0, len(incoming) - max_senders)
    out = [
        _rank_one(actor, agg, profiles.get(actor), as_of) for actor, agg in incoming[:max_senders]
    ]
    out.sort(key=lambda r: (-r.score, -r.last_at.timestamp(), r.sender_id))
    return out, skipped


def _rank_one(actor: str, agg: _Sent, profile: Profile | None, as_of: datetime) -> RankedSender:
    base = profile or Profile(id=actor, platform="linkedin", url=profile_url(actor))
    checked = base.model_copy(update={"photo": base.photo or _PHOTO_NOT_IN_EXPORT})
    texts = list(agg.texts)
    verdict = check_profile(checked, messages=[t.text for t in texts], as_of=as_of, unknown=UNSEEN)
    current = base.current_positions()
    assert agg.first_at is not None and agg.last_at is not None
    return RankedSender(
        sender_id=actor,
        name=base.name,
        url=base.url or profile_url(actor),
        headline=base.headline,
        employer=current[0].company if current and current[0].company else None,
        email=base.contact.email if base.contact else None,
        is_connection=base.features.get("is_connection") is True,
        invitations=agg.invitations,
        messages=agg.messages,
        first_at=agg.first_at,
        last_at=agg.last_at,
        texts=texts,
        verdict=verdict,
    )


def rank_export(
    path: Path,
    limits: Limits = UPLOAD_LIMITS,
    as_of: datetime | None = None,
    max_senders: int = MAX_SENDERS,
) -> ExportRanking:
    """Read an export and rank everyone who approached its owner (see the module doc)."""
    profiles, sent, report = read_export(path, limits)
    member = _member(profiles)
    member_id = member.id if member is not None else MEMBER_FALLBACK_ID
    senders, skipped = rank_senders(
        profiles, sent, member_id, as_of or datetime.now(UTC), max_senders
    )
    return ExportRanking(
        member_name=member.name if member else None,
        senders=senders,
        report=report,
        exposure=exposure_advice(member),
        not_checked=skipped,
    )


def display_errors(
    report: LoadReport, tmp_prefix: str, shown_as: str, limit: int = 50
) -> Iterator[dict[str, Any]]:
    """The report's remarks with the temporary path replaced by the name the member uploaded."""
    for e in report.errors[:limit]:
        yield {
            "file": e.file.replace(tmp_prefix, shown_as),
            "line": e.line,
            "field": e.field,
            "reason": e.reason,
        }
