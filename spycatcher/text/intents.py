"""Lure intents read by meaning: what an approach *asks for*, whatever words it uses.

The phrase lexicon (:mod:`spycatcher.text.lures`) knows how lures are usually worded ("we pay USD
2,000 for a short report", "add me on WeChat"). A careful sender paraphrases: "we would value your
perspective and compensate your effort for a few pages", "is there a number where I can reach you
directly? messages here are slow". The words change; what the message asks for does not. Approaches
are built from a small set of intents (../shared/redflags.md, "Approach"):

- paid side-work: money for writing, views or advice;
- a trip or visit paid for by the sender;
- moving the conversation somewhere the platform cannot see;
- secrecy from the reader's employer, colleagues or security team;
- interest in the reader's organisation from the inside: who does what, internal papers,
  restricted meetings, what the ministry "really" thinks;
- pressure: flattery and selection of the reader, and urgency.

This module finds those intents with *concepts* and *slots* rather than fixed phrases. A concept
is a synonym set (``PAY`` = pay, compensate, reward, stipend, honorarium, retainer, "worth your
while", "thank you financially", ...) matched on light stems, so that "compensated", "rewarding"
and "stipends" all count. A rule is an ordered (or unordered) combination of concepts within a
window of words, usually within one sentence: ``PAY`` then ``OUTPUT`` (pages, memo, views,
thoughts) within 10 words, with the reader addressed (``YOU``) and no job-advert vocabulary
(``JOB``: salary, role, vacancy) in the sentence. Rules may use other rules' matches as slots
("complains about the platform" and, nearby, "asks for a number"). Concepts and rules are data
(``intents.toml`` beside this module, loadable from a user's file) so analysts can extend them.

How cues combine, and why. Every ingredient of a lure also occurs in genuine messages: recruiters
praise, hurry and ask for a phone number; conferences pay invited speakers' travel; expert networks
pay for calls. What separates an approach is *specificity* and *co-occurrence*. So each rule has a
weight (how telling the cue is on its own, 0-1); an intent's score is its best rule's weight; the
substantive intents (money, trip, off-platform, secrecy, elicitation) add up; the pressure intents
(flattery/selection, urgency) count once, the strongest of them at half weight, because genuine
recruiters praise and hurry freely and usually together (praise plus a deadline is one style, not
two independent signs); a message is flagged when the sum reaches 1 and at least one substantive
intent reaches 0.5. One specific cue (weight 1: "do not discuss
our exchange with anyone at work") flags on its own; one generic cue (weight 0.5: "tickets and
lodging are handled by us") needs another intent beside it (flattery, a request for a private
number). This is a linear model over concept features with hand-set weights: with a few dozen
labelled paraphrases, learned weights would fit the authors' wording, not the intents; hand-set
weights stay explainable ("weak on its own") and are checked against held-out corpora written
before tuning (bench/corpora/*_heldout.jsonl, see BENCHMARKS.md).

Evidence is the exact original span from the first to the last word of the match (the
:class:`~spycatcher.text.normalize.Normalized` map quotes obfuscated text as written), and every
rule carries a plain-words note of what the sender is asking for.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from importlib import resources
from operator import or_
from pathlib import Path
from typing import Any

from spycatcher.text.normalize import Normalized, normalize

#: texts longer than this are read on their first MAX_CHARS characters (bounded work)
MAX_CHARS = 8_000
#: matches kept per rule and text (evidence, not a count)
MAX_MATCHES_PER_RULE = 3
#: upper bound on an intents file a user may load
MAX_INTENTS_BYTES = 1_000_000
#: a message is flagged when its weighted intent score reaches this
FLAG_THRESHOLD = 1.0
#: ... and some substantive intent reaches this (pressure alone never flags)
SUBSTANTIVE_MIN = 0.5
#: the strongest pressure intent (flattery, urgency) counts this much of its weight
PRESSURE_FACTOR = 0.5

# words, and currency signs next to an amount as words of their own ("$500" = "$", "500"; not
# the "$" of "ca$h")
_TOKEN = re.compile(r"[a-z0-9]+|[$€£¥](?=\s?\d)|(?<=\d)[$€£¥]|(?<=\d\s)[$€£¥]")
_CURRENCY = frozenset("$€£¥")
# a sentence ends at ! ? ; a line break, or a point that is not a decimal point
_SENTENCE_END = re.compile(r"[!?;\n]|\.(?!\d)|(?<!\d)\.")
# "don't", "isn't", "won't": the tokeniser splits at the apostrophe; the "t" is a negation
_NT_HEADS = frozenset(
    "don isn won can didn doesn wasn aren shouldn wouldn couldn haven hasn hadn weren mustn "
    "needn ain".split()
)
_NT_HEAD_MAP = {"won": "will", "can": "can", "ain": "is", "don": "do", "isn": "is"}

# Irregular forms mapped to the base form before stemming (only those lures and their concepts use)
_IRREGULAR = {
    "paid": "pay", "bought": "buy", "flew": "fly", "flown": "fly", "sent": "send",
    "told": "tell", "kept": "keep", "met": "meet", "given": "give", "gave": "give",
    "wrote": "write", "written": "write", "spoke": "speak", "spoken": "speak", "chose": "choose",
    "chosen": "choose", "taken": "take", "took": "take", "brought": "bring", "thought": "think",
    "known": "know", "knew": "know", "heard": "hear", "left": "leave", "found": "find",
    "made": "make", "felt": "feel", "seen": "see", "saw": "see", "held": "hold", "got": "get",
    "gotten": "get", "read": "read", "understood": "understand", "sought": "seek",
    "picked": "pick", "hand-picked": "handpick", "said": "say", "done": "do", "did": "do",
    "went": "go", "gone": "go", "came": "come", "ran": "run", "spent": "spend", "lent": "lend",
    "dealt": "deal", "drawn": "draw", "drew": "draw", "shown": "show", "put": "put",
    "honoraria": "honorarium", "analyses": "analysis", "media": "media", "data": "data",
    "news": "news", "its": "its", "this": "this", "his": "his", "has": "has", "was": "was",
    "is": "is", "us": "us", "yes": "yes", "bus": "bus", "plus": "plus", "thus": "thus",
    "less": "less", "unless": "unless", "always": "always", "perhaps": "perhaps",
}  # fmt: skip
_VOWEL = re.compile(r"[aeiouy]")
# word -> stem for the tokeniser (a plain dict is cheaper than lru_cache on the hot path);
# bounded so that a stream of distinct junk words cannot grow it without limit
_STEMS: dict[str, str] = {}
_STEM_CACHE_MAX = 200_000


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A light, deterministic suffix stripper: inflections only (plural, -ed, -ing, -ly, final e).

    Concept words are stemmed with the same function, so consistency matters, not linguistic
    accuracy: "write", "writes", "writing", "written" and "wrote" all become "writ". Derivations
    ("payment", "compensation") are not folded: the concept lists name them, which keeps a concept
    from swallowing unrelated words that share a root ("report" the noun vs. "reports to").
    """
    w = _IRREGULAR.get(word, word)
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("'s"):
        w = w[:-2]
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    stripped = False
    if w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ed") and len(w) > 4 and _VOWEL.search(w[:-2]):
        w, stripped = w[:-2], True
    elif w.endswith("ing") and len(w) > 5 and _VOWEL.search(w[:-3]):
        w, stripped = w[:-3], True
    elif w.endswith("ly") and len(w) > 5:
        w = w[:-2]
    if stripped and len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


