"""Signals and the data contract -> named numeric features, with a manifest that fixes the columns.

A trained model sees every detector's signals plus generic facts any labelled dataset in the
contract carries: counts and their ratios, text lengths and character statistics of the name,
handle and summary, account age, how complete the profile is, the shape of the career and
education, the ``features`` a platform passes through, and what population stages found
(behaviour, graph, photo, templates, intelligence, reports).

Two steps, so that training and scoring cannot drift apart:

1. :func:`extract` turns one ``(profile, signals, ctx)`` into :class:`RawFeatures`: a dict of
   numbers (NaN when unknown) and a dict of categorical strings. Names are readable and say where a
   number comes from (``count:followers``, ``ratio:following/followers``, ``feature:lang=en``,
   ``sig:profile.follow_ratio``).
2. A :class:`Manifest`, built once from the training data and saved in the model file, lists the
   columns in order (with each column's value when absent) and the values kept for each categorical
   (the rest fall into ``<other>``). :meth:`Manifest.vector` turns raw features into the same
   vector at training and at scoring time.

Features are defined so that "absent" and "zero" differ: a signal that did not fire is 0 (the
detector looked and found nothing), a count the platform does not report is NaN.

``--exclude-features`` works on names *and* on where features come from (:func:`sources_of`):
``lang`` drops ``feature:lang=*``; ``created_at`` drops account age, creation year and per-day
rates. Attacker-written text is only measured here (lengths, character classes), never interpreted.
"""

from __future__ import annotations

import fnmatch
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spycatcher.schema import Profile, partial_date_to_months
from spycatcher.signals.audience import (
    BIO_LENGTH_FEATURES,
    HANDLE_DIGIT_FEATURES,
    HANDLE_FEATURES,
    HANDLE_LENGTH_FEATURES,
    bio_length,
    handle_digit_facts,
    handle_of,
)
from spycatcher.signals.base import ProfileContext, Signal

MANIFEST_VERSION = 1
OTHER = "<other>"
#: the counts whose pairwise log-ratios are features (others still appear as counts)
MAX_RATIO_COUNTS = 8
#: categorical values kept: at most this many per key ...
MAX_CATEGORIES = 30
#: ... each seen at least this often (and in at least this share of the rows)
MIN_CATEGORY_COUNT = 5
MIN_CATEGORY_SHARE = 0.005
#: ``features`` keys beyond this many per profile are ignored (the contract allows 500)
MAX_PASS_THROUGH = 200
#: a categorical value longer than this is reduced to its shape, never kept verbatim
MAX_CATEGORY_CHARS = 100

_URL = re.compile(r"https?://|www\.", re.I)
_SENIOR = re.compile(
    r"\b(chief|director|head|vice[\s-]president|vp|president|partner|principal|founder|"
    r"managing|executive|senior)\b",
    re.I,
)


@dataclass(slots=True)
class RawFeatures:
    """One profile's features before they are put in manifest order."""

    numeric: dict[str, float] = field(default_factory=dict)
    categorical: dict[str, str] = field(default_factory=dict)


# -- text measurements ------------------------------------------------------------------------


def _text_stats(prefix: str, text: str | None, out: dict[str, float]) -> None:
    """Length and character-class shares of a text; NaN-free zeros for an empty text."""
    if text is None:
        return
    n = len(text)
    out[f"{prefix}:length"] = float(n)
    if n == 0:
        return
    letters = sum(ch.isalpha() for ch in text)
    out[f"{prefix}:words"] = float(len(text.split()))
    out[f"{prefix}:digit_share"] = sum(ch.isdigit() for ch in text) / n
    out[f"{prefix}:upper_share"] = sum(ch.isupper() for ch in text) / max(1, letters)
    out[f"{prefix}:non_ascii_share"] = sum(ord(ch) > 127 for ch in text) / n
    out[f"{prefix}:symbol_share"] = (
        sum(unicodedata.category(ch)[0] in "SP" for ch in text if not ch.isspace()) / n
    )


