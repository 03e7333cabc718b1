"""The lure lexicon: each category fires on approach wording, quotes it exactly, survives
obfuscation and paraphrase, and stays quiet on everyday professional and recruiter messages."""

from __future__ import annotations

import pytest

from spycatcher.text.lures import (
    MOVE_OFF_PLATFORM,
    Lexicon,
    LureMatcher,
    default_matcher,
    flagged,
)

LURES = [
    (
        "paid_work",
        "We pay USD 2,000 for a short report on EU energy policy.",
        "pay USD 2,000 for a short report",
    ),
    ("paid_work", "Our client offers $500 per article, nothing complicated.", "$500 per article"),
    (
        "paid_work",
        "You would be well compensated for your insights.",
        "compensated for your insights",
    ),
    ("paid_work", "This is a paid consulting project for our client.", "paid consulting project"),
    ("trip", "Our institute will invite you to Beijing for a seminar.", "invite you to Beijing"),
    ("trip", "It is an all-expenses-paid visit, flights and hotel included.", "all-expenses-paid"),
    (
        "trip",
        "A fully funded visit to our headquarters, all expenses paid.",
        "fully funded visit to",
    ),
    (
        "trip",
        "Business class flights and a five-star hotel are arranged.",
        "Business class flights",
    ),
    ("flattery", "Your unique expertise in arms control is rare.", "Your unique expertise"),
    (
        "flattery",
        "As one of the leading experts on Baltic security, you",
        "as one of the leading experts",
    ),
    (
        "flattery",
        "Your insights would be invaluable to our members.",
        "Your insights would be invaluable",
    ),
    ("urgency", "Please keep this between us for now.", "keep this between us"),
    (
        "urgency",
        "There is no need to tell your employer about it.",
        "There is no need to tell your employer",
    ),
    ("urgency", "Only a few selected experts are invited.", "Only a few selected experts"),
    (
        "off_platform",
        "Can we continue on WhatsApp? It is more secure.",
        "WhatsApp? It is more secure",
    ),
    (
        "off_platform",
        "A safer way to talk would be Telegram.",
        "safer way to talk would be Telegram",
    ),
    ("off_platform", "Let's talk on Signal, it is safer.", "on Signal, it is safer"),
    ("off_platform", "LinkedIn is not secure, let us move elsewhere.", "LinkedIn is not secure"),
    ("off_platform", "Perhaps we could meet in Shanghai next month.", "meet in Shanghai"),
    (
        "elicitation",
        "Could you share some internal documents on the review?",
        "share some internal documents",
    ),
    (
        "elicitation",
        "Who else in your department works on export licences?",
        "Who else in your department works on export licences",
    ),
    (
        "elicitation",
        "Do you have access to classified briefings?",
        "Do you have access to classified briefings",
    ),
    (
        "elicitation",
        "What is the ministry's real position on the talks?",
        "What is the ministry's real position",
    ),
]


@pytest.mark.parametrize(("category", "text", "quote"), LURES)
def test_each_category_fires_with_the_exact_span(category: str, text: str, quote: str) -> None:
    hits = [h for h in default_matcher().flagged(text) if h.category == category]
    assert hits, text
    assert any(h.text.lower() == quote.lower() for h in hits), [h.text for h in hits]
    for h in hits:
        assert text[h.start : h.end] == h.text


@pytest.mark.parametrize(
    "text",
    [
        "Add me on W h a t s A p p",
        "add me on wh4tsapp",
        "add me on WhatsАpp",
        "add me on Whats\u200bApp",
        "ADD ME ON ＷＥＣＨＡＴ",
        "t3l3gram is better",
        "move to s i g n a l please",
    ],
)
def test_obfuscated_off_platform_moves(text: str) -> None:
    m = default_matcher()
    hits = [h for h in m.hits(text) if h.category == "off_platform"]
    assert hits, text
    assert m.mask(text) & MOVE_OFF_PLATFORM, text
    secret = [h for h in m.flagged(text + ", it is more secure") if h.category == "off_platform"]
    assert secret, text
    for h in hits:
        assert text[h.start : h.end] == h.text
        assert h.text.strip() == h.text


