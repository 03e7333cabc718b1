"""Matching intelligence indicators against profiles.

An indicator's compiled pattern (see :mod:`spycatcher.intel.patterns`) is evaluated against the
facts a profile shows: its id and LinkedIn handle, platform, name, profile URL, listed websites,
contact email and its domain, and its photo's SHA-256 and PDQ hash. Every value on both sides is
normalised first (case, ``www.``, scheme, trailing slashes, locale subdomains and query strings of
LinkedIn URLs through :func:`spycatcher.io.linkedin_export.normalise_profile_url`), so that
``https://uk.linkedin.com/in/Rachel-Li-HR/?trk=x`` and ``linkedin.com/in/rachel-li-hr`` are one
account.

Each comparison yields a degree of truth in 0..1 and the *kind* of evidence it is: exact facts
(account, URL, email, SHA-256) are 0 or 1; a PDQ hash is 1 at distance 0 falling to 0.5 at the
match threshold; a display name is its fuzzy similarity, and only ever a weak ``name`` kind. AND
takes the weakest operand and the most identifying kind among its operands; OR takes the best
branch. An indicator that only says ``account_type = 'linkedin'`` identifies no one and matches
nothing.

Two matchers share one answer, following python-threatexchange's pattern: :meth:`IntelIndex.
match_reference` evaluates every indicator against the profile (plainly correct), and
:meth:`IntelIndex.match` first looks up candidate indicators by the exact values they require
(an inverted index) and by PDQ distance (a vectorised Hamming scan), then evaluates only those
plus the few indicators that cannot be indexed (fuzzy names, negations, LIKE). Tests check they
agree.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np

from spycatcher.intel.markings import Marking
from spycatcher.schema import Profile

#: PDQ distance (bits) at or below which two photos are the same picture (Meta's default)
PDQ_THRESHOLD = 31
#: display-name similarity (0..1, token-sorted) at or above which a name counts as a weak match
NAME_THRESHOLD = 0.85
#: kinds of evidence, most identifying first
KIND_RANK: dict[str, int] = {
    "account": 0,
    "url": 1,
    "email": 2,
    "photo": 3,
    "website": 4,
    "email_domain": 5,
    "name": 6,
}
#: the photo hash bank's limit on the length of an entry's source
BANK_SOURCE_MAX = 200
#: facets whose "=" / IN comparisons can be looked up exactly
_EXACT = frozenset({"account_id", "account_login", "url", "email", "domain", "sha256", "photo_url"})


# -- normalisation ---------------------------------------------------------------------------


def _linkedin_key(url: str | None) -> str | None:
    from spycatcher.io.linkedin_export import normalise_profile_url

    return normalise_profile_url(url)


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def url_key(url: str | None) -> str | None:
    """A comparable form of any URL: LinkedIn profiles canonically, others as host + path.

    ``HTTPS://www.RiseHR.example/about/`` -> ``risehr.example/about``.
    """
    if not url or not isinstance(url, str):
        return None
    text = url.strip()
    if not text or len(text) > 2_000:
        return None
    li = _linkedin_key(text)
    if li:
        return li
    if not _SCHEME.match(text):
        text = "https://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    host = host.removeprefix("www.")
    path = unquote(parts.path).rstrip("/").lower()
    key = host + path
    if parts.query:
        key += "?" + parts.query
    return key


def host_of(url: str | None) -> str | None:
    key = url_key(url)
    if not key:
        return None
    return key.split("/", 1)[0].split("?", 1)[0] or None


def domain_key(value: str | None) -> str | None:
    """``*.RiseHR.example.`` / ``www.risehr.example`` -> ``risehr.example``."""
    if not value or not isinstance(value, str):
        return None
    d = value.strip().lower().rstrip(".").removeprefix("*.").removeprefix("www.")
    if not d or len(d) > 300 or "/" in d or " " in d:
        return None
    try:
        return d.encode("idna").decode("ascii")
    except UnicodeError:
        return d


def parent_domains(host: str) -> list[str]:
    """``a.b.example.com`` -> [a.b.example.com, b.example.com, example.com] (no bare TLD)."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(max(1, len(labels) - 1))]