def _handle_features(profile: Profile, out: dict[str, float]) -> None:
    """The handle's length, digits and share of digits, from its text or from the numbers a
    dataset gives instead (InstaFake: ``usernameLength``, ``usernameDigitCount``).

    The same names either way, so that what a model learns about handles from one source carries
    to the other; a handle made of a name plus a run of digits is what sign-up forms suggest.
    """
    handle = handle_of(profile)
    if handle:
        _text_stats("handle", handle, out)
        out["handle:underscores"] = float(handle.count("_"))
        if profile.name:
            out["handle:name_overlap"] = _name_handle_overlap(profile.name, handle)
        out["handle:digits"] = float(sum(ch.isdigit() for ch in handle))
        facts = handle_digit_facts(profile)
        if facts is not None:
            out["handle:unexplained_digits"] = float(facts[0])
        return
    digits = _first_number(profile, HANDLE_DIGIT_FEATURES)
    length = _first_number(profile, HANDLE_LENGTH_FEATURES)
    if digits is not None:
        out["handle:digits"] = digits
    if length is not None:
        out["handle:length"] = length
        if digits is not None and length > 0:
            out["handle:digit_share"] = min(1.0, digits / length)


def _first_number(profile: Profile, keys: Sequence[str]) -> float | None:
    for key in keys:
        value = profile.features.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value) if math.isfinite(value) else None
    return None


def _name_handle_overlap(name: str, handle: str) -> float:
    """Share of the name's letters-only words found in the handle (people use their own name)."""
    words = [w for w in re.findall(r"[^\W\d_]{3,}", name.lower())]
    if not words:
        return float("nan")
    h = handle.lower()
    return sum(w in h for w in words) / len(words)


# -- structure of the history -----------------------------------------------------------------


def _history(profile: Profile, ctx: ProfileContext, out: dict[str, float]) -> None:
    from spycatcher.signals.profile import career_span_months

    exp = profile.experience
    out["experience:count"] = float(len(exp))
    out["experience:current"] = float(sum(1 for e in exp if e.end is None))
    out["experience:companies"] = float(len({(e.company or "").strip().lower() for e in exp}))
    out["experience:undated"] = float(sum(1 for e in exp if not e.start))
    out["experience:senior_titles"] = float(sum(1 for e in exp if _SENIOR.search(e.title or "")))
    out["education:count"] = float(len(profile.education))
    out["education:degrees"] = float(sum(1 for e in profile.education if e.degree))
    out["skills:count"] = float(len(profile.skills))
    if not exp:
        return
    out["experience:span_months"] = float(career_span_months(profile, ctx.as_of))
    spells: list[tuple[int, int]] = []
    now = ctx.as_of.year * 12 + ctx.as_of.month - 1 if ctx.as_of else None
    for e in exp:
        s = partial_date_to_months(e.start)
        t = partial_date_to_months(e.end) if e.end else now
        if s is not None and t is not None:
            spells.append((s, t))
    if spells:
        out["experience:mean_tenure_months"] = float(np.mean([max(0, t - s) for s, t in spells]))
        spells.sort()
        gaps = [b[0] - a[1] for a, b in zip(spells, spells[1:], strict=False)]
        out["experience:max_gap_months"] = float(max(gaps)) if gaps else 0.0
        edu_ends = [
            m for e in profile.education if (m := partial_date_to_months(e.end)) is not None
        ]
        if edu_ends:
            out["education:end_to_first_job_months"] = float(spells[0][0] - max(edu_ends))


# -- extraction --------------------------------------------------------------------------------


