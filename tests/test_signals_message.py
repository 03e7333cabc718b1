"""MessageDetector: one message.* signal per lure category, quoting the sender's own words."""

from __future__ import annotations

import pytest

from spycatcher.schema import Profile
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.message import MessageDetector, escalates
from spycatcher.signals.registry import all_specs

P = Profile(id="p")


def _signals(texts: list[str], behaviour: dict[str, object] | None = None) -> dict[str, object]:
    ctx = ProfileContext(sent_texts=texts, behaviour=behaviour or {})
    return {s.name: s for s in MessageDetector().detect(P, ctx)}


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        (
            "We offer a fee of USD 1,500 for a brief analysis of the negotiations.",
            "message.paid_work",
        ),
        ("We would be honoured to invite you to Shanghai; all expenses paid.", "message.trip"),
        ("Let's continue on Telegram, it's more private.", "message.off_platform"),
        (
            "Please keep our cooperation strictly confidential from your employer.",
            "message.urgency",
        ),
        ("Who in your ministry is responsible for the procurement file?", "message.elicitation"),
        ("Your profound knowledge of nuclear policy is remarkable.", "message.flattery"),
    ],
)
def test_each_signal_fires_with_exact_quote(text: str, signal: str) -> None:
    sigs = _signals([text])
    assert signal in sigs, sigs
    s = sigs[signal]
    hit = s.data["hits"][0]  # type: ignore[attr-defined]
    assert text[hit["start"] : hit["end"]] == hit["text"]
    assert f'"{hit["text"]}" (text 1 of 1' in s.evidence  # type: ignore[attr-defined]
    assert s.evidence.startswith("In their messages, the sender ")  # type: ignore[attr-defined]
    assert s.advice == all_specs()[signal].advice  # type: ignore[attr-defined]


def test_quiet_on_ordinary_messages() -> None:
    texts = [
        "Hi Tom, great to meet you at the conference. Let's keep in touch!",
        "Hello, I'm recruiting for a Senior Data Engineer (hybrid, Manchester, £70-80k). "
        "Your background looks like a great fit. Would you be open to a quick call?",
        "Thanks, I'll send the minutes from the steering group tomorrow.",
    ]
    assert _signals(texts) == {}
    assert _signals([]) == {}


def test_weak_cue_counts_when_another_text_has_a_strong_lure() -> None:
    texts = [
        "A unique opportunity for a senior expert like you.",
        "Add me on WhatsApp please, it is more secure.",
    ]
    sigs = _signals(texts)
    assert set(sigs) == {"message.off_platform", "message.urgency"}
    assert sigs["message.urgency"].strength < sigs["message.off_platform"].strength  # type: ignore[attr-defined]
    assert _signals(texts[:1]) == {}


def test_strength_grows_with_repeated_lures() -> None:
    one = _signals(["Add me on WhatsApp, it is more secure."])["message.off_platform"]
    three = _signals(
        [
            "Add me on WhatsApp, it is more secure.",
            "My WeChat is lw88, it is more private",
            "Telegram works too, it is encrypted",
        ]
    )["message.off_platform"]
    assert three.strength > one.strength  # type: ignore[attr-defined]
    assert "in 3 of the 3 texts seen" in three.evidence  # type: ignore[attr-defined]


def test_escalation_from_the_text_sequence() -> None:
    texts = ["Thanks for connecting!", "Could you share internal documents on the review?"]
    sigs = _signals(texts)
    assert "message.escalation" in sigs
    assert "Text 1 had no lure; text 2 of 2" in sigs["message.escalation"].evidence  # type: ignore[attr-defined]
    # lure first, nothing after: no escalation
    assert "message.escalation" not in _signals(texts[::-1])
    assert escalates([set(), {"flattery"}, {"off_platform"}]) == (0, 2)
    assert escalates([{"off_platform"}, set()]) is None


def test_escalation_prefers_the_stage_count() -> None:
    texts = ["Thanks for connecting!", "Add me on WhatsApp"]
    sigs = _signals(
        texts,
        {"escalating_conversations": 3, "conversations_seen": 5, "escalation_example": texts[1]},
    )
    assert sigs["message.escalation"].evidence.startswith("In 3 conversations")  # type: ignore[attr-defined]
    # the stage saw the conversations and found none: do not guess from a mixed sample
    assert "message.escalation" not in _signals(texts, {"conversations_seen": 5})


def test_obfuscated_text_is_quoted_as_written() -> None:
    text = "pls add me on W h a t s A p p, it is safer"
    s = _signals([text])["message.off_platform"]
    assert '"W h a t s A p p, it is safer"' in s.evidence  # type: ignore[attr-defined]


def test_a_paraphrased_lure_is_read_by_meaning_with_a_plain_words_note() -> None:
    text = "Our partners would reward you well for a few pages of your private thoughts."
    s = _signals([text])["message.paid_work"]
    hit = s.data["hits"][0]  # type: ignore[attr-defined]
    assert hit["pattern"].startswith("intent:") and hit["strong"]
    assert text[hit["start"] : hit["end"]] == hit["text"]
    assert hit["text"] in s.evidence  # type: ignore[attr-defined]
    assert f"read as: {hit['note']}" in s.evidence  # type: ignore[attr-defined]
    assert "Do not reply with personal details" in s.advice  # type: ignore[attr-defined]


def test_one_generic_intent_needs_corroboration_from_the_sender() -> None:
    generic = "Flights and the hotel are on us."
    assert _signals([generic]) == {}
    sigs = _signals([generic, "Please do not discuss our exchange with anyone at work."])
    assert {"message.trip", "message.urgency"} <= set(sigs)
    assert sigs["message.trip"].strength < sigs["message.urgency"].strength  # type: ignore[attr-defined]