@pytest.mark.parametrize(
    "text",
    [
        "Hi Sarah, I came across your profile and was impressed by your experience. We have an "
        "exciting opportunity for a Senior Engineer. Are you open to a quick call this week?",
        "Do you hold active SC clearance? The role is based in Bristol, salary up to 65k.",
        "I work on signal processing for radar systems; the signal was strong.",
        "Thanks for the invite! Looking forward to connecting.",
        "Travel expenses for the interview will be reimbursed, and the role pays £55,000.",
        "Could you send me the slides from Tuesday's meeting? My email is anna@acme.com",
        "This is a unique opportunity to join a fast-growing start-up, please reply ASAP.",
        "We offer a modest honorarium for speakers at our annual seminar in Leeds.",
        "What projects are you working on at the moment? Happy to swap notes over coffee.",
        "The report is due Friday; I'll pay for lunch.",
        "She reports to the CFO and is paid monthly.",
        # everyday wording that shares words with lures (session 8's ordinary corpora)
        "Don't tell anyone yet, but I'm leaving at the end of the month!",
        "Please don't mention the surprise party to anyone at work!",
        "Keep it quiet for now, the reorg will be announced Monday.",
        "IT helpdesk here: we've reset your password. Please don't share it with anyone.",
        "Can you send me the draft report before the board meeting?",
        "We will pay your consulting fee as per our agreement once we receive the final report.",
        "The Chinese delegation will visit our plant next month; the ministry covers their hotel.",
        "Great to meet you in Shanghai last week! Let us stay in touch.",
        "Can we arrange a meeting in Singapore or London to discuss the retrofit?",
        "They'd fly you out to SF for the final round interview (all expenses covered).",
        "This is a confidential search, the incumbent doesn't know, so please keep it to yourself.",
        "Please note you must not share any confidential information of your employer.",
        "We're running paid pilots of our forecasting tool: 5k for 8 weeks.",
        "We're collecting for Margaret's retirement gift: please drop cash in the envelope.",
        "I'm interested in a research visit to your lab; my funding covers travel and hotel.",
        "We'd welcome your contribution to our policy brief. Unfortunately we cannot offer a fee.",
        "Hey, what's your personal number? I want to add you to the family group chat.",
        "Please treat this as strictly confidential: the acquisition will be announced next week.",
        "Hi, HR here. Please keep your salary details confidential, as per company policy.",
    ],
)
def test_everyday_and_recruiter_messages_are_not_flagged(text: str) -> None:
    assert default_matcher().flagged(text) == []


def test_whatsapp_group_for_alumni_is_not_a_move() -> None:
    assert default_matcher().flagged("Our WhatsApp group for the alumni reunion") == []


def test_weak_cues_need_a_strong_lure_of_another_category() -> None:
    weak_only = "A unique opportunity with an honorarium; do you hold SC clearance? Reply ASAP."
    m = default_matcher()
    assert {h.category for h in m.hits(weak_only)} >= {"urgency", "paid_work", "elicitation"}
    assert all(not h.strong for h in m.hits(weak_only))
    assert m.flagged(weak_only) == []
    corroborated = weak_only + " Please add me on WeChat, it is more secure."
    cats = {h.category for h in m.flagged(corroborated)}
    assert cats == {"urgency", "paid_work", "elicitation", "off_platform"}
    # corroboration from another text of the same sender
    assert {h.category for h in flagged(m.hits(weak_only), {"trip"})} == {
        "urgency",
        "paid_work",
        "elicitation",
    }


@pytest.mark.parametrize(
    "text",
    [
        "Hey Jess, what's your WhatsApp? I got a new phone and lost all my contacts",
        "I'm hiring for a Product Analyst. Would you be open to a quick WhatsApp or call?",
        "Could you share your personal email so I can send the job description?",
        "Let's catch up on Signal before I move to Geneva.",
        "Add me on WeChat: lily_wu88",
    ],
)
def test_a_bare_request_to_move_is_a_move_but_not_a_lure(text: str) -> None:
    """Colleagues, friends and recruiters ask this every day: alone it is not flagged, but the
    behaviour statistics still count the move (MOVE_OFF_PLATFORM), and any strong lure of
    another category beside it, in this text or another of the sender's, flags it too."""
    m = default_matcher()
    assert m.flagged(text) == []
    mask = m.mask(text)
    assert mask & MOVE_OFF_PLATFORM and m.category_names(mask) == []
    both = text + " We pay 2,000 USD for a short report on your ministry's plans."
    assert {h.category for h in m.flagged(both)} >= {"off_platform", "paid_work"}
    assert "off_platform" in {h.category for h in flagged(m.hits(text), {"paid_work"})}


@pytest.mark.parametrize(
    "text", ["Can we chat tomorrow morning?", "We chat every week about the roadmap."]
)
def test_we_chat_is_not_wechat(text: str) -> None:
    m = default_matcher()
    assert m.hits(text) == [] and m.mask(text) == 0


