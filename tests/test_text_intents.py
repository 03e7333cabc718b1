"""Lure intents read by meaning: paraphrases fire with exact spans and plain-words notes, one
generic intent stays weak, co-occurring intents add up, ordinary purposes and job adverts do not."""

from __future__ import annotations

import pytest

from spycatcher.text.intents import (
    MAX_CHARS,
    IntentModel,
    entry_stems,
    stem,
    tokenize,
)
from spycatcher.text.lures import Lexicon, LureMatcher, default_matcher

# Paraphrased lures written for these tests (none taken from the bench corpora), one per intent,
# with the words the evidence must quote and the category the hit is reported under.
PARAPHRASES = [
    (
        "paid_work",
        "We could reward you nicely for a handful of pages setting out your thoughts on grids.",
        "reward you nicely for a handful of pages",
    ),
    (
        "paid_work",
        "Would you be willing to write up a short overview for us? It would of course be worth "
        "your while.",
        "write up a short overview for us? It would of course be worth your while",
    ),
    (
        "off_platform",
        "Shall we continue by phone rather than on this site?",
        "continue by phone rather than on this site",
    ),
    (
        "off_platform",
        # a contact that is not the work one counts half: with a hosted visit it is a lure
        "Is there an email address for you other than your work one? Our institute would "
        "cover the flights and the hotel for a visit.",
        "address for you other than your work one",
    ),
    (
        "urgency",  # secrecy is reported under the lexicon's "secrecy, exclusivity or speed"
        "Better if your manager never hears about these talks of ours.",
        "manager never hears",
    ),
    (
        "elicitation",
        "Which colleagues in your directorate deal with the missile file?",
        "Which colleagues in your directorate",
    ),
    (
        "elicitation",
        "Could you slip me the memos going round internally before they are released?",
        "slip me the memos going round internally",
    ),
    (
        "trip",
        "Do come and visit our institute in the spring; the flights and the hotel are on us.",
        "come and visit our institute in the spring; the flights and the hotel are on us",
    ),
]


@pytest.mark.parametrize(("category", "text", "quote"), PARAPHRASES)
def test_each_intent_fires_on_a_paraphrase_with_the_exact_span(
    category: str, text: str, quote: str
) -> None:
    lexicon_only = LureMatcher(cache_size=0, use_intents=False)
    assert not any(h.category == category for h in lexicon_only.flagged(text)), text
    hits = [h for h in default_matcher().flagged(text) if h.category == category]
    assert hits, text
    assert any(h.text == quote for h in hits), [h.text for h in hits]
    for h in hits:
        assert text[h.start : h.end] == h.text
        assert h.pattern.startswith("intent:") and h.note and h.strong
        assert h.as_dict()["note"] == h.note


def test_stemming_folds_inflections_consistently() -> None:
    assert len({stem(w) for w in ("write", "writes", "writing", "written", "wrote")}) == 1
    assert len({stem(w) for w in ("pay", "pays", "paid", "paying")}) == 1
    assert stem("studies") == stem("study")
    assert stem("shipping") == stem("ship")
    assert stem("report") != stem("repo")
    assert stem("days") == stem("day")
    assert entry_stems("worth your while") == tuple(stem(w) for w in ("worth", "your", "while"))


def test_tokens_read_nt_as_not_and_split_sentences() -> None:
    toks = tokenize("we don't pay. you won\u2019t tell; ok\nbye 2.5 $300")
    assert toks.stems[:3] == ("we", "do", "not")
    assert "will" in toks.stems and toks.stems.count("not") == 2
    assert toks.sentence[0] == 0 and toks.sentence[-1] == 3  # ". ", "; ", "\n" end sentences
    assert "$" in toks.stems  # a currency sign next to an amount is a word
    assert tokenize("official ca$h page").stems == ("official", "ca", "h", stem("page"))
    # a decimal point does not end a sentence
    assert len(set(tokenize("it is 2.5 times").sentence)) == 1


def test_one_generic_intent_is_weak_and_two_add_up() -> None:
    m = default_matcher()
    generic = "The flights and the hotel are on us."
    hits = m.hits(generic)
    assert hits and all(h.category == "trip" and not h.strong for h in hits)
    assert m.flagged(generic) == []
    # a second, substantive intent makes it a lure, and both are quoted
    both = generic + " Is there a number other than your office line where I can reach you?"
    assert {h.category for h in m.flagged(both)} == {"trip", "off_platform"}


def test_pressure_alone_never_flags_and_counts_once() -> None:
    m = IntentModel.default()
    flattery = m.assess_text(
        "Nobody else writes on arms control as well as you do. Please answer by tonight."
    )
    assert {c.rule.intent for c in flattery.cues} == {"flattery", "urgency"}
    assert not flattery.flagged
    # a generic substantive cue with ordinary praise and a deadline: one style, still not a lure
    recruiterish = m.assess_text(
        "Your experience is impressive. Hotel and flights are covered. Please reply soon."
    )
    assert recruiterish.score < 1 and not recruiterish.flagged
    # with praise of the exceptional kind, the same cue adds up
    singled_out = m.assess_text(
        "Nobody else knows the field as you do. Hotel and flights are covered."
    )
    assert singled_out.flagged