def handle_from_key(key: str | None) -> str | None:
    """The vanity handle of a canonical LinkedIn profile key (``linkedin.com/in/<handle>``)."""
    if key and key.startswith("linkedin.com/in/"):
        return key[len("linkedin.com/in/") :] or None
    return None


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Laëticia  CHEN' -> 'laeticia chen'."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return " ".join(t.casefold().split())


_NON_WORD = re.compile(r"[^\w\s]+", re.UNICODE)


@lru_cache(maxsize=65_536)
def name_key(name: str | None) -> str:
    """Folded, punctuation-free, token-sorted name: 'Li, Rachel (PhD)' -> 'li phd rachel'."""
    if not name:
        return ""
    return " ".join(sorted(_NON_WORD.sub(" ", fold(name)).split()))


def name_similarity(a: str, b: str) -> float:
    """Similarity of two name keys (difflib ratio, 0..1); cheap upper bounds first."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if sm.real_quick_ratio() < NAME_THRESHOLD or sm.quick_ratio() < NAME_THRESHOLD:
        return 0.0
    return sm.ratio()


def like(pattern: str, text: str) -> bool:
    """SQL LIKE ('%' any run, '_' one character), case-insensitive, in O(len(p) * len(t)).

    Written out rather than translated to a regular expression so that a hostile pattern of many
    '%' cannot make matching take exponential time.
    """
    p, t = pattern.casefold(), text.casefold()
    pi = ti = 0
    star_p, star_t = -1, 0
    while ti < len(t):
        if pi < len(p) and (p[pi] == "_" or (p[pi] != "%" and p[pi] == t[ti])):
            pi += 1
            ti += 1
        elif pi < len(p) and p[pi] == "%":
            star_p, star_t = pi, ti
            pi += 1
        elif star_p >= 0:
            pi = star_p + 1
            star_t += 1
            ti = star_t
        else:
            return False
    while pi < len(p) and p[pi] == "%":
        pi += 1
    return pi == len(p)


def pdq_bytes(value: str | None) -> bytes | None:
    if not value or not isinstance(value, str):
        return None
    v = value.strip()
    if len(v) != 64:
        return None
    try:
        return bytes.fromhex(v)
    except ValueError:
        return None


def hamming(a: bytes, b: bytes) -> int:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


def bank_source(channel: str, indicator_id: str) -> str:
    """The hash-bank ``source`` of a PDQ indicator: the channel it came by, then its STIX id.

    The id comes last and is never cut, so the intelligence stage can tell which indicator a
    bank match is about (:func:`indicator_of_bank_source`).
    """
    room = BANK_SOURCE_MAX - len(indicator_id) - 1
    return f"{channel[:room]} {indicator_id}" if room > 0 else indicator_id[:BANK_SOURCE_MAX]


def indicator_of_bank_source(source: str) -> str | None:
    last = source.rsplit(" ", 1)[-1]
    return last if last.startswith("indicator--") else None


# -- profile facts ---------------------------------------------------------------------------


@dataclass
class ProfileFacts:
    """What an indicator can be compared with, normalised once per profile."""

    accounts: set[str] = field(default_factory=set)
    platform: str = ""
    name: str = ""
    name_key: str = ""
    profile_urls: set[str] = field(default_factory=set)
    websites: set[str] = field(default_factory=set)
    website_hosts: set[str] = field(default_factory=set)
    email: str | None = None
    email_domain: str | None = None
    sha256: str | None = None
    pdq: bytes | None = None
    photo_urls: set[str] = field(default_factory=set)
    #: raw forms for LIKE comparisons, per facet
    raw: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_profile(cls, p: Profile, pdq: str | None = None) -> ProfileFacts:
        f = cls()
        f.platform = (p.platform or "").strip().lower()
        f.name = p.name or ""
        f.name_key = name_key(p.name)
        f.accounts.add(p.id.strip().lower())
        raw_urls: list[str] = []
        for candidate in (p.url, p.id):
            key = _linkedin_key(candidate) if candidate else None
            if key:
                f.profile_urls.add(key)
                handle = handle_from_key(key)
                if handle:
                    f.accounts.add(handle)
        if p.url:
            raw_urls.append(p.url.strip().lower())
            key = url_key(p.url)
            if key:
                f.profile_urls.add(key)
        if p.contact:
            if p.contact.email and "@" in p.contact.email:
                f.email = p.contact.email.strip().lower()
                f.email_domain = domain_key(f.email.rsplit("@", 1)[1])
            for w in p.contact.websites:
                k = url_key(w)
                if k:
                    f.websites.add(k)
                    raw_urls.append(w.strip().lower())
                    h = k.split("/", 1)[0].split("?", 1)[0]
                    f.website_hosts.add(h)
        if p.photo:
            if p.photo.sha256:
                f.sha256 = p.photo.sha256.lower()
            if p.photo.url:
                k = url_key(p.photo.url)
                if k:
                    f.photo_urls.add(k)
        f.pdq = pdq_bytes(p.photo.pdq if p.photo and p.photo.pdq else pdq)
        f.raw = {
            "account": sorted(f.accounts),
            "url": raw_urls + sorted(f.profile_urls | f.websites),
            "email": [f.email] if f.email else [],
            "domain": [d for d in [f.email_domain, *sorted(f.website_hosts)] if d],
            "name": [fold(f.name)] if f.name else [],
            "photo_url": sorted(f.photo_urls),
        }
        return f

    def keys(self) -> set[tuple[str, str]]:
        """Exact lookup keys this profile answers to (see :func:`_anchors`)."""
        out: set[tuple[str, str]] = {("account", a) for a in self.accounts}
        out |= {("url", u) for u in self.profile_urls | self.websites}
        if self.email:
            out.add(("email", self.email))
        for host in [self.email_domain, *self.website_hosts]:
            if host:
                out |= {("domain", d) for d in parent_domains(host)}
        if self.sha256:
            out.add(("sha256", self.sha256))
        out |= {("photo_url", u) for u in self.photo_urls}
        return out


# -- evaluation ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """A satisfied expression: how true (0..1), what kind of evidence, what matched."""

    degree: float
    kind: str | None
    value: str = ""
    distance: int | None = None


def _better_kind(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if KIND_RANK[a] <= KIND_RANK[b] else b


def _domain_hit(value: str, facts: ProfileFacts) -> Hit | None:
    d = domain_key(value)
    if not d:
        return None
    if facts.email_domain and d in parent_domains(facts.email_domain):
        return Hit(1.0, "email_domain", facts.email_domain)
    for h in sorted(facts.website_hosts):
        if d in parent_domains(h):
            return Hit(1.0, "website", h)
    return None


def _exact_hit(facet: str, value: str, facts: ProfileFacts) -> Hit | None:
    if facet in ("account_id", "account_login"):
        v = value.strip().lower()
        key = _linkedin_key(v)
        handle = handle_from_key(key) if key else None
        for cand in (v, handle):
            if cand and cand in facts.accounts:
                return Hit(1.0, "account", cand)
        return None
    if facet == "url":
        k = url_key(value)
        if not k:
            return None
        if k in facts.profile_urls:
            return Hit(1.0, "url", k)
        if k in facts.websites:
            return Hit(1.0, "website", k)
        return None
    if facet == "email":
        v = value.strip().lower()
        return Hit(1.0, "email", v) if facts.email and v == facts.email else None
    if facet == "domain":
        return _domain_hit(value, facts)
    if facet == "sha256":
        v = value.strip().lower()
        return Hit(1.0, "photo", v) if facts.sha256 and v == facts.sha256 else None
    if facet == "photo_url":
        k = url_key(value)
        return Hit(1.0, "photo", k) if k and k in facts.photo_urls else None
    if facet == "platform":
        return Hit(1.0, None, value) if value.strip().lower() == facts.platform else None
    if facet == "name":
        sim = name_similarity(name_key(value), facts.name_key)
        return Hit(sim, "name", facts.name) if sim >= NAME_THRESHOLD else None
    if facet == "pdq":
        q = pdq_bytes(value)
        if q is None or facts.pdq is None:
            return None
        d = hamming(q, facts.pdq)
        if d > PDQ_THRESHOLD:
            return None
        return Hit(1.0 - 0.5 * d / PDQ_THRESHOLD, "photo", value.lower(), d)
    return None


_LIKE_RAW = {
    "account_id": "account",
    "account_login": "account",
    "url": "url",
    "email": "email",
    "domain": "domain",
    "name": "name",
    "photo_url": "photo_url",
    "platform": "platform",
}
_LIKE_KIND = {
    "account": "account",
    "url": "url",
    "email": "email",
    "domain": "email_domain",
    "name": "name",
    "photo_url": "photo",
    "platform": None,
}


def _like_hit(facet: str, pattern: str, facts: ProfileFacts) -> Hit | None:
    raw_key = _LIKE_RAW.get(facet)
    if raw_key is None or len(pattern) > 1_000:
        return None
    cands = [facts.platform] if raw_key == "platform" else facts.raw.get(raw_key, [])
    for c in cands:
        if c and len(c) <= 2_000 and like(pattern, c):
            return Hit(1.0, _LIKE_KIND[raw_key], c)
    return None


def _comparison(node: dict[str, Any], facts: ProfileFacts) -> Hit | None:
    facet = node.get("facet")
    if not facet:
        return None  # about something a profile does not have (an IP address, a process...)
    op = node.get("cmp")
    hit: Hit | None = None
    for v in node.get("values", ()):
        h = _like_hit(facet, v, facts) if op == "LIKE" else _exact_hit(facet, v, facts)
        if h is not None and (hit is None or h.degree > hit.degree):
            hit = h
    if node.get("neg"):
        # "NOT =" is true when the value is absent; it identifies no one on its own
        return None if hit is not None and hit.degree >= 1.0 else Hit(1.0, None)
    return hit


def evaluate(node: dict[str, Any], facts: ProfileFacts) -> Hit | None:
    """How far a compiled pattern tree holds for a profile (None: it does not)."""
    if "cmp" in node:
        return _comparison(node, facts)
    if "and" in node:
        hits: list[Hit] = []
        for child in node["and"]:
            h = evaluate(child, facts)
            if h is None or h.degree <= 0:
                return None
            hits.append(h)
        if not hits:
            return None
        kind: str | None = None
        for h in hits:
            kind = _better_kind(kind, h.kind)
        lead = next((h for h in hits if h.kind == kind), hits[0])
        return Hit(min(h.degree for h in hits), kind, lead.value, lead.distance)
    if "or" in node:
        best: Hit | None = None
        for child in node["or"]:
            h = evaluate(child, facts)
            if h is None or h.degree <= 0:
                continue
            if (
                best is None
                or h.degree > best.degree
                or (h.degree == best.degree and _better_kind(h.kind, best.kind) == h.kind)
            ):
                best = h
        return best
    return None


# -- indicators and the index ----------------------------------------------------------------


@dataclass
class CompiledIndicator:
    """An indicator ready to match: its pattern tree plus who says so and how it is marked."""

    id: str
    tree: dict[str, Any]
    name: str = ""
    source: str = ""
    producer: str | None = None
    actors: list[dict[str, str]] = field(default_factory=list)
    marking: Marking = field(default_factory=Marking)
    confidence: int | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    sightings: int = 0

    def active(self, now: datetime | None) -> bool:
        """Not withdrawn: ``valid_until`` has not passed at ``now`` (wall-clock time).

        ``valid_from`` is not checked: an indicator published in March about an account still
        identifies that account in February's data; only the partner's expiry retires it.
        """
        return now is None or self.valid_until is None or self.valid_until > now

    @property
    def actor_label(self) -> str:
        return ", ".join(a["name"] for a in self.actors) if self.actors else ""

    def strength(self, degree: float) -> float:
        """A partner's stated confidence (0-100) scales a match down to at most half."""
        if self.confidence is None:
            return degree
        return degree * (0.5 + 0.5 * max(0, min(100, self.confidence)) / 100)


