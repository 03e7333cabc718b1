"""Undo the tricks that hide words from filters, keeping a map back to the original text.

Someone who wants to move a target to WhatsApp without tripping a platform's filter writes
"W h a t s A p p", "wh4tsapp", "WhatsАpp" (with a Cyrillic А) or puts zero-width spaces inside the
word. :func:`normalize` turns all of these into ``whatsapp``: lower case, compatibility forms folded
(NFKC: full-width and mathematical letters, ligatures), accents dropped, look-alike letters from
other scripts mapped to Latin, zero-width characters removed, leetspeak digits inside words read as
letters, and single letters separated by spaces or dots joined up.

Matchers run on the normalised text but must quote the original: every normalised character keeps
the ``[start, end)`` range of original characters it came from, and :meth:`Normalized.span` maps a
match back. For plain ASCII text (the common case) the map is the identity and costs nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: characters that render as nothing and are used to break up words
ZERO_WIDTH = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u3164\ufeff\uffa0"
)

#: letters of other scripts that look like Latin letters (after case folding), mapped to Latin.
#: Only the confusables a reader would take for the Latin letter: enough to defeat the usual
#: homoglyph substitutions without turning real Greek or Russian text into nonsense matches.
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
    "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g", "ү": "y",
    "ѡ": "w", "ɑ": "a", "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g",
    "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o",
    "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y",
    "ᴢ": "z",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "γ": "y", "μ": "u", "ϲ": "c",
    "ϳ": "j", "ζ": "z",
    # Latin letters with strokes or without dots that NFKD does not decompose
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ƀ": "b", "ɨ": "i",
    "æ": "ae", "œ": "oe", "ð": "d", "þ": "th",
}  # fmt: skip

#: digits (and a few symbols) that stand for letters inside words
LEET: dict[str, str] = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "|": "l"}
_LEET_TABLE = str.maketrans(LEET)
_DIGITISH = re.compile(r"[013457|]")

# A word mixing letters with leet digits: at least three letters and a digit touching a letter.
_LEET_WORD = re.compile(r"[a-z0-9|]*(?:[a-z][0-9|]|[0-9|][a-z])[a-z0-9|]*")
# Four or more single letters separated by one or two separator characters: "w h a t s a p p".
_SPACED = re.compile(
    r"(?<![a-z0-9])(?:[a-z0-9](?:[ .\-_*·•|/+~]{1,2}|\s{1,2})){3,}[a-z0-9](?![a-z0-9])"
)
_SPACED_SEP = re.compile(r"[^a-z0-9]+")
# A cheap necessary condition for _SPACED (no look-behind: scanning plain text costs less)
_SPACED_PRE = re.compile(
    r"\b[a-z0-9](?:[ .\-_*·•|/+~]{1,2}|\s{1,2})[a-z0-9](?:[ .\-_*·•|/+~]{1,2}|\s{1,2})"
    r"[a-z0-9](?:[ .\-_*·•|/+~]{1,2}|\s{1,2})[a-z0-9]\b"
)


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text plus, per normalised character, the original ``[start, end)`` it came from.

    ``starts``/``ends`` are ``None`` when the map is the identity (plain ASCII without tricks).
    """

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` covering normalised characters ``[start, end)``."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def quote(self, start: int, end: int) -> str:
        """The original text behind normalised characters ``[start, end)``."""
        a, b = self.span(start, end)
        return self.original[a:b]


@lru_cache(maxsize=65_536)
def fold_char(ch: str) -> str:
    """One non-ASCII character -> its folded Latin form ("" for marks and invisible characters)."""
    if ch in ZERO_WIDTH:
        return ""
    if ch.isspace():
        return " "
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        for d in unicodedata.normalize("NFKD", c):
            if unicodedata.combining(d):
                continue
            for e in d.casefold():
                out.append(CONFUSABLES.get(e, e))
    folded = "".join(out)
    if unicodedata.category(ch) == "Cf":  # other format characters: invisible
        return ""
    return folded


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """Case, compatibility, accent and look-alike folding; the map is None when every character
    folds to exactly one character (plain ASCII, accents, curly quotes, Cyrillic look-alikes)."""
    if text.isascii():
        return text.lower(), None, None
    # fast path: a translation table for this text's non-ASCII characters, when it keeps lengths
    table = {ord(c): fold_char(c) for c in set(_NON_ASCII.findall(text))}
    if all(len(v) == 1 for v in table.values()):
        folded = text.translate(table).lower()
        if len(folded) == len(text):
            return folded, None, None
    return _fold_slow(text)


def _fold_slow(text: str) -> tuple[str, list[int], list[int]]:
    """Character by character, for texts where folding changes lengths (ligatures, marks)."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        if ch < "\x80":
            chars.append(ch.lower())
            starts.append(i)
            ends.append(i + 1)
            continue
        folded = fold_char(ch)
        if not folded:
            # a dropped mark belongs to the letter before it, so a quote keeps the whole letter
            if ends and ends[-1] == i and unicodedata.combining(ch):
                ends[-1] = i + 1
            continue
        for c in folded:
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
    return "".join(chars), starts, ends


def _despace(
    text: str, starts: list[int] | None, ends: list[int] | None
) -> tuple[str, list[int] | None, list[int] | None]:
    """Join runs of single letters separated by spaces or dots ("w h a t s a p p")."""
    if starts is None or ends is None:
        starts = list(range(len(text)))
        ends = list(range(1, len(text) + 1))
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for m in _SPACED.finditer(text):
        out.append(text[pos : m.start()])
        new_starts.extend(starts[pos : m.start()])
        new_ends.extend(ends[pos : m.start()])
        for j in range(m.start(), m.end()):
            if not _SPACED_SEP.match(text[j]):
                out.append(text[j])
                new_starts.append(starts[j])
                new_ends.append(ends[j])
        pos = m.end()
    out.append(text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return "".join(out), new_starts, new_ends


def _deleet(text: str) -> str:
    """Read digits inside words as letters ("t3l3gram" -> "telegram"); lengths are unchanged."""

    def repl(m: re.Match[str]) -> str:
        word = m.group(0)
        letters = sum(1 for c in word if "a" <= c <= "z")
        if letters < 3:
            return word  # "5g", "b2b", "mp3": real tokens, not disguises
        return word.translate(_LEET_TABLE)

    return _LEET_WORD.sub(repl, text)


def normalize(text: str) -> Normalized:
    """Fold ``text`` for matching; see the module docstring for what is undone and why."""
    folded, starts, ends = _fold(text)
    if _DIGITISH.search(folded):
        folded = _deleet(folded)
    if _SPACED_PRE.search(folded) and _SPACED.search(folded):
        folded, starts, ends = _despace(folded, starts, ends)
    if starts is None or ends is None:
        return Normalized(text, folded)
    return Normalized(text, folded, tuple(starts), tuple(ends))


_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The words of a text after normalisation, for shingling and similarity."""
    return _WORD.findall(normalize(text).text)