@pytest.mark.parametrize(
    "text",
    [
        # an ordinary purpose for covered travel halves it
        "As an invited speaker at the conference, your flights and hotel are covered by us.",
        "Travel for the final interview is booked and paid by the client; the role pays £70k.",
        # pay in a job advert is a salary, not a lure
        "The role pays well and you would write reports on grid policy; shall I send the salary?",
        # a market-research incentive
        "Participants in our 20-minute survey get a $50 voucher for sharing your views.",
        # ordinary colleague and friend messages with the same words
        "Can you forward me the minutes from the steering group? I missed the end.",
        "Don't tell the rest of the team, it's a surprise party on Friday!",
        "I'd love to buy you a coffee and hear your thoughts on the roadmap.",
        "Do you know who handles supplier onboarding in your team? It's about an invoice.",
        "Thanks for the update. I'll review the draft on payments regulation by Thursday.",
        "Could you write me a short recommendation for the anti-money laundering work?",
        "Saw your post on defence committee work, really interesting. Let's connect.",
    ],
)
def test_ordinary_messages_with_lure_words_are_not_flagged(text: str) -> None:
    assert default_matcher().flagged(text) == [], [
        (c.rule.id, c.weight) for c in IntentModel.default().assess_text(text).cues
    ]


def test_obfuscated_paraphrase_is_quoted_as_written() -> None:
    text = "We would c0mpensate you for a few pаges of your thoughts."  # leet o, Cyrillic а
    hits = [h for h in default_matcher().flagged(text) if h.category == "paid_work"]
    assert hits
    assert any("c0mpensate" in h.text and "pаges" in h.text for h in hits)
    for h in hits:
        assert text[h.start : h.end] == h.text


def test_mask_includes_intent_categories() -> None:
    m = default_matcher()
    text = "Please do not discuss our exchange with anyone at work."
    assert m.category_names(m.mask(text)) == ["urgency"]
    assert LureMatcher(use_intents=False).mask(text) == 0


def test_a_user_lexicon_without_the_categories_gets_no_intent_hits() -> None:
    lex = Lexicon.from_toml(
        "[[category]]\nname = 'crypto'\ntitle = 'asks for crypto'\n"
        "[[category.pattern]]\nid = 'usdt'\nregex = 'usdt'\n"
    )
    text = "Please do not discuss our exchange with anyone at work."
    assert LureMatcher(lex).hits(text) == []


def test_a_user_intents_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "intents.toml"
    path.write_text(
        "[concepts]\n"
        "GIVE = ['send', 'transfer']\n"
        "COIN = ['usdt', 'bitcoin', 'crypto wallet']\n"
        "ME = ['me', 'my']\n"
        "[[intent]]\nname = 'crypto'\ncategory = 'paid_work'\ntitle = 'asks for crypto'\n"
        "[[intent.rule]]\nid = 'send_coin'\nslots = ['GIVE', 'COIN']\nwindow = 6\n"
        "with = ['ME']\nnote = 'asks for a crypto transfer'\n",
        encoding="utf-8",
    )
    model = IntentModel.load(path)
    m = LureMatcher(intents=model, cache_size=0)
    hits = m.flagged("Please send the rest to my bitcoin address.")
    assert [(h.category, h.text, h.note) for h in hits] == [
        ("paid_work", "send the rest to my bitcoin", "asks for a crypto transfer")
    ]
    assert m.flagged("Send the bitcoin price report.") == []  # "with" not met


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[concepts]\nA = ['@A']\n", "concept A refers to itself"),
        ("[concepts]\nA = ['@B']\n", "unknown concept @B"),
        ("[concepts]\nA = ['*']\n", "has no leading word"),
        ("[concepts]\nA = ['=two words']\n", "is no word"),
        (
            "[concepts]\nA = ['a']\n[[intent]]\nname='x'\ntitle='t'\n"
            "[[intent.rule]]\nid='r'\nslots=['B']\nnote='n'\n",
            "rule r: unknown concept B",
        ),
        (
            "[concepts]\nA = ['a']\n[[intent]]\nname='x'\ntitle='t'\n"
            "[[intent.rule]]\nid='r'\nslots=['@q']\nnote='n'\n",
            "slot @q names no earlier rule",
        ),
        (
            "[concepts]\nA = ['a']\n[[intent]]\nname='x'\ntitle='t'\n"
            "[[intent.rule]]\nid='r'\nslots=['A']\nweight=2\nnote='n'\n",
            "weight must be in",
        ),
        (
            "[concepts]\nA = ['a']\n[[intent]]\nname='x'\ntitle='t'\nkind='odd'\n",
            "kind must be substantive or pressure",
        ),
    ],
)
def test_a_bad_intents_file_is_a_clear_error(toml: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        IntentModel.from_toml(toml, "mine.toml")


def test_long_texts_are_bounded() -> None:
    lure = "Please do not discuss our exchange with anyone at work."
    assert not IntentModel.default().assess_text("hello " * (MAX_CHARS // 6 + 10) + lure).cues
    assert IntentModel.default().assess_text(lure + " hello" * 50_000).flagged


def test_every_rule_and_concept_of_the_builtin_file_is_used() -> None:
    """A concept no rule uses, or a rule no text can reach, is dead weight in the data file."""
    model = IntentModel.default()
    used = set()
    for r in model.rules:
        used.update(s for s in r.slots if not s.startswith("@"))
        used.update(r.with_ + r.unless + r.unless_text + r.weaken_text)
    import tomllib
    from importlib import resources

    raw = tomllib.loads(
        resources.files("spycatcher.text").joinpath("intents.toml").read_text(encoding="utf-8")
    )["concepts"]
    included = {e[1:] for entries in raw.values() for e in entries if e.startswith("@")}
    assert set(model.concepts) - used - included == set()
    assert {i.category for i in model.intents.values()} <= set(Lexicon.default().bits)