def _anchors(node: dict[str, Any]) -> set[tuple[str, str]] | None:
    """Exact keys one of which a profile must have for ``node`` to hold (None: cannot tell)."""
    if "cmp" in node:
        facet = node.get("facet")
        if node.get("neg") or node.get("cmp") not in ("=", "IN"):
            return None
        if facet == "pdq":
            vals = {pdq_bytes(v) for v in node["values"]}
            if None in vals:
                return None
            return {("pdq", v.lower()) for v in node["values"]}
        if facet == "name":
            keys = {name_key(v) for v in node["values"]}
            return None if "" in keys else {("name", k) for k in keys}
        if facet not in _EXACT:
            return None
        out: set[tuple[str, str]] = set()
        for v in node["values"]:
            if facet in ("account_id", "account_login"):
                s = v.strip().lower()
                out.add(("account", s))
                handle = handle_from_key(_linkedin_key(s))
                if handle:
                    out.add(("account", handle))
            elif facet in ("url", "photo_url"):
                k = url_key(v)
                if k:
                    out.add((facet, k))
            elif facet == "domain":
                d = domain_key(v)
                if d:
                    out.add(("domain", d))
            else:
                out.add((facet, v.strip().lower()))
        return out
    if "and" in node:
        best: set[tuple[str, str]] | None = None
        for child in node["and"]:
            a = _anchors(child)
            if a is not None and (best is None or len(a) < len(best)):
                best = a
        return best
    if "or" in node:
        union: set[tuple[str, str]] = set()
        for child in node["or"]:
            a = _anchors(child)
            if a is None:
                return None
            union |= a
        return union
    return None


