"""Lure phrases in approach messages: what hostile "headhunters" write, found with exact evidence.

The lexicon is data (``lures.toml`` beside this module; a user can load their own with
:meth:`Lexicon.load`): categories of lure (paid reports, trips, flattery, urgency and secrecy,
moving off the platform, questions about work and access), each a list of regular expressions run
on the normalised text (see :mod:`spycatcher.text.normalize`), so "W h a t s A p p", "wh4tsapp" and
a Cyrillic "а" all match, while every hit quotes the sender's own characters.

False positives matter more than recall here: genuine recruiters also flatter, hurry and ask for a
call. So each pattern is *strong* (fires on its own: phrases a genuine recruiter does not write) or
*weak* (ordinary on its own: "unique opportunity", "do you hold SC clearance?"), and
:func:`flagged` keeps a weak hit only when a strong hit of another category corroborates it.
Paraphrases the lexicon misses ("we would value your perspective and compensate your effort for a
few pages") are read by meaning in :mod:`spycatcher.text.intents`: concept synonym sets in slots,
weighed so that one generic intent is weak and several co-occurring intents are strong. The
matcher merges both: an intent cue becomes a strong hit when the intents of its text add up to a
lure, a weak one otherwise, so :func:`flagged` treats both kinds alike. The optional embedding
similarity (:mod:`spycatcher.text.embeddings`) is a third, opt-in reader.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from spycatcher.text.intents import Assessment, IntentModel
from spycatcher.text.normalize import Normalized, normalize

#: texts longer than this are matched on their first MAX_CHARS characters only (bounded work)
MAX_CHARS = 8_000
#: hits kept per pattern and text (evidence, not a count)
MAX_HITS_PER_PATTERN = 3
#: upper bound on the lexicon file a user may load
MAX_LEXICON_BYTES = 1_000_000
#: bit 14 of a :meth:`LureMatcher.mask`: the text asks to move off the platform, whether or not
#: that is flagged as a lure (bits 0-13 are the flagged categories; 15 is left to callers)
MOVE_OFF_PLATFORM = 1 << 14

_MACRO = re.compile(r"\{([A-Z][A-Z0-9]*)\}")
_GATE_WORD = re.compile(r"[a-z0-9]+")
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class LurePattern:
    """One expression of one category, run only when one of its gate words (or, for entries
    with a space or symbol, gate substrings) occurs in the text."""

    id: str
    category: str
    strong: bool
    regex: re.Pattern[str]
    gate_words: frozenset[str] = frozenset()
    gate_subs: tuple[str, ...] = ()
    unless: re.Pattern[str] | None = None
    #: the text does what the category names (moves the conversation), even where the words
    #: alone are too ordinary to flag: behaviour statistics count it (see MOVE_OFF_PLATFORM)
    move: bool = False

    @property
    def gated(self) -> bool:
        return bool(self.gate_words or self.gate_subs)

    def passes(self, words: set[str], folded: str) -> bool:
        """Whether the gate lets this pattern run on a text with these words."""
        if not self.gated:
            return True
        if not self.gate_words.isdisjoint(words):
            return True
        return any(g in folded for g in self.gate_subs)


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    title: str
    bit: int


@dataclass(frozen=True, slots=True)
class LureHit:
    """A lure found in a text: category, pattern, and the exact original span and wording.

    ``note`` says in plain words what the sender asks for, for hits read by meaning (intent
    rules, whose pattern ids start with ``intent:``); phrase-lexicon hits leave it empty."""

    category: str
    pattern: str
    strong: bool
    start: int
    end: int
    text: str
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "category": self.category,
            "pattern": self.pattern,
            "strong": self.strong,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }
        if self.note:
            out["note"] = self.note
        return out


def _expand(regex: str, macros: dict[str, str]) -> str:
    """Replace ``{NAME}`` macros (repeatedly: macros may use macros); quantifiers stay."""
    for _ in range(5):
        new = _MACRO.sub(lambda m: macros.get(m.group(1), m.group(0)), regex)
        if new == regex:
            return new
        regex = new
    return regex


class Lexicon:
    """Categories and compiled patterns, loaded from TOML (the built-in one by default)."""

    def __init__(self, categories: Sequence[Category], patterns: Sequence[LurePattern]):
        self.categories = tuple(categories)
        self.patterns = tuple(patterns)
        self.bits = {c.name: c.bit for c in self.categories}
        self.titles = {c.name: c.title for c in self.categories}
        # inverted gate index: which patterns a word (or substring) lets through
        self.gate_index: dict[str, list[int]] = {}
        self.sub_gates: list[tuple[str, int]] = []
        self.ungated: list[int] = []
        for i, p in enumerate(self.patterns):
            if not p.gated:
                self.ungated.append(i)
            for w in p.gate_words:
                self.gate_index.setdefault(w, []).append(i)
            for g in p.gate_subs:
                self.sub_gates.append((g, i))
        self.gate_vocab = frozenset(self.gate_index)
        self.move_ids = frozenset(p.id for p in self.patterns if p.move)
        # a strong move pattern that matches is always among the hits a mask reads, so only
        # the weak ones are looked for apart, behind one scan for their gates (most texts
        # have none, and are spared tokenising: the behaviour stage asks every distinct text)
        self.weak_moves = tuple(p for p in self.patterns if p.move and not p.strong)
        self.weak_move_gate: re.Pattern[str] | None = None
        if self.weak_moves and all(p.gated for p in self.weak_moves):
            words = sorted({w for p in self.weak_moves for w in p.gate_words})
            subs = sorted({g for p in self.weak_moves for g in p.gate_subs})
            alts = [r"\b(?:" + "|".join(map(re.escape, words)) + r")\b"] if words else []
            self.weak_move_gate = re.compile("|".join(alts + [re.escape(g) for g in subs]))

    @classmethod
    def from_toml(cls, text: str, source: str = "<lexicon>") -> Lexicon:
        data = tomllib.loads(text)
        macros = {str(k): str(v) for k, v in data.get("macros", {}).items()}
        categories: list[Category] = []
        patterns: list[LurePattern] = []
        for cat in data.get("category", []):
            name = str(cat["name"])
            if len(categories) >= 14:
                raise ValueError(f"{source}: at most 14 lure categories (a 16-bit mask holds them)")
            categories.append(Category(name, str(cat.get("title", name)), len(categories)))
            for pat in cat.get("pattern", []):
                pid = str(pat["id"])
                strength = str(pat.get("strength", "strong"))
                if strength not in ("strong", "weak"):
                    raise ValueError(f"{source}: pattern {pid}: strength must be strong or weak")
                try:
                    rx = re.compile(_expand(str(pat["regex"]), macros))
                    unless = (
                        re.compile(_expand(str(pat["unless"]), macros))
                        if pat.get("unless")
                        else None
                    )
                except re.error as exc:
                    raise ValueError(
                        f"{source}: pattern {pid}: bad regular expression: {exc}"
                    ) from exc
                gate = [str(g).lower() for g in pat.get("gate", [])]
                words = frozenset(g for g in gate if _GATE_WORD.fullmatch(g))
                subs = tuple(g for g in gate if g not in words)
                move = bool(pat.get("move", False))
                if move and name != "off_platform":
                    raise ValueError(f"{source}: pattern {pid}: only off_platform patterns move")
                patterns.append(
                    LurePattern(pid, name, strength == "strong", rx, words, subs, unless, move)
                )
        return cls(categories, patterns)

    @classmethod
    def load(cls, path: str | Path) -> Lexicon:
        """Load a user's lexicon file (same format as the built-in ``lures.toml``)."""
        p = Path(path)
        if p.stat().st_size > MAX_LEXICON_BYTES:
            raise ValueError(f"{p}: lexicon larger than {MAX_LEXICON_BYTES} bytes")
        return cls.from_toml(p.read_text(encoding="utf-8"), str(p))

    @classmethod
    def default(cls) -> Lexicon:
        return _default_lexicon()


@lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    text = resources.files("spycatcher.text").joinpath("lures.toml").read_text(encoding="utf-8")
    return Lexicon.from_toml(text, "lures.toml")


class LureMatcher:
    """Find lures in texts: phrase lexicon plus intents read by meaning.

    Pure and thread-safe; repeated texts hit a small cache. ``use_intents=False`` runs the phrase
    lexicon alone (the benchmark compares both); ``intents`` replaces the built-in intent rules;
    ``use_prefilter=False`` reads every text's intents even where they cannot flag it (same
    flags, slower: for tests and benchmarks).
    Intent hits whose category the lexicon does not have are dropped (a user lexicon with other
    categories gets none).
    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        cache_size: int = 20_000,
        use_gates: bool = True,
        use_intents: bool = True,
        intents: IntentModel | None = None,
        use_prefilter: bool = True,
        mask_cache_size: int = 200_000,
    ):
        self.lexicon = lexicon or Lexicon.default()
        self.use_gates = use_gates
        self.use_prefilter = use_prefilter
        self.intents = (intents or IntentModel.default()) if use_intents else None
        self._cached = lru_cache(maxsize=cache_size)(self._hits_uncached)
        # masks are small ints, so this cache can be larger: a scan sees templated messages again
        # long after the first copy (600k events of the 1M-profile synthetic network: 167k texts
        # read with 20k entries, 155k with 200k; the texts kept alive cost ~50 MB)
        self._mask_cached = lru_cache(maxsize=mask_cache_size)(self._mask_uncached)

    def _hits_uncached(self, text: str) -> tuple[LureHit, ...]:
        norm = normalize(text[:MAX_CHARS])
        return tuple(self.hits_normalized(norm))

    def hits_normalized(self, norm: Normalized, require_strong: bool = False) -> list[LureHit]:
        """All hits (strong and weak) in an already-normalised text, in text order.

        ``require_strong``: return nothing unless some hit is strong (weak hits alone are never
        flagged, so callers that only want flagged hits skip the work)."""
        if (
            require_strong
            and self.use_prefilter
            and self.intents is not None
            and not self.intents.may_flag(norm)
        ):
            # the intents cannot flag this text (cheap and exact, see IntentModel.may_flag): only
            # a strong phrase can, and without one nothing is returned, so read intents (their
            # weak cues) only when the lexicon finds one
            out = self._lexicon_hits(norm, skip_unless_strong=True)
            if not any(h.strong for h in out):
                return []
        else:
            out = None
        verdict = self.intents.assess(norm) if self.intents is not None else None
        intents_strong = verdict is not None and verdict.flagged
        if out is None:
            out = self._lexicon_hits(norm, skip_unless_strong=require_strong and not intents_strong)
        if verdict is not None and verdict.cues:
            out.extend(self._intent_hits(norm, verdict, out))
        if require_strong and not any(h.strong for h in out):
            return []
        out.sort(key=lambda h: (h.start, h.end))
        return out

    def _lexicon_hits(
        self, norm: Normalized, skip_unless_strong: bool, weak_moves_only: bool = False
    ) -> list[LureHit]:
        folded = norm.text
        lex = self.lexicon
        if weak_moves_only:
            if lex.weak_move_gate is not None and not lex.weak_move_gate.search(folded):
                return []
            selected = list(lex.weak_moves)  # a handful of expressions: cheaper than gating
        elif self.use_gates:
            run = set(lex.ungated)
            for w in lex.gate_vocab.intersection(_WORDS.findall(folded)):
                run.update(lex.gate_index[w])
            for g, i in lex.sub_gates:
                if g in folded:
                    run.add(i)
            if not run:
                return []
            selected = [lex.patterns[i] for i in sorted(run)]
            if skip_unless_strong and not any(p.strong for p in selected):
                return []
        else:
            selected = list(lex.patterns)
        out: list[LureHit] = []
        for pat in selected:
            if pat.unless is not None and pat.unless.search(folded):
                continue
            for k, m in enumerate(pat.regex.finditer(folded)):
                if k >= MAX_HITS_PER_PATTERN:
                    break
                quoted = _quote(norm, m.start(), m.end())
                if quoted is not None:
                    a, b, quote = quoted
                    out.append(LureHit(pat.category, pat.id, pat.strong, a, b, quote))
        return out

    def _intent_hits(
        self, norm: Normalized, verdict: Assessment, lexicon_hits: list[LureHit]
    ) -> list[LureHit]:
        """Intent cues as hits: strong when the text's intents add up to a lure.

        Per intent, the heaviest cue is kept (on a tie, the rule listed first in the intents file)
        and others only where they quote other words. A cue overlapping a phrase-lexicon hit of
        the same category adds nothing and is dropped, unless the intents make it strong where
        the lexicon hit is weak (the stronger reading is kept)."""
        assert self.intents is not None
        bits = self.lexicon.bits
        kept: list[tuple[str, int, int]] = []
        out: list[LureHit] = []
        order = self.intents.rule_order
        for cue in sorted(verdict.cues, key=lambda c: (-c.weight, order[c.rule.id], c.start)):
            intent = self.intents.intents[cue.rule.intent]
            if intent.category not in bits:
                continue
            if any(n == cue.rule.intent and cue.start < b and a < cue.end for n, a, b in kept):
                continue
            quoted = _quote(norm, cue.start, cue.end)
            if quoted is None:
                continue
            a, b, quote = quoted
            if any(
                h.category == intent.category
                and a < h.end
                and h.start < b
                and (h.strong or not verdict.flagged)
                for h in lexicon_hits
            ):
                continue
            kept.append((cue.rule.intent, cue.start, cue.end))
            out.append(
                LureHit(
                    intent.category,
                    "intent:" + cue.rule.id,
                    verdict.flagged,
                    a,
                    b,
                    quote,
                    cue.rule.note,
                )
            )
        return out

    def hits(self, text: str | None) -> list[LureHit]:
        """All hits, strong and weak; most callers want :meth:`flagged`."""
        if not text:
            return []
        return list(self._cached(text))

    def flagged(self, text: str | None) -> list[LureHit]:
        """Hits that count: strong ones, plus weak ones corroborated by another category."""
        return flagged(self.hits(text))

    def mask(self, text: str | None) -> int:
        """Bit mask of categories flagged in one text (bit = the category's position), plus
        MOVE_OFF_PLATFORM where the text asks to continue elsewhere, flagged or not."""
        if not text:
            return 0
        return self._mask_cached(text)

    def _mask_uncached(self, text: str) -> int:
        m = 0
        bits = self.lexicon.bits
        norm = normalize(text[:MAX_CHARS])
        hits = self.hits_normalized(norm, require_strong=True)
        for h in flagged(hits):
            m |= 1 << bits[h.category]
        moves = self.lexicon.move_ids
        if moves and (
            m >> bits.get("off_platform", 15) & 1
            or any(h.pattern in moves for h in hits)
            or (not hits and self._lexicon_hits(norm, False, weak_moves_only=True))
        ):
            m |= MOVE_OFF_PLATFORM
        return m

    def category_names(self, mask: int) -> list[str]:
        """The flagged categories of a :meth:`mask` (MOVE_OFF_PLATFORM is not one)."""
        return [c.name for c in self.lexicon.categories if mask >> c.bit & 1]


def flagged(hits: Iterable[LureHit], corroborating: Iterable[str] = ()) -> list[LureHit]:
    """Keep strong hits, and weak hits whose category differs from some strong hit's.

    ``corroborating`` names categories with a strong hit elsewhere (another message of the same
    sender), which corroborate weak hits here too.
    """
    hits = list(hits)
    strong_cats = {h.category for h in hits if h.strong} | set(corroborating)
    out = []
    for h in hits:
        if h.strong or (strong_cats - {h.category}):
            out.append(h)
    return out


def unflagged_cues(texts: Sequence[str], matcher: LureMatcher | None = None) -> list[LureHit]:
    """Weak cues in one sender's texts that :func:`flagged` leaves out, corroboration from the
    sender's other texts included: a request to continue on WhatsApp, a clearance question.

    They do not count as lures (colleagues and genuine recruiters write them every day), but a
    member checking a stranger's approach should still hear of them: the checker shows them as
    "worth knowing", without changing the score. One hit per category and wording, in order."""
    m = matcher or default_matcher()
    per_text = [m.hits(t) for t in texts if t]
    strong = {h.category for hits in per_text for h in hits if h.strong}
    out: list[LureHit] = []
    seen: set[tuple[str, str]] = set()
    for hits in per_text:
        kept = set(flagged(hits, strong))
        for h in hits:
            key = (h.category, h.text.lower())
            if h in kept or key in seen or any(k.category == h.category for k in kept):
                continue
            seen.add(key)
            out.append(h)
    return out


def _quote(norm: Normalized, start: int, end: int) -> tuple[int, int, str] | None:
    """The original ``[start, end)`` and wording behind normalised characters, trimmed."""
    a, b = norm.span(start, end)
    raw = norm.original[a:b]
    quote = raw.strip()
    if not quote:
        return None
    a += len(raw) - len(raw.lstrip())
    return a, a + len(quote), quote


@lru_cache(maxsize=1)
def default_matcher() -> LureMatcher:
    """A process-wide matcher over the built-in lexicon (its cache is shared by every caller)."""
    return LureMatcher()
