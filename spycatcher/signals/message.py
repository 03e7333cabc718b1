"""Lures in what an account wrote: ``message.*`` signals from invitation notes and messages.

What gives a hostile "headhunter" away is the approach (../shared/redflags.md, "Approach"): money
for short reports, paid trips, flattery of the reader's expertise, secrecy and urgency, a move to
WhatsApp or a personal email, questions about projects, colleagues and access, escalating over a
conversation. The lexicon and matcher live in :mod:`spycatcher.text.lures`; this detector turns
their hits on ``ctx.sent_texts`` (filled by the behaviour stage, or by ``check`` from a member's
export) into one signal per category, quoting the exact words as evidence.

A weak cue ("unique opportunity") counts only when a strong lure of another category appears in
the same account's texts, so a genuine recruiter's ordinary enthusiasm does not fire. Hits read by
meaning rather than by phrase (:mod:`spycatcher.text.intents`: "compensate your effort for a few
pages") carry a plain-words note of what the sender asks for, which the evidence repeats after the
quote, so a member sees why a harmless-looking sentence counts.
"""

from __future__ import annotations

from collections.abc import Iterable

from spycatcher.schema import Profile
from spycatcher.signals.base import Detector, ProfileContext, Signal, SignalSpec
from spycatcher.signals.registry import register
from spycatcher.text.lures import LureHit, default_matcher, flagged

#: texts of one account examined (newest kept); the behaviour stage already bounds the sample
MAX_TEXTS = 50
#: quotes shown per signal
MAX_QUOTES = 3
#: a quote longer than this is shortened in the evidence (the full span stays in ``data``)
MAX_QUOTE_CHARS = 140

#: categories that mark the dangerous end of an approach (escalation ends here)
HIGH_RISK = ("paid_work", "trip", "off_platform", "elicitation")

_ADVICE_COMMON = (
    "Do not reply with personal details, documents or contact details. Verify who they are through "
    "another channel (their organisation's main switchboard, not a number they give you), report "
    "the profile to the platform and to your security team, and remove the connection."
)

SPECS: tuple[SignalSpec, ...] = (
    SignalSpec(
        "message.paid_work",
        "Offers money for reports, papers, consultations or talks",
        2.0,
        "Offers of well-paid short reports, 'white papers' or consultations from strangers are a "
        "classic first step of intelligence recruitment: the first paper is harmless, the next "
        "asks for more. " + _ADVICE_COMMON,
    ),
    SignalSpec(
        "message.trip",
        "Offers a paid trip or a visit abroad",
        2.0,
        "All-expenses-paid trips to conferences or 'academic exchanges' abroad are how targets "
        "are met in person, away from home. Decline unless your employer arranged it, and tell "
        "your security team. " + _ADVICE_COMMON,
    ),
    SignalSpec(
        "message.off_platform",
        "Tries to move the conversation off the platform",
        1.8,
        "Asking to continue on WhatsApp, WeChat, Telegram, Signal, a personal email or a phone "
        "call takes the conversation where the platform cannot see or stop it. Keep contact on "
        "the platform until you have verified who they are. " + _ADVICE_COMMON,
    ),
    SignalSpec(
        "message.flattery",
        "Flatters your expertise",
        0.8,
        "Lavish praise of your expertise is used to make an offer feel deserved. It is not "
        "suspicious on its own; treat it as a reason to check who is writing.",
    ),
    SignalSpec(
        "message.urgency",
        "Pushes for secrecy, exclusivity or a quick answer",
        1.0,
        "'Keep this between us', 'no need to tell your employer', 'only a few selected experts' "
        "and deadlines are pressure tactics. Anything you may not tell your employer about is "
        "something you should tell your security team about. " + _ADVICE_COMMON,
    ),
    SignalSpec(
        "message.elicitation",
        "Asks about your work, colleagues, projects, access or clearance",
        2.2,
        "Questions about internal documents, who works on what, or your access and clearance are "
        "what the approach was for. Do not answer; report it to your security team. "
        + _ADVICE_COMMON,
    ),
    SignalSpec(
        "message.escalation",
        "Requests escalate over the conversation",
        1.5,
        "The conversation started harmlessly and moved step by step to money, a move off the "
        "platform or questions about your work: the pattern of a recruitment approach. "
        + _ADVICE_COMMON,
    ),
)

_CATEGORY_SIGNAL = {
    "paid_work": "message.paid_work",
    "trip": "message.trip",
    "off_platform": "message.off_platform",
    "flattery": "message.flattery",
    "urgency": "message.urgency",
    "elicitation": "message.elicitation",
}