def _char_counts(text: str) -> np.ndarray:
    """How often each character occurs, folded into 64 buckets (a bound for difflib)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) % 64
    return np.bincount(codes, minlength=64).astype(np.uint16)


class IntelIndex:
    """Indicators indexed for matching many profiles; see the module docstring."""

    def __init__(self, indicators: Sequence[CompiledIndicator], now: datetime | None = None):
        self.indicators = [i for i in indicators if i.active(now)]
        self.by_id = {ind.id: n for n, ind in enumerate(self.indicators)}
        self.by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.unanchored: list[int] = []
        pdq_values: list[bytes] = []
        self.pdq_keys: list[str] = []
        for n, ind in enumerate(self.indicators):
            anchors = _anchors(ind.tree)
            if anchors is None:
                self.unanchored.append(n)
                continue
            for key in anchors:
                self.by_key[key].append(n)
                if key[0] == "pdq" and key[1] not in self.pdq_keys:
                    self.pdq_keys.append(key[1])
                    pdq_values.append(bytes.fromhex(key[1]))
        self._pdq = (
            np.frombuffer(b"".join(pdq_values), dtype=np.uint64).reshape(-1, 4)
            if pdq_values
            else None
        )
        self.name_keys = sorted({k for kind, k in self.by_key if kind == "name"})
        self._name_counts = (
            np.stack([_char_counts(k) for k in self.name_keys]) if (self.name_keys) else None
        )
        self._name_lens = np.array([len(k) for k in self.name_keys], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.indicators)

    def _pdq_keys_near(self, h: bytes) -> list[tuple[str, str]]:
        if self._pdq is None:
            return []
        q = np.frombuffer(h, dtype=np.uint64)
        d = np.bitwise_count(np.bitwise_xor(self._pdq, q)).sum(axis=1)
        return [("pdq", self.pdq_keys[int(i)]) for i in np.flatnonzero(d <= PDQ_THRESHOLD)]

    def _name_keys_near(self, key: str) -> list[tuple[str, str]]:
        """Indicator names that *may* reach the similarity threshold with ``key``.

        difflib's ratio is 2M / (len a + len b) with M at most the number of characters the two
        strings share (its ``quick_ratio`` bound); counting characters in 64 buckets can only
        raise that count, so the filter never drops a true match and the exact ratio decides.
        """
        if self._name_counts is None or not key:
            return []
        shared = np.minimum(self._name_counts, _char_counts(key)).sum(axis=1)
        ok = 2 * shared >= NAME_THRESHOLD * (self._name_lens + len(key))
        return [("name", self.name_keys[int(i)]) for i in np.flatnonzero(ok)]

    def candidates(self, facts: ProfileFacts) -> list[int]:
        found: set[int] = set(self.unanchored)
        keys: Iterable[tuple[str, str]] = facts.keys()
        if facts.pdq is not None:
            keys = [*keys, *self._pdq_keys_near(facts.pdq)]
        if facts.name_key:
            keys = [*keys, *self._name_keys_near(facts.name_key)]
        for key in keys:
            found.update(self.by_key.get(key, ()))
        return sorted(found)

    def _matches(
        self,
        facts: ProfileFacts,
        which: Iterable[int],
        bank_matches: Sequence[dict[str, Any]] = (),
    ) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for n in which:
            ind = self.indicators[n]
            hit = evaluate(ind.tree, facts)
            if hit is None or hit.kind is None or hit.degree <= 0:
                continue
            found[ind.id] = match_record(ind, hit)
        for bm in bank_matches:
            rec = self._from_bank(bm)
            if rec is not None:
                old = found.get(rec["indicator"])
                if old is None or old["strength"] < rec["strength"]:
                    found[rec["indicator"]] = rec
        out = list(found.values())
        out.sort(key=lambda m: (-m["strength"], KIND_RANK[m["kind"]], m["indicator"]))
        return out

    def _from_bank(self, bm: dict[str, Any]) -> dict[str, Any] | None:
        """A photo-stage match against the hash bank that is one of these indicators' photos."""
        if bm.get("kind") != "bank":
            return None
        sid = indicator_of_bank_source(str(bm.get("source") or bm.get("ref") or ""))
        n = self.by_id.get(sid or "")
        d = bm.get("distance")
        if n is None or not isinstance(d, int) or not 0 <= d <= PDQ_THRESHOLD:
            return None
        return match_record(self.indicators[n], Hit(1.0 - 0.5 * d / PDQ_THRESHOLD, "photo", "", d))

    def match(
        self, facts: ProfileFacts, bank_matches: Sequence[dict[str, Any]] = ()
    ) -> list[dict[str, Any]]:
        """Matches for one profile, strongest first (the indexed path).

        ``bank_matches`` are the photo stage's matches against the hash bank
        (``ctx.photo_matches``): the photo stage also tries a photo's rotations and mirror
        images, so a PDQ indicator it found counts even when the plain hash is too far.
        """
        return self._matches(facts, self.candidates(facts), bank_matches)

    def match_reference(
        self, facts: ProfileFacts, bank_matches: Sequence[dict[str, Any]] = ()
    ) -> list[dict[str, Any]]:
        """The same answer by evaluating every indicator (the reference the index must equal)."""
        return self._matches(facts, range(len(self.indicators)), bank_matches)


def match_record(ind: CompiledIndicator, hit: Hit) -> dict[str, Any]:
    """One entry of ``ProfileContext.intel_matches``."""
    rec: dict[str, Any] = {
        "indicator": ind.id,
        "name": ind.name,
        "source": ind.producer or ind.source,
        "channel": ind.source,
        "actor": ind.actor_label,
        "actor_refs": [a["id"] for a in ind.actors],
        "marking": ind.marking.label,
        "marking_refs": list(ind.marking.refs),
        "kind": hit.kind,
        "strength": round(ind.strength(hit.degree), 4),
        "value": hit.value,
    }
    if hit.distance is not None:
        rec["distance"] = hit.distance
    if ind.sightings:
        rec["sightings"] = ind.sightings
    if ind.marking.statements:
        rec["statements"] = list(ind.marking.statements)
    return rec