@dataclass(frozen=True, slots=True)
class Tokens:
    """The words of a normalised text: stems, character offsets and sentence numbers."""

    stems: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    sentence: tuple[int, ...]
    raws: tuple[str, ...] = ()


def tokenize(folded: str, offsets: bool = True) -> Tokens:
    """Words of an already-normalised (lower-case) text, with "n't" read as "not".

    Sentences end at . ! ? ; and line breaks (a point between digits is a decimal point). The
    text is cut into sentences first and each is scanned with one ``findall``: most texts match
    no rule, so character offsets (``offsets=True``, the same words found with ``finditer``)
    are only worked out for those that do."""
    stems: list[str] = []
    raws: list[str] = []
    sentence: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    cache = _STEMS
    pos = 0
    sid = 0
    for boundary in (*_SENTENCE_END.finditer(folded), None):
        end = boundary.start() if boundary is not None else len(folded)
        chunk = folded[pos:end]
        if offsets:
            for m in _TOKEN.finditer(chunk):
                starts.append(pos + m.start())
                ends.append(pos + m.end())
        words = _TOKEN.findall(chunk)
        if words:
            raws.extend(words)
            for w in words:
                st = cache.get(w)
                if st is None:
                    st = stem(w)
                    if len(cache) < _STEM_CACHE_MAX:
                        cache[w] = st
                stems.append(st)
            sentence.extend([sid] * len(words))
            sid += 1
        if boundary is not None:
            pos = boundary.end()
    if "t" in raws:  # "don't" -> "do", "not"
        for i in range(1, len(raws)):
            if raws[i] == "t" and raws[i - 1] in _NT_HEADS and sentence[i] == sentence[i - 1]:
                head = raws[i - 1]
                stems[i - 1] = _NT_HEAD_MAP.get(head) or stem(head[:-1])
                stems[i] = "not"
    return Tokens(tuple(stems), tuple(starts), tuple(ends), tuple(sentence), tuple(raws))