def _short(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_QUOTE_CHARS:
        return text
    return text[: MAX_QUOTE_CHARS - 1].rstrip() + "…"


def escalates(per_text_categories: Iterable[set[str]]) -> tuple[int, int] | None:
    """(index of first benign text, index of first high-risk text) if a high-risk lure follows a
    text with no lure at all; the order is the sending order (oldest first)."""
    first_benign: int | None = None
    for i, cats in enumerate(per_text_categories):
        if not cats:
            if first_benign is None:
                first_benign = i
        elif first_benign is not None and cats.intersection(HIGH_RISK):
            return first_benign, i
    return None


@register
class MessageDetector(Detector):
    """``message.*``: lure categories found in the account's own invitation notes and messages."""

    name = "message.lures"
    specs = SPECS

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterable[Signal]:
        texts = [t for t in ctx.sent_texts[-MAX_TEXTS:] if t]
        if not texts:
            return []
        if ctx.sent_texts_flagged is False:
            # the behaviour stage found no flagged lure in any text of this account: without a
            # strong hit nothing is kept (see flagged()), so only its escalation count can speak
            return self._escalation(ctx, texts, [[] for _ in texts])
        matcher = default_matcher()
        per_text = [matcher.hits(t) for t in texts]
        strong_cats = {h.category for hits in per_text for h in hits if h.strong}
        kept: list[list[LureHit]] = [flagged(hits, strong_cats) for hits in per_text]
        out: list[Signal] = []
        by_cat: dict[str, list[tuple[int, LureHit]]] = {}
        for i, hits in enumerate(kept):
            for h in hits:
                by_cat.setdefault(h.category, []).append((i, h))
        n = len(texts)
        for cat, items in by_cat.items():
            name = _CATEGORY_SIGNAL.get(cat)
            if name is None:  # a category from a user lexicon without a signal of its own
                continue
            n_texts = len({i for i, _ in items})
            strong = any(h.strong for _, h in items)
            strength = (0.6 if strong else 0.35) + 0.15 * min(n_texts - 1, 3)
            quotes: list[str] = []
            seen: set[str] = set()
            for i, h in items:
                q = _short(h.text)
                if q.lower() in seen:
                    continue
                seen.add(q.lower())
                where = f"text {i + 1} of {n}"
                if h.note:
                    where += f"; read as: {h.note}"
                quotes.append(f'"{q}" ({where})')
                if len(quotes) >= MAX_QUOTES:
                    break
            title = matcher.lexicon.titles.get(cat, cat)
            evidence = f"In their messages, the sender {title}: " + "; ".join(quotes)
            if n_texts > 1:
                evidence += f" - in {n_texts} of the {n} texts seen"
            data = {
                "hits": [dict(h.as_dict(), text_index=i) for i, h in items[:20]],
                "texts_with_hits": n_texts,
                "texts_seen": n,
            }
            out.append(self.signal(name, strength, evidence, data))
        out.extend(self._escalation(ctx, texts, kept))
        return out

    def _escalation(
        self, ctx: ProfileContext, texts: list[str], kept: list[list[LureHit]]
    ) -> list[Signal]:
        # The behaviour stage knows conversations (who wrote to whom, in order): prefer its count.
        n_conv = int(ctx.behaviour.get("escalating_conversations", 0) or 0)
        if n_conv:
            example = ctx.behaviour.get("escalation_example") or ""
            evidence = (
                f"In {n_conv} conversation{'s' if n_conv > 1 else ''}, harmless first messages "
                "were followed by money, a move off the platform or questions about work"
            )
            if example:
                evidence += f': "{_short(str(example))}"'
            return [self.signal("message.escalation", min(1.0, 0.6 + 0.1 * n_conv), evidence)]
        if ctx.behaviour.get("conversations_seen"):
            return []  # the stage looked at the conversations and found no escalation
        found = escalates({h.category for h in hits} for hits in kept)
        if found is None:
            return []
        first, later = found
        hit = next(h for h in kept[later] if h.category in HIGH_RISK)
        title = default_matcher().lexicon.titles.get(hit.category, hit.category)
        evidence = (
            f"Text {first + 1} had no lure; text {later + 1} of {len(texts)} {title}: "
            f'"{_short(hit.text)}"'
        )
        return [self.signal("message.escalation", 0.6, evidence)]


KNOWN_SCRIPT = SignalSpec(
    "message.known_script",
    "Worded like a known approach script",
    1.2,
    "The message reads like approaches that hostile services are known to send, even if the "
    "words differ. Verify who is writing before you reply. " + _ADVICE_COMMON,
)
#: texts per profile compared with the scripts (embedding costs ~2 ms a text)
MAX_EMBEDDED_TEXTS = 5


class KnownScriptDetector(Detector):
    """``message.known_script``: semantic similarity to known approach scripts (optional extra).

    Registered only when ``SPYCATCHER_EMBEDDINGS=1`` and ``spycatcher[embeddings]`` is installed
    (see :mod:`spycatcher.text.embeddings`); it then embeds up to MAX_EMBEDDED_TEXTS texts a
    profile, newest first.
    """

    name = "message.known_script"
    specs = (KNOWN_SCRIPT,)

    def __init__(self, similarity: object | None = None) -> None:
        self._similarity = similarity

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterable[Signal]:
        texts = [t for t in ctx.sent_texts[-MAX_EMBEDDED_TEXTS:] if t and len(t.split()) >= 5]
        if not texts:
            return []
        if self._similarity is None:
            from spycatcher.text.embeddings import ScriptSimilarity

            self._similarity = ScriptSimilarity()
        matches = self._similarity.matches(texts)  # type: ignore[attr-defined]
        if not matches:
            return []
        best = matches[0]
        evidence = (
            f'"{_short(texts[best.text_index])}" reads like a known approach script '
            f"({best.script.category.replace('_', ' ')}, similarity {best.similarity:.2f})"
        )
        if len(matches) > 1:
            evidence += f"; {len(matches)} of the {len(texts)} texts checked do"
        strength = min(1.0, 0.5 + (best.similarity - self._similarity.threshold) * 2.5)  # type: ignore[attr-defined]
        data = {
            "script": best.script.id,
            "similarity": round(best.similarity, 3),
            "matches": len(matches),
        }
        return [self.signal("message.known_script", strength, evidence, data)]


def _register_known_script() -> None:
    from spycatcher.text.embeddings import enabled

    if enabled():
        register(KnownScriptDetector)


_register_known_script()
