"""Telling members that a profile they dealt with was fake (CPNI's "Remove").

When a fake is removed, every member it connected with or approached is told, in plain words:
which profile it was, that it was fake and removed, what it sent them and what it was after (the
lure categories its messages match: paid reports, trips, moving off the platform, questions about
their work), and what to do now (drop the contact, do not reply, tell their security team what was
asked and what they shared).

The notification text is plain text: the fake's name and message excerpts are attacker-written,
bounded here and escaped wherever they are shown.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from spycatcher.review.base import excerpt, iso
from spycatcher.store.models import EventRow

#: what the fake did to a member that counts as contact
OUTGOING = ("invitation", "message", "connection", "endorsement")
#: what a member did to the fake that counts as contact
INCOMING = ("invitation", "message", "connection")
#: members notified per removal at most (the rest are counted in the audit entry)
MAX_RECIPIENTS = 100_000
TEXTS_PER_MEMBER = 3

WHAT_TO_DO = (
    "Remove it from your contacts if it is still there, and do not reply to it or to anyone who "
    "picks up the conversation on its behalf. Tell your organisation's security team what it "
    "asked you and anything you shared or sent. Keep the messages; do not delete them."
)


def contacts(s: Session, profile_id: str) -> dict[str, list[dict[str, Any]]]:
    """member id -> what the fake sent them (newest first, bounded); members it only met too."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ev in s.execute(
        select(EventRow.target, EventRow.type, EventRow.at, EventRow.data)
        .where(EventRow.actor == profile_id, EventRow.type.in_(OUTGOING))
        .order_by(EventRow.at.desc())
    ):
        member, kind, at, data = ev
        if member == profile_id:
            continue
        items = out[str(member)]
        text = (data or {}).get("text")
        if text and len(items) < TEXTS_PER_MEMBER:
            items.append({"type": kind, "at": iso(at), "text": str(text)})
        if len(out) >= MAX_RECIPIENTS:
            break
    for (member,) in s.execute(
        select(EventRow.actor).where(EventRow.target == profile_id, EventRow.type.in_(INCOMING))
    ):
        if member != profile_id and len(out) < MAX_RECIPIENTS:
            out.setdefault(str(member), [])
    return dict(out)


def compose(
    platform: str, name: str | None, profile_id: str, sent: list[dict[str, Any]]
) -> dict[str, Any]:
    """One member's notification: the text and its structured parts."""
    from spycatcher.text.lures import default_matcher

    matcher = default_matcher()
    titles = matcher.lexicon.titles
    asked: list[str] = []
    for item in sent:
        for hit in matcher.flagged(item["text"]):
            title = titles.get(hit.category, hit.category)
            if title not in asked:
                asked.append(title)
    who = excerpt(name or profile_id, 80)
    parts = [
        f'A profile you were in contact with on {platform}, "{who}", was found to be fake and '
        "has been removed. Profiles like it are used to gather information from people in "
        "sensitive jobs."
    ]
    if sent:
        latest = sent[0]
        parts.append(
            f"It sent you {len(sent)} message{'s' if len(sent) != 1 else ''} or invitation"
            f'{"s" if len(sent) != 1 else ""}; the latest said: "{excerpt(latest["text"], 200)}".'
        )
    if asked:
        parts.append("What it was after: " + "; ".join(asked[:6]) + ".")
    parts.append(WHAT_TO_DO)
    return {
        "text": " ".join(parts),
        "asked": asked,
        "messages": [{**m, "text": excerpt(m["text"], 500)} for m in sent],
    }


def build(
    s: Session, platform: str, profile_id: str, name: str | None
) -> list[tuple[str, dict[str, Any]]]:
    """(member id, notification) for every member the fake connected with or approached."""
    return [
        (member, compose(platform, name, profile_id, sent))
        for member, sent in sorted(contacts(s, profile_id).items())
    ]
