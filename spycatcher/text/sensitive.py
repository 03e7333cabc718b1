"""Which employers and headlines belong to sensitive organisations and sectors.

Hostile services approach people for what they can reach: officials, parliamentary staff, the
military and defence industry, diplomats, nuclear, aerospace, pharma, telecoms, energy and other
critical infrastructure, and universities doing sensitive research. Whether an account's
invitations go disproportionately to such people is one of the clearest behavioural signs, so the
behaviour stage needs, for each profile, "is this person at a sensitive organisation, which sector,
which organisation". The list is configuration (``sensitive_orgs.toml`` beside this module, or a
user's own file), not code, because every country and organisation draws it differently.

Matching runs on normalised text (see :mod:`spycatcher.text.normalize`) with whole-word regular
expressions, and results are cached per distinct string: a million profiles share far fewer
employers and headlines.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from spycatcher.schema import Profile
from spycatcher.text.normalize import normalize

MAX_CONFIG_BYTES = 1_000_000
#: distinct strings remembered per matcher (employer names and headlines repeat a lot)
CACHE_SIZE = 262_144

_LEGAL_SUFFIX = re.compile(
    r"\b(?:ltd|limited|plc|inc|incorporated|llc|llp|gmbh|ag|sa|sas|bv|nv|co|corp|corporation|"
    r"company|group|holdings?)\b\.?"
)
_NON_WORD = re.compile(r"[^a-z0-9&]+")


@dataclass(frozen=True, slots=True)
class Sector:
    name: str
    title: str
    pattern: re.Pattern[str]
    requires: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class SensitiveMatch:
    """A profile's link to a sensitive organisation: its sectors and the organisation's name."""

    sectors: tuple[str, ...]
    org: str
    org_key: str


def org_key(name: str) -> str:
    """A key under which spellings of one name meet ("BAE Systems plc" -> "bae systems")."""
    text = normalize(name).text
    text = _LEGAL_SUFFIX.sub(" ", text)
    return " ".join(_NON_WORD.sub(" ", text).split())[:200]


def _words_regex(items: list[str]) -> re.Pattern[str] | None:
    if not items:
        return None
    alternatives = "|".join(f"(?:{p})" for p in items)
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


class SensitiveOrgs:
    """The sector list, with cached matching of employer names and headlines."""

    def __init__(self, sectors: list[Sector], exclude: re.Pattern[str] | None = None):
        self.sectors = sectors
        self.exclude = exclude
        self.titles = {s.name: s.title for s in sectors}
        self._match_text = lru_cache(maxsize=CACHE_SIZE)(self._match_text_uncached)
        self._conditional_base = lru_cache(maxsize=CACHE_SIZE)(self._conditional_base_uncached)

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    def from_toml(cls, text: str, source: str = "<sensitive config>") -> SensitiveOrgs:
        data = tomllib.loads(text)
        sectors_data = data.get("sectors")
        if not isinstance(sectors_data, dict) or not sectors_data:
            raise ValueError(f"{source}: no [sectors.NAME] tables")
        sectors: list[Sector] = []
        for name, spec in sectors_data.items():
            pats = [str(p) for p in spec.get("patterns", [])]
            try:
                rx = _words_regex(pats)
                req = _words_regex([str(p) for p in spec.get("requires", [])])
            except re.error as exc:
                raise ValueError(f"{source}: sector {name}: bad regular expression: {exc}") from exc
            if rx is None:
                raise ValueError(f"{source}: sector {name}: no patterns")
            sectors.append(Sector(str(name), str(spec.get("title", name)), rx, req))
        try:
            exclude = _words_regex([str(p) for p in data.get("exclude", [])])
        except re.error as exc:
            raise ValueError(f"{source}: exclude: bad regular expression: {exc}") from exc
        return cls(sectors, exclude)

    @classmethod
    def load(cls, path: str | Path | None = None) -> SensitiveOrgs:
        """The built-in list, or a user's TOML file in the same format."""
        if path is None:
            return _default()
        p = Path(path)
        if p.stat().st_size > MAX_CONFIG_BYTES:
            raise ValueError(f"{p}: sensitive-organisation config larger than {MAX_CONFIG_BYTES}")
        return cls.from_toml(p.read_text(encoding="utf-8"), str(p))

    # -- matching ----------------------------------------------------------------------------
    def _prepare(self, text: str) -> str:
        folded = normalize(text[:2000]).text
        if self.exclude is not None:
            folded = self.exclude.sub(" ", folded)
        return folded

    def _match_text_uncached(self, text: str) -> tuple[str, ...]:
        folded = self._prepare(text)
        return tuple(
            s.name for s in self.sectors if s.requires is None and s.pattern.search(folded)
        )

    def match_text(self, text: str | None) -> tuple[str, ...]:
        """Sectors an employer name or headline belongs to (sectors with ``requires`` excluded)."""
        if not text:
            return ()
        return self._match_text(text)

    def _conditional_base_uncached(self, text: str) -> tuple[Sector, ...]:
        folded = self._prepare(text)
        return tuple(s for s in self.sectors if s.requires is not None and s.pattern.search(folded))

    def _conditional(self, text: str, context: str) -> tuple[str, ...]:
        """Sectors that need corroboration (universities: only for sensitive research)."""
        candidates = self._conditional_base(text)
        if not candidates:
            return ()
        ctx_folded = self._prepare(context)
        return tuple(
            s.name for s in candidates if s.requires is not None and s.requires.search(ctx_folded)
        )

    def classify(self, profile: Profile) -> SensitiveMatch | None:
        """Is this person at a sensitive organisation? Current employers first; the headline only
        when no current employer is named (it mostly restates the employer, and matching every
        headline of a million profiles would cost more than the rest of the stage)."""
        current = profile.current_positions()
        headline = profile.headline or ""
        named = False
        for pos in current:
            if not pos.company:
                continue
            named = True
            sectors = self.match_text(pos.company)
            if not sectors:
                context = f"{pos.company} | {pos.title or ''} | {headline}"
                sectors = self._conditional(pos.company, context)
            if sectors:
                return SensitiveMatch(sectors, pos.company, org_key(pos.company))
        if headline and not named:
            sectors = self.match_text(headline)
            if not sectors:
                sectors = self._conditional(headline, headline)
            if sectors:
                org = _org_from_headline(headline, current[0].company if current else None)
                return SensitiveMatch(sectors, org, org_key(org))
        return None


_AT = re.compile(r"\s(?:at|@|bei|chez|en)\s+(.+)$|[,|]\s*([^,|]+)$", re.IGNORECASE)


def _org_from_headline(headline: str, employer: str | None) -> str:
    """Best guess of the organisation a headline names: "Policy Adviser at FCDO" -> "FCDO"."""
    if employer:
        return employer
    m = _AT.search(headline)
    if m:
        return (m.group(1) or m.group(2) or headline).strip()[:200]
    return headline.strip()[:200]


@lru_cache(maxsize=1)
def _default() -> SensitiveOrgs:
    text = (
        resources.files("spycatcher.text")
        .joinpath("sensitive_orgs.toml")
        .read_text(encoding="utf-8")
    )
    return SensitiveOrgs.from_toml(text, "sensitive_orgs.toml")