def test_mask_and_category_names() -> None:
    m = default_matcher()
    mask = m.mask("Add me on WhatsApp and keep this between us")
    assert m.category_names(mask) == ["urgency", "off_platform"]
    assert m.mask(None) == 0 and m.mask("") == 0


def test_a_user_lexicon(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "lex.toml"
    path.write_text(
        "[macros]\nS = '[^a-z0-9]+'\n"
        "[[category]]\nname = 'crypto'\ntitle = 'asks for crypto'\n"
        "[[category.pattern]]\nid = 'usdt'\nregex = '\\busdt{S}wallet\\b'\ngate = ['usdt']\n",
        encoding="utf-8",
    )
    m = LureMatcher(Lexicon.load(path))
    hits = m.flagged("Send it to my USDT  wallet")
    assert [(h.category, h.text) for h in hits] == [("crypto", "USDT  wallet")]


def test_a_bad_user_lexicon_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="pattern broken: bad regular expression"):
        Lexicon.from_toml("[[category]]\nname='x'\n[[category.pattern]]\nid='broken'\nregex='('\n")
    with pytest.raises(ValueError, match="strength must be strong or weak"):
        Lexicon.from_toml(
            "[[category]]\nname='x'\n[[category.pattern]]\nid='p'\nregex='a'\nstrength='meh'\n"
        )


def test_long_texts_are_bounded() -> None:
    text = "hello " * 50_000 + "add me on WhatsApp, it is more secure"
    assert default_matcher().flagged(text) == []  # beyond MAX_CHARS: not read
    assert default_matcher().flagged("add me on WhatsApp, it is more secure " + "hello " * 50_000)


def test_gates_never_hide_a_match() -> None:
    """A pattern's gate is a necessary condition: gated and ungated matching agree everywhere."""
    import json
    from pathlib import Path

    corpora = Path(__file__).resolve().parents[1] / "bench" / "corpora"
    texts = [text for _, text, _ in LURES]
    for path in sorted(corpora.glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    gated = LureMatcher(cache_size=0)
    ungated = LureMatcher(cache_size=0, use_gates=False)
    for text in texts:
        assert gated.hits(text) == ungated.hits(text), text


def test_lexicon_uses_optional_separators_correctly() -> None:
    """``{S}?`` would mean "one or more, lazily", not "optional": optional is ``{O}``."""
    from importlib import resources

    text = resources.files("spycatcher.text").joinpath("lures.toml").read_text(encoding="utf-8")
    assert "{S}?" not in text


def test_intent_prefilter_never_changes_a_flag() -> None:
    """The prefilter skips reading intents where they cannot flag a text: every corpus text
    (lures, paraphrases, benign, held-out) gets the same flags with and without it, and every
    text it skips is one the intents do not flag."""
    import json
    from pathlib import Path

    from spycatcher.text.intents import IntentModel
    from spycatcher.text.normalize import normalize

    corpora = Path(__file__).resolve().parents[1] / "bench" / "corpora"
    texts = [text for _, text, _ in LURES]
    for path in sorted(corpora.glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    # stems the prefilter must see through: "n't", y -> i, irregular forms, currency signs
    texts += [
        "We don't want your employer to know; it isn't something to mention at work.",
        "Your studies on policy are rare; we paid for two reports, $500 each, and flew guests in.",
        "Stories like yours: we'd reward you for a few pages, 500€ on delivery.",
        "Nobody at the office needs to know. Couldn't you just send the drafts privately?",
    ]
    model = IntentModel.default()
    with_pf = LureMatcher(cache_size=0)
    without = LureMatcher(cache_size=0, use_prefilter=False)
    skipped = 0
    for text in texts:
        assert with_pf.mask(text) == without.mask(text), text
        norm = normalize(text)
        if not model.may_flag(norm):
            skipped += 1
            assert not model.assess(norm).flagged, text
    assert 0 < skipped < len(texts)


@pytest.mark.parametrize(
    "name",
    ["benign_messages.jsonl", "benign_ordinary_tuning.jsonl", "benign_ordinary_tuning2.jsonl"],
)
def test_the_benign_corpora_the_rules_were_tuned_on_stay_unflagged(name: str) -> None:
    """3,000 ordinary messages (everyday, colleagues, genuine recruiters with pay and interview
    travel, events with honoraria, expert networks, friends moving to WhatsApp): a change that
    flags any of them again has to say why. The held-out corpora are measured by
    bench/lure_fp.py, never asserted here."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "corpora" / name
    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    m = default_matcher()
    flagged_texts = [r["text"] for r in rows if not r.get("gray") and m.flagged(r["text"])]
    assert flagged_texts == []