def _finite(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    return None


def _context_numbers(prefix: str, data: Mapping[str, Any], out: dict[str, float]) -> None:
    """Numbers (and list lengths) from a population stage's dict; dates and text are skipped."""
    for key, value in list(data.items())[:MAX_PASS_THROUGH]:
        f = _finite(value)
        if f is not None:
            out[f"{prefix}:{key}"] = f
        elif isinstance(value, (list, tuple, set, dict)):
            out[f"{prefix}:{key}:count"] = float(len(value))


def _category_value(value: str) -> str:
    """A categorical value as kept: long values (addresses, free text) reduced to their shape."""
    v = value.strip()
    if len(v) <= MAX_CATEGORY_CHARS:
        return v
    return f"<{'url' if _URL.match(v) else 'text'} of {len(v) // 50 * 50}+ characters>"


def extract(profile: Profile, signals: Sequence[Signal], ctx: ProfileContext) -> RawFeatures:
    """Every named feature of one profile (see the module docstring)."""
    num: dict[str, float] = {}
    cat: dict[str, str] = {}

    for s in signals:
        key = f"sig:{s.name}"
        num[key] = max(num.get(key, 0.0), float(s.strength))

    counts = {k: int(v) for k, v in profile.counts.items()}
    for k, v in counts.items():
        num[f"count:{k}"] = math.log1p(v)
    ratio_keys = sorted(counts)[:MAX_RATIO_COUNTS]
    for i, a in enumerate(ratio_keys):
        for b in ratio_keys[i + 1 :]:
            num[f"ratio:{a}/{b}"] = math.log1p(counts[a]) - math.log1p(counts[b])

    age_days: float | None = None
    if profile.created_at is not None:
        num["account:created_year"] = float(profile.created_at.year)
        if ctx.as_of is not None:
            age_days = max(0.0, (ctx.as_of - profile.created_at).total_seconds() / 86400)
            num["account:age_days"] = age_days
            for k, v in counts.items():
                num[f"rate:{k}/day"] = math.log1p(v / max(age_days, 1.0))

    _text_stats("name", profile.name, num)
    _text_stats("headline", profile.headline, num)
    _text_stats("summary", profile.summary, num)
    _text_stats("location", profile.location, num)
    if profile.summary:
        num["summary:urls"] = float(len(_URL.findall(profile.summary)))
        num["summary:hashtags"] = float(profile.summary.count("#"))
        num["summary:mentions"] = float(profile.summary.count("@"))
    _handle_features(profile, num)
    bio = bio_length(profile)
    if bio is not None:
        num["bio:length"] = float(bio)

    parts = [
        profile.name,
        profile.headline,
        profile.summary,
        profile.location,
        profile.industry,
        profile.created_at,
        profile.photo,
        profile.experience,
        profile.education,
        profile.skills,
        profile.counts,
        profile.contact,
    ]
    num["profile:completeness"] = sum(1 for p in parts if p) / len(parts)
    num["profile:has_photo"] = 0.0 if profile.photo is None else 1.0
    if profile.verified is not None:
        num["profile:verified"] = float(profile.verified)
    if profile.contact is not None:
        num["contact:email"] = float(bool(profile.contact.email))
        num["contact:phone"] = float(bool(profile.contact.phone))
        num["contact:websites"] = float(len(profile.contact.websites))
    _history(profile, ctx, num)

    for key, value in list(profile.features.items())[:MAX_PASS_THROUGH]:
        if value is None:
            continue
        f = _finite(value)
        if f is not None:
            num[f"feature:{key}"] = f
        elif isinstance(value, str):
            cat[f"feature:{key}"] = _category_value(value)

    _context_numbers("behaviour", ctx.behaviour, num)
    _context_numbers("graph", ctx.graph, num)
    _context_numbers("photo", ctx.photo_analysis, num)
    _context_numbers("report", ctx.reports, num)
    num["photo:matches"] = float(len(ctx.photo_matches))
    num["intel:matches"] = float(len(ctx.intel_matches))
    num["template:fields"] = float(len(ctx.template_matches))
    if ctx.template_matches:
        num["template:max_copies"] = float(max(len(v) for v in ctx.template_matches.values()))
    num["text:sent"] = float(len(ctx.sent_texts))
    return RawFeatures(num, cat)


# -- where a feature comes from ---------------------------------------------------------------


def sources_of(name: str) -> set[str]:
    """The fields a feature is computed from, so that excluding a field drops its features."""
    kind, _, rest = name.partition(":")
    if kind == "sig":
        return {rest}
    if kind == "feature":
        key = rest.split("=", 1)[0]
        return {key, f"features.{key}"}
    if kind == "count":
        return {rest, f"counts.{rest}"}
    if kind == "ratio":
        a, _, b = rest.partition("/")
        return {a, b, f"counts.{a}", f"counts.{b}"}
    if kind == "rate":
        key = rest.split("/", 1)[0]
        return {key, f"counts.{key}", "created_at"}
    if kind == "account":
        return {"created_at"}
    if kind == "handle":
        return {"url", *HANDLE_FEATURES, *HANDLE_DIGIT_FEATURES, *HANDLE_LENGTH_FEATURES}
    if kind == "bio":
        return {"summary", "headline", *BIO_LENGTH_FEATURES}
    if kind in ("name", "headline", "summary", "location"):
        return {kind}
    if kind == "experience":
        return {"experience"}
    if kind == "education":
        return {"education"}
    if kind == "skills":
        return {"skills"}
    if kind == "contact":
        return {"contact"}
    if name == "profile:has_photo":
        return {"photo"}
    if name == "profile:verified":
        return {"verified"}
    return {kind}


def matches_any(name: str, patterns: Iterable[str]) -> bool:
    """Whether a feature is named (exactly or by glob) by a pattern or comes from a named field."""
    sources = sources_of(name)
    for pat in patterns:
        if not pat:
            continue
        if fnmatch.fnmatchcase(name, pat) or pat in sources:
            return True
        if any(fnmatch.fnmatchcase(s, pat) for s in sources if any(c in pat for c in "*?[")):
            return True
    return False


# -- the manifest ------------------------------------------------------------------------------


@dataclass
class Manifest:
    """The columns of a model, in order, and the categorical values it knows.

    ``defaults[i]`` is column ``i``'s value when a profile does not have it (0 for signals, NaN
    for anything unknown); ``categories[key]`` the kept values of a categorical feature, whose
    columns are ``key=value`` plus ``key=<other>``.
    """

    columns: list[str]
    defaults: list[float]
    categories: dict[str, list[str]] = field(default_factory=dict)
    version: int = MANIFEST_VERSION

    def __post_init__(self) -> None:
        if len(self.columns) != len(self.defaults):
            raise ValueError("manifest columns and defaults differ in length")
        if len(set(self.columns)) != len(self.columns):
            raise ValueError("manifest has duplicate columns")
        self._index = {c: i for i, c in enumerate(self.columns)}
        self._default = np.asarray(self.defaults, dtype=np.float64)
        self._cat_cols: dict[str, tuple[list[int], dict[str, int], int | None]] = {}
        for key, values in self.categories.items():
            idx = {v: self._index[f"{key}={v}"] for v in values if f"{key}={v}" in self._index}
            other = self._index.get(f"{key}={OTHER}")
            all_cols = sorted(set(idx.values()) | ({other} if other is not None else set()))
            self._cat_cols[key] = (all_cols, idx, other)

    def __len__(self) -> int:
        return len(self.columns)

    def vector(self, raw: RawFeatures) -> np.ndarray:
        """The raw features of one profile as this manifest's vector (float64)."""
        x = self._default.copy()
        for k, v in raw.numeric.items():
            i = self._index.get(k)
            if i is not None:
                x[i] = v
        for key, value in raw.categorical.items():
            spec = self._cat_cols.get(key)
            if spec is None:
                continue
            cols, idx, other = spec
            x[cols] = 0.0
            j = idx.get(value, other)
            if j is not None:
                x[j] = 1.0
        return x

    def matrix(self, rows: Iterable[RawFeatures]) -> np.ndarray:
        vectors = [self.vector(r) for r in rows]
        return np.vstack(vectors) if vectors else np.empty((0, len(self)))

    def without(self, patterns: Sequence[str]) -> Manifest:
        """The same manifest minus the columns that ``patterns`` name (see :func:`matches_any`)."""
        keep = [i for i, c in enumerate(self.columns) if not matches_any(c, patterns)]
        cols = [self.columns[i] for i in keep]
        kept = set(cols)
        cats = {
            k: [v for v in vals if f"{k}={v}" in kept]
            for k, vals in self.categories.items()
            if any(c.startswith(k + "=") for c in kept)
        }
        return Manifest(cols, [self.defaults[i] for i in keep], cats)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "columns": self.columns,
            # JSON has no NaN: absent-is-unknown is written as null
            "defaults": [None if math.isnan(d) else d for d in self.defaults],
            "categories": self.categories,
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """Parse a manifest written by :meth:`to_json`, checking every type on the way."""
        if not isinstance(data, dict):
            raise ValueError("manifest: expected an object")
        if data.get("version") != MANIFEST_VERSION:
            raise ValueError(f"manifest: unsupported version {data.get('version')!r}")
        cols, defaults, cats = data.get("columns"), data.get("defaults"), data.get("categories")
        if not isinstance(cols, list) or not all(isinstance(c, str) for c in cols):
            raise ValueError("manifest: columns must be a list of strings")
        if not isinstance(defaults, list) or not all(
            d is None or (isinstance(d, (int, float)) and not isinstance(d, bool)) for d in defaults
        ):
            raise ValueError("manifest: defaults must be numbers or null")
        if not isinstance(cats, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
            for k, v in cats.items()
        ):
            raise ValueError("manifest: categories must map names to lists of strings")
        return cls(
            list(cols), [float("nan") if d is None else float(d) for d in defaults], dict(cats)
        )


class FeatureTable:
    """Raw features of many profiles, kept compactly until the manifest is known.

    Rows are stored as arrays of (column id, value) against a shared vocabulary rather than as
    dicts, so collecting a large training set costs bytes per feature, not a dict per profile.
    """

    def __init__(self) -> None:
        self._vocab: dict[str, int] = {}
        self._names: list[str] = []
        self._ids: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []
        self._cats: list[dict[str, str]] = []
        self.category_counts: dict[str, Counter[str]] = {}
        self.present: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, raw: RawFeatures) -> None:
        ids = np.empty(len(raw.numeric), dtype=np.int32)
        vals = np.empty(len(raw.numeric), dtype=np.float64)
        for j, (k, v) in enumerate(raw.numeric.items()):
            i = self._vocab.get(k)
            if i is None:
                i = self._vocab[k] = len(self._names)
                self._names.append(k)
            ids[j] = i
            vals[j] = v
            if not math.isnan(v):
                self.present[k] += 1
        self._ids.append(ids)
        self._vals.append(vals)
        self._cats.append(dict(raw.categorical))
        for key, value in raw.categorical.items():
            self.category_counts.setdefault(key, Counter())[value] += 1

    def replace(self, i: int, raw: RawFeatures) -> None:
        """Put new features in row ``i`` (a profile re-scored with its campaign's evidence)."""
        for key, value in self._cats[i].items():
            self.category_counts[key][value] -= 1
        names = self._names
        for c, v in zip(self._ids[i], self._vals[i], strict=True):
            if not math.isnan(v):
                self.present[names[int(c)]] -= 1
        self.add(raw)
        self._ids[i] = self._ids.pop()
        self._vals[i] = self._vals.pop()
        self._cats[i] = self._cats.pop()

    def subset(self, indices: Iterable[int]) -> FeatureTable:
        """The table of some rows (sharing their arrays), e.g. the training side of a fold."""
        sub = FeatureTable()
        sub._vocab = self._vocab
        sub._names = self._names
        for i in indices:
            i = int(i)
            sub._ids.append(self._ids[i])
            sub._vals.append(self._vals[i])
            sub._cats.append(self._cats[i])
            for c, v in zip(self._ids[i], self._vals[i], strict=True):
                if not math.isnan(v):
                    sub.present[self._names[int(c)]] += 1
            for key, value in self._cats[i].items():
                sub.category_counts.setdefault(key, Counter())[value] += 1
        return sub

    def row(self, i: int) -> RawFeatures:
        names = self._names
        num = {names[int(c)]: float(v) for c, v in zip(self._ids[i], self._vals[i], strict=True)}
        return RawFeatures(num, dict(self._cats[i]))

    def rows(self, indices: Iterable[int] | None = None) -> Iterable[RawFeatures]:
        for i in range(len(self)) if indices is None else indices:
            yield self.row(int(i))

    def build_manifest(self, exclude: Sequence[str] = ()) -> Manifest:
        """Columns for a model trained on these rows.

        A numeric column is kept when it is known for at least two rows and is not constant;
        a categorical keeps its common values (see MIN_CATEGORY_COUNT) and an ``<other>`` column.
        Columns named by ``exclude`` are left out.
        """
        n = len(self)
        columns: list[str] = []
        defaults: list[float] = []
        if n:
            values: dict[int, set[float]] = {}
            for ids, vals in zip(self._ids, self._vals, strict=True):
                for c, v in zip(ids, vals, strict=True):
                    s = values.setdefault(int(c), set())
                    if len(s) < 3 and not math.isnan(v):
                        s.add(float(v))
            for i, name in enumerate(self._names):
                is_signal = name.startswith("sig:")
                distinct = values.get(i, set())
                if is_signal:
                    # absent signals are 0, so one distinct non-zero strength is informative
                    informative = bool(distinct - {0.0})
                else:
                    informative = self.present[name] >= 2 and (
                        len(distinct) >= 2 or self.present[name] < n
                    )
                if informative and not matches_any(name, exclude):
                    columns.append(name)
                    defaults.append(0.0 if is_signal else float("nan"))
        min_count = max(MIN_CATEGORY_COUNT, math.ceil(MIN_CATEGORY_SHARE * n))
        categories: dict[str, list[str]] = {}
        for key in sorted(self.category_counts):
            counter = self.category_counts[key]
            kept = [v for v, c in counter.most_common(MAX_CATEGORIES) if c >= min_count]
            names = [f"{key}={v}" for v in kept] + [f"{key}={OTHER}"]
            names = [c for c in names if not matches_any(c, exclude)]
            if len(names) < 2 and not (names and sum(counter.values()) < n):
                continue  # one column that is always 1 says nothing
            categories[key] = [c.split("=", 1)[1] for c in names if not c.endswith(OTHER)]
            columns.extend(names)
            defaults.extend([float("nan")] * len(names))
        order = sorted(range(len(columns)), key=lambda j: columns[j])
        return Manifest([columns[j] for j in order], [defaults[j] for j in order], categories)