def token_offsets(folded: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Character ``[start, end)`` of each word :func:`tokenize` finds."""
    toks = tokenize(folded, offsets=True)
    return toks.starts, toks.ends


@dataclass(frozen=True, slots=True)
class Concept:
    """A synonym set: single stems, multi-word phrases (tuples of stems; ``*`` = any word) and
    exact word forms (entries written ``=pages``: where stemming would merge a telling form
    with an ordinary one, "pages" of a report with a "twitter page")."""

    name: str
    stems: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    exact: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Rule:
    """Slots (concept names or ``@rule`` references) that must occur within ``window`` words.

    ``ordered``: in this order, each after the previous one. ``sentence``: all in one sentence.
    ``with_``: concepts that must occur in the sentences the match spans; ``unless``: concepts that
    veto the match there; ``unless_text`` vetoes it anywhere in the text; ``weaken_text`` halves the
    weight when present anywhere in the text (a stated ordinary purpose, e.g. an interview).
    """

    id: str
    intent: str
    weight: float
    slots: tuple[str, ...]
    window: int
    note: str
    ordered: bool = True
    sentence: bool = True
    with_: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    unless_text: tuple[str, ...] = ()
    weaken_text: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    category: str  # the lure category (lures.toml) its hits are reported under
    kind: str  # "substantive" or "pressure"
    title: str


@dataclass(frozen=True, slots=True)
class Cue:
    """One rule matched in one text: where (token range and normalised characters) and how much."""

    rule: Rule
    weight: float
    first: int
    last: int  # token index, inclusive
    start: int
    end: int  # normalised characters


@dataclass(frozen=True, slots=True)
class Assessment:
    """The intents found in one text and the verdict: ``flagged`` when they add up."""

    cues: tuple[Cue, ...]
    intent_scores: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    flagged: bool = False


Span = tuple[int, int]  # token indexes [first, last]


class IntentModel:
    """Concepts, intents and rules, compiled for matching (see the module docstring)."""

    def __init__(
        self,
        concepts: Sequence[Concept],
        intents: Sequence[Intent],
        rules: Sequence[Rule],
        threshold: float = FLAG_THRESHOLD,
    ):
        self.concepts = {c.name: c for c in concepts}
        self.intents = {i.name: i for i in intents}
        self.rules = tuple(rules)
        self.rule_order = {r.id: i for i, r in enumerate(self.rules)}
        self.threshold = threshold
        self._stem_index: dict[str, list[str]] = {}
        self._exact_index: dict[str, list[str]] = {}
        # phrases by their first two stems (the second not a wildcard), else by the first alone
        self._phrase_index2: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = {}
        self._phrase_index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for c in concepts:
            for s in c.stems:
                self._stem_index.setdefault(s, []).append(c.name)
            for s in c.exact:
                self._exact_index.setdefault(s, []).append(c.name)
            for p in c.phrases:
                if p[1] != "*":
                    self._phrase_index2.setdefault((p[0], p[1]), []).append((p, c.name))
                else:
                    self._phrase_index.setdefault(p[0], []).append((p, c.name))
        # stems that start some single word, pair or wildcard phrase: most words are none of these
        self._firsts = (
            frozenset(self._stem_index)
            | frozenset(self._phrase_index)
            | frozenset(k[0] for k in self._phrase_index2)
        )
        # concepts each rule needs (directly or through referenced rules), to skip rules cheaply
        needs: dict[str, frozenset[str]] = {}
        for r in self.rules:
            req: set[str] = set(r.with_)
            for s in r.slots:
                if s.startswith("@"):
                    req |= needs[s[1:]]
                else:
                    req.add(s)
            needs[r.id] = frozenset(req)
        self._needs = needs
        self._prefilter = _Prefilter(
            self.concepts,
            needs.values(),
            [
                (needs[r.id], r.intent, self.intents[r.intent].kind == "pressure", r.weight)
                for r in self.rules
            ],
            threshold,
        )

    # -- loading ------------------------------------------------------------------------------
    @classmethod
    def from_toml(cls, text: str, source: str = "<intents>") -> IntentModel:
        """Parse and check an intents file; errors name the file, the entry and the reason."""
        data = tomllib.loads(text)
        raw_concepts = {str(k): [str(x) for x in v] for k, v in data.get("concepts", {}).items()}
        concepts = _build_concepts(raw_concepts, source)
        intents: list[Intent] = []
        rules: list[Rule] = []
        seen_rules: set[str] = set()
        for it in data.get("intent", []):
            name = str(it["name"])
            kind = str(it.get("kind", "substantive"))
            if kind not in ("substantive", "pressure"):
                raise ValueError(f"{source}: intent {name}: kind must be substantive or pressure")
            intents.append(Intent(name, str(it.get("category", name)), kind, str(it["title"])))
            for ru in it.get("rule", []):
                rid = str(ru["id"])
                where = f"{source}: rule {rid}"
                if rid in seen_rules:
                    raise ValueError(f"{where}: duplicate id")
                weight = float(ru.get("weight", 1.0))
                if not 0 < weight <= 1:
                    raise ValueError(f"{where}: weight must be in (0, 1]")
                slots = tuple(str(s) for s in ru["slots"])
                if not slots:
                    raise ValueError(f"{where}: no slots")
                for s in slots:
                    if s.startswith("@"):
                        if s[1:] not in seen_rules:
                            raise ValueError(f"{where}: slot {s} names no earlier rule")
                    elif s not in concepts:
                        raise ValueError(f"{where}: unknown concept {s}")
                lists = {}
                for key in ("with", "unless", "unless_text", "weaken_text"):
                    names = tuple(str(x) for x in ru.get(key, []))
                    for n in names:
                        if n not in concepts:
                            raise ValueError(f"{where}: unknown concept {n} in {key}")
                    lists[key] = names
                rules.append(
                    Rule(
                        rid,
                        name,
                        weight,
                        slots,
                        int(ru.get("window", 8)),
                        str(ru["note"]),
                        bool(ru.get("ordered", True)),
                        bool(ru.get("sentence", True)),
                        lists["with"],
                        lists["unless"],
                        lists["unless_text"],
                        lists["weaken_text"],
                    )
                )
                seen_rules.add(rid)
        threshold = float(data.get("threshold", FLAG_THRESHOLD))
        return cls(list(concepts.values()), intents, rules, threshold)

    @classmethod
    def load(cls, path: str | Path) -> IntentModel:
        """Load a user's intents file (same format as the built-in ``intents.toml``)."""
        p = Path(path)
        if p.stat().st_size > MAX_INTENTS_BYTES:
            raise ValueError(f"{p}: intents file larger than {MAX_INTENTS_BYTES} bytes")
        return cls.from_toml(p.read_text(encoding="utf-8"), str(p))

    @classmethod
    def default(cls) -> IntentModel:
        return _default_model()

    # -- matching -----------------------------------------------------------------------------
    def occurrences(self, toks: Tokens) -> dict[str, list[Span]]:
        """Where each concept occurs: sorted token spans."""
        occ: dict[str, list[Span]] = {}
        stems = toks.stems
        n = len(stems)
        exact = self._exact_index
        single = self._stem_index
        pairs = self._phrase_index2
        wild = self._phrase_index
        firsts = self._firsts
        if exact:
            for i, raw in enumerate(toks.raws):
                for c in exact.get(raw, ()):
                    occ.setdefault(c, []).append((i, i))
        for i, s in enumerate(stems):
            if s not in firsts:
                continue
            for c in single.get(s, ()):
                occ.setdefault(c, []).append((i, i))
            if i + 1 < n:
                cands = pairs.get((s, stems[i + 1]))
                if cands:
                    for phrase, c in cands:
                        k = len(phrase)
                        if k == 2 or (i + k <= n and _rest_matches(phrase, stems, i)):
                            occ.setdefault(c, []).append((i, i + k - 1))
                for phrase, c in wild.get(s, ()):
                    k = len(phrase)
                    if i + k <= n and _rest_matches(phrase, stems, i):
                        occ.setdefault(c, []).append((i, i + k - 1))
        for spans in occ.values():
            spans.sort()
        return occ

    def may_flag(self, norm: Normalized) -> bool:
        """Cheap and exact: False means :meth:`assess` cannot flag this text (no rule of a
        substantive intent can match it); True means it might."""
        return self._prefilter.may_flag(norm.text[:MAX_CHARS])

    def cues(self, norm: Normalized) -> list[Cue]:
        """Every rule match in a normalised text (at most MAX_MATCHES_PER_RULE per rule)."""
        folded = norm.text[:MAX_CHARS]
        toks = tokenize(folded, offsets=False)
        if not toks.stems:
            return []
        occ = self.occurrences(toks)
        present = set(occ)
        out: list[Cue] = []
        starts: tuple[int, ...] = ()
        ends: tuple[int, ...] = ()
        for rule in self.rules:
            if not self._needs[rule.id] <= present:
                continue
            if any(c in present for c in rule.unless_text):
                continue
            spans = self._match(rule, occ, toks)
            if not spans:
                continue
            occ["@" + rule.id] = spans
            present.add("@" + rule.id)
            weight = rule.weight
            if any(c in present for c in rule.weaken_text):
                weight /= 2
            if not starts:
                starts, ends = token_offsets(folded)
            for first, last in spans[:MAX_MATCHES_PER_RULE]:
                out.append(Cue(rule, weight, first, last, starts[first], ends[last]))
        return out

    def _match(self, rule: Rule, occ: dict[str, list[Span]], toks: Tokens) -> list[Span]:
        lists = [occ.get(s, []) for s in rule.slots]
        if any(not lst for lst in lists):
            return []
        found: list[Span] = []
        last_end = -1
        for a0, b0 in lists[0] if rule.ordered else sorted({sp for lst in lists for sp in lst}):
            if a0 <= last_end:
                continue  # one match per stretch of text
            span = (
                self._ordered_from(rule, lists, a0, b0, toks)
                if rule.ordered
                else self._unordered_from(rule, lists, a0, toks)
            )
            if span is None or not self._context_ok(rule, span, occ, toks):
                continue
            found.append(span)
            last_end = span[1]
            if len(found) >= MAX_MATCHES_PER_RULE:
                break
        return found

    @staticmethod
    def _ordered_from(
        rule: Rule, lists: list[list[Span]], a0: int, b0: int, toks: Tokens
    ) -> Span | None:
        end = b0
        for lst in lists[1:]:
            k = bisect_left(lst, (end + 1, -1))
            if k >= len(lst):
                return None
            a, b = lst[k]
            end = b
        if end - a0 + 1 > rule.window:
            return None
        if rule.sentence and toks.sentence[a0] != toks.sentence[end]:
            return None
        return a0, end

    @staticmethod
    def _unordered_from(rule: Rule, lists: list[list[Span]], a0: int, toks: Tokens) -> Span | None:
        """The shortest span starting at token ``a0`` that holds every slot, when one slot starts
        there; slots must not start on the same token (each word fills one slot)."""
        limit = a0 + rule.window - 1
        used: set[int] = set()
        end = a0
        starts_here = False
        for lst in lists:
            k = bisect_left(lst, (a0, -1))
            choice = None
            while k < len(lst) and lst[k][1] <= limit:
                a, b = lst[k]
                if a not in used and (not rule.sentence or toks.sentence[a] == toks.sentence[a0]):
                    choice = (a, b)
                    break
                k += 1
            if choice is None:
                return None
            used.add(choice[0])
            starts_here = starts_here or choice[0] == a0
            end = max(end, choice[1])
        if not starts_here:
            return None
        if rule.sentence and toks.sentence[a0] != toks.sentence[end]:
            return None
        return a0, end

    @staticmethod
    def _context_ok(rule: Rule, span: Span, occ: dict[str, list[Span]], toks: Tokens) -> bool:
        if not rule.with_ and not rule.unless:
            return True
        s0, s1 = toks.sentence[span[0]], toks.sentence[span[1]]

        def in_sentences(concept: str) -> bool:
            return any(s0 <= toks.sentence[a] <= s1 for a, _ in occ.get(concept, ()))

        if any(not in_sentences(c) for c in rule.with_):
            return False
        return not any(in_sentences(c) for c in rule.unless)

    def assess(self, norm: Normalized) -> Assessment:
        """Cues, the score per intent, and whether they add up to a lure (module docstring)."""
        cues = self.cues(norm)
        if not cues:
            return Assessment(())
        scores: dict[str, float] = {}
        for c in cues:
            scores[c.rule.intent] = max(scores.get(c.rule.intent, 0.0), c.weight)
        total = 0.0
        substantive = 0.0
        pressure = 0.0
        for name, s in scores.items():
            if self.intents[name].kind == "pressure":
                pressure = max(pressure, s)
            else:
                total += s
                substantive = max(substantive, s)
        total += PRESSURE_FACTOR * pressure
        flagged = total >= self.threshold - 1e-9 and substantive >= SUBSTANTIVE_MIN
        return Assessment(tuple(cues), scores, round(total, 3), flagged)

    def assess_text(self, text: str) -> Assessment:
        """:meth:`assess` on a raw text (normalised here)."""
        return self.assess(normalize(text[:MAX_CHARS]))


class _Prefilter:
    """Whether a text's intents could add up to a lure, decided by one regular-expression scan.

    Most texts match no rule, and tokenising and stemming them is most of the cost of reading
    them. Every concept occurrence holds a word whose stem is one of the concept's stems, or all
    the words of one of its phrases; and a word with stem ``s`` begins with ``s`` (or with ``s``
    ending in ``i`` for ``y``: "stories" -> "story"), or is an irregular form of ``_IRREGULAR``,
    or the head of a "n't" ("didn't" -> "do", "not"), or is a currency sign. So one scan for
    those literals at word starts (a trie-shaped pattern) yields a *superset* of the concepts
    present: a phrase is anchored on one uncommon word of it, or, if it has none ("as you do"),
    counts when all its words occur. A rule whose needed concepts are not all in that superset
    cannot match, and when the rules that might match cannot add up to the flag threshold, the
    text cannot be flagged. Only the lure matcher's flag path (:meth:`LureMatcher.mask`, the
    behaviour stage's hot loop) uses this, to skip the reading; texts that pass are read
    exactly as before, so the flags are identical (the tests compare both paths). Deciding
    "any cue at all" this way does not pay: common pressure phrases let most texts through.
    """

    def __init__(
        self,
        concepts: dict[str, Concept],
        needs: Iterable[frozenset[str]],
        rules: Sequence[tuple[frozenset[str], str, bool, float]] = (),
        threshold: float = FLAG_THRESHOLD,
    ) -> None:
        needs = [n for n in needs if n]
        used = sorted(set().union(*needs)) if needs else []
        self._bit = {c: 1 << k for k, c in enumerate(used)}

        # per intent: (needed concepts, weight) of its rules, heaviest first
        by_intent: dict[tuple[str, bool], list[tuple[int, float]]] = {}
        for need, intent, pressure, weight in rules:
            mask = sum(self._bit[c] for c in need)
            by_intent.setdefault((intent, pressure), []).append((mask, weight))
        self._intent_rules = [
            (pressure, sorted(lst, key=lambda x: -x[1])) for (_, pressure), lst in by_intent.items()
        ]
        self._threshold = threshold

        literals: dict[str, int] = {}
        self._currency = 0

        def add_word(st: str, mask: int) -> None:
            """Every literal a word with stem ``st`` can start with, for ``mask``."""
            if st in _CURRENCY:
                self._currency |= mask
                return
            for lit in _word_starts(st):
                literals[lit] = literals.get(lit, 0) | mask

        word_bit: dict[str, int] = {}  # words of common-word phrases, bits above the concepts'
        self._phrase_words: list[tuple[int, int]] = []
        for name in used:
            c = concepts[name]
            bit = self._bit[name]
            for st in c.stems:
                add_word(st, bit)
            for form in c.exact:  # exact forms are words of their own
                literals[form] = literals.get(form, 0) | bit
            for p in c.phrases:
                if any(st in c.stems for st in p):
                    continue  # "thank you with a fee": wherever it occurs, "fee" does
                anchor = _phrase_anchor(p)
                if anchor is not None:
                    add_word(anchor, bit)
                    continue
                words = 0
                for st in p:
                    if st == "*":
                        continue
                    if st not in word_bit:
                        word_bit[st] = 1 << (len(used) + len(word_bit))
                        add_word(st, word_bit[st])
                    words |= word_bit[st]
                self._phrase_words.append((bit, words))
        self._literals = literals
        # the scan finds the longest literal at a word start; shorter ones that start it match
        # there too: fold their bits in once
        self._full = {lit: _or_prefixes(lit, literals) for lit in literals} | dict.fromkeys(
            _CURRENCY, self._currency
        )
        self._word_bits = sum(w for _, w in self._phrase_words)
        self._verdicts: dict[int, bool] = {}
        body = _trie_pattern(sorted(literals)) if literals else "(?!)"
        cur = "|[$€£¥]" if self._currency else ""
        self._regex = re.compile(f"((?<![a-z0-9])(?:{body}){cur})")
        self._cache: dict[str, int] = {}

    def _present(self, folded: str) -> int:
        present = reduce(or_, map(self._full.__getitem__, self._regex.findall(folded)), 0)
        if present & self._word_bits:
            for bit, words in self._phrase_words:
                if words & present == words:
                    present |= bit
        return present

    def may_flag(self, folded: str) -> bool:
        """False when the intents cannot add up to a lure in ``folded``: the heaviest weight
        each intent could reach (its rules whose concepts might all be present; a weight can
        only be halved later) is summed as :meth:`IntentModel.assess` sums it."""
        present = self._present(folded)
        verdict = self._verdicts.get(present)
        if verdict is None:
            verdict = self._can_flag(present)
            if len(self._verdicts) < 65_536:  # texts share few combinations of concepts
                self._verdicts[present] = verdict
        return verdict

    def _can_flag(self, present: int) -> bool:
        total = 0.0
        substantive = 0.0
        pressure = 0.0
        for is_pressure, rules in self._intent_rules:
            for need, weight in rules:
                if need & present == need:
                    if is_pressure:
                        pressure = max(pressure, weight)
                    else:
                        total += weight
                        substantive = max(substantive, weight)
                    break
        total += PRESSURE_FACTOR * pressure
        return total >= self._threshold - 1e-9 and substantive >= SUBSTANTIVE_MIN


#: words too common to anchor a phrase on in the prefilter, as stems (any choice is exact; an
#: uncommon anchor only lets the prefilter skip more texts)
_COMMON = frozenset(
    stem(w)
    for w in "a an the to of in on at by for with from as and or but if so than then that this "
    "these those it its is are was be been do does not no nor i me my we us our you your he she "
    "they them their there here who what which when where how why will would can could shall "
    "should may might must have has had get make take give go come say tell know see think want "
    "need like just only very well good much many more most some any all one two few time way "
    "thing something anything people work project name list top day week year new now soon "
    "also thank thanks hi hello hey dear regards best kind hope great please let look forward "
    "happy glad love help team next".split()
)


def _or_prefixes(word: str, literals: dict[str, int]) -> int:
    """The bits of every literal that is a prefix of ``word`` (``word`` included)."""
    m = 0
    for k in range(1, len(word) + 1):
        m |= literals.get(word[:k], 0)
    return m


def _phrase_anchor(phrase: tuple[str, ...]) -> str | None:
    """The word of a phrase the prefilter looks for: all its words occur where it does, so any
    will do; the longest uncommon one (a currency sign if nothing else). None: only common
    words, the phrase itself is looked for."""
    words = [w for w in phrase if w != "*" and w not in _COMMON]
    if not words:
        return None
    return max(words, key=lambda w: (w not in _CURRENCY, len(w)))


def _word_starts(st: str) -> set[str]:
    """Literals that a word whose stem is ``st`` starts with (see :class:`_Prefilter`)."""
    if st in _CURRENCY:
        return {st}
    out = {st}
    if st.endswith("y") and len(st) > 1:
        out.add(st[:-1] + "i")
    out.update(w for w in _IRREGULAR if stem(w) == st)
    for head in _NT_HEADS:
        if st in (_NT_HEAD_MAP.get(head) or stem(head[:-1]), "not"):
            out.add(head)
    if st == "not":
        out.add("t")  # the "t" of "n't"
    return out


def _trie_pattern(words: Sequence[str]) -> str:
    """A regular expression matching any of ``words`` (longest first), as a character trie so
    that the engine follows one branch per character instead of trying every word in turn."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if end else body

    return emit(trie)


def _rest_matches(phrase: tuple[str, ...], stems: tuple[str, ...], i: int) -> bool:
    """Whether ``phrase`` matches ``stems`` from ``i`` (its first two stems already checked or
    the second a wildcard); ``*`` matches any one word."""
    for j in range(2, len(phrase)):
        p = phrase[j]
        if p != "*" and p != stems[i + j]:
            return False
    return True


def _build_concepts(raw: dict[str, list[str]], source: str) -> dict[str, Concept]:
    """Expand ``@OTHER`` references, stem every entry, split single words from phrases."""
    resolved: dict[str, list[str]] = {}

    def expand(name: str, stack: tuple[str, ...]) -> list[str]:
        if name in resolved:
            return resolved[name]
        if name in stack:
            raise ValueError(f"{source}: concept {name} refers to itself")
        if name not in raw:
            raise ValueError(f"{source}: unknown concept @{name}")
        out: list[str] = []
        for entry in raw[name]:
            if entry.startswith("@"):
                out.extend(expand(entry[1:], (*stack, name)))
            else:
                out.append(entry)
        resolved[name] = out
        return out

    concepts: dict[str, Concept] = {}
    for name in raw:
        words: set[str] = set()
        exact: set[str] = set()
        phrases: list[tuple[str, ...]] = []
        for entry in expand(name, ()):
            if entry.startswith("="):
                form = normalize(entry[1:]).text
                if not _TOKEN.fullmatch(form):
                    raise ValueError(f"{source}: concept {name}: exact entry {entry!r} is no word")
                exact.add(form)
                continue
            parts = entry_stems(entry)
            if not parts or parts[0] == "*":
                raise ValueError(f"{source}: concept {name}: entry {entry!r} has no leading word")
            if len(parts) == 1:
                words.add(parts[0])
            else:
                phrases.append(parts)
        concepts[name] = Concept(
            name, frozenset(words), tuple(dict.fromkeys(phrases)), frozenset(exact)
        )
    return concepts


def entry_stems(entry: str) -> tuple[str, ...]:
    """The stems of a concept entry as the matcher sees text; ``*`` (a word of its own) stays a
    wildcard for any one word, and a currency sign stands for itself (next to an amount)."""
    out: list[str] = []
    for piece in entry.split():
        if piece == "*" or piece in _CURRENCY:
            out.append(piece)
        else:
            out.extend(tokenize(normalize(piece).text).stems)
    return tuple(out)


@lru_cache(maxsize=1)
def _default_model() -> IntentModel:
    text = resources.files("spycatcher.text").joinpath("intents.toml").read_text(encoding="utf-8")
    return IntentModel.from_toml(text, "intents.toml")
