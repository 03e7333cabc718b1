"""Traffic Light Protocol markings: recognised on the way in, carried, enforced on the way out.

Intelligence arrives marked: TLP 1.0 (``definition_type: tlp``, four fixed marking-definition ids
published with STIX 2.1) or TLP 2.0 (the FIRST 2022 levels, five fixed ids carried by the OASIS
extension ``extension-definition--60a3c5c5-...``), plus statement markings ("Copyright ...",
handling caveats) that spycatcher keeps and passes on unchanged.

Three rules follow from what a marking promises the partner who set it:

* every fact spycatcher derives from a marked object (an intelligence match, a signal, an exported
  indicator) carries the union of the markings it was derived from, so a label never gets lost;
* when several TLP levels meet, the most restrictive one governs (RED > AMBER+STRICT > AMBER >
  GREEN > CLEAR/WHITE);
* TLP:RED material is for the named recipients only and never leaves: exports drop it, whatever
  the caller asks for.

This module needs no STIX library: it works on plain dicts, so the scan path can use it without the
optional ``intel`` extra.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: TLP 1.0 marking-definitions as published with STIX 2.1 (and shipped by the stix2 library)
TLP1_IDS: dict[str, str] = {
    "white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
TLP1_CREATED = "2017-01-20T00:00:00.000Z"

#: TLP 2.0 marking-definitions (OASIS cti-stix-common-objects, extension tlp-2.0)
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_IDS: dict[str, str] = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP2_CREATED = "2022-10-01T00:00:00.000Z"

#: how restrictive each level is; WHITE (1.0) and CLEAR (2.0) mean the same
RANK: dict[str, int] = {
    "clear": 0,
    "white": 0,
    "green": 1,
    "amber": 2,
    "amber+strict": 3,
    "red": 4,
}

#: every official TLP marking-definition id -> its level
KNOWN_TLP_IDS: dict[str, str] = {
    **{v: k for k, v in TLP1_IDS.items()},
    **{v: k for k, v in TLP2_IDS.items()},
}


def normalise_level(value: str | None) -> str | None:
    """'TLP:AMBER', 'amber', 'Amber+Strict', 'tlp:white' -> 'amber', 'amber+strict', 'white'."""
    if not value or not isinstance(value, str):
        return None
    v = value.strip().lower().removeprefix("tlp:").removeprefix("tlp ").strip()
    v = v.replace(" ", "").replace("_", "+")
    return v if v in RANK else None


def label(level: str | None) -> str:
    """The printable label of a level ('TLP:AMBER+STRICT'), or 'unmarked'."""
    return f"TLP:{level.upper()}" if level else "unmarked"


def most_restrictive(levels: Iterable[str | None]) -> str | None:
    """The governing level among several (None when none is a TLP level)."""
    best: str | None = None
    for lv in levels:
        n = normalise_level(lv)
        if n is not None and (best is None or RANK[n] > RANK[best]):
            best = n
    return best


def is_red(level: str | None) -> bool:
    return normalise_level(level) == "red"


def allowed(level: str | None, max_level: str | None) -> bool:
    """May material at ``level`` be shared under a ceiling of ``max_level``? RED never may."""
    n = normalise_level(level)
    if n == "red":
        return False
    if max_level is None or n is None:
        return True
    ceiling = normalise_level(max_level)
    if ceiling is None:
        raise ValueError(f"unknown TLP level {max_level!r}")
    return RANK[n] <= RANK[ceiling]


def tlp_of_definition(obj: Mapping[str, Any]) -> str | None:
    """The TLP level a marking-definition object expresses, or None for another kind of marking.

    Recognises the official ids, TLP 1.0's ``definition: {tlp: ...}``, and TLP 2.0's extension
    property ``tlp_2_0``. A definition that merely *names* itself TLP without either form is not
    trusted to be one (anyone can write a name).
    """
    oid = obj.get("id")
    if isinstance(oid, str) and oid in KNOWN_TLP_IDS:
        return KNOWN_TLP_IDS[oid]
    if obj.get("definition_type") == "tlp":
        d = obj.get("definition")
        if isinstance(d, Mapping):
            return normalise_level(d.get("tlp"))
    exts = obj.get("extensions")
    if isinstance(exts, Mapping):
        ext = exts.get(TLP2_EXTENSION_ID)
        if isinstance(ext, Mapping):
            return normalise_level(ext.get("tlp_2_0"))
    return None


def statement_of_definition(obj: Mapping[str, Any]) -> str | None:
    """The text of a statement marking (copyright, handling caveat), if it is one."""
    if obj.get("definition_type") == "statement":
        d = obj.get("definition")
        if isinstance(d, Mapping) and isinstance(d.get("statement"), str):
            return str(d["statement"])[:500]
    return None


def marking_refs(obj: Mapping[str, Any]) -> list[str]:
    """Every marking-definition id an object is marked with, object-level and granular."""
    refs: list[str] = []
    for r in obj.get("object_marking_refs") or ():
        if isinstance(r, str) and r not in refs:
            refs.append(r)
    for g in obj.get("granular_markings") or ():
        if isinstance(g, Mapping):
            r = g.get("marking_ref")
            if isinstance(r, str) and r not in refs:
                refs.append(r)
    return refs


def tlp1_definition(level: str) -> dict[str, Any]:
    """The official TLP 1.0 marking-definition object for a level."""
    lv = normalise_level(level)
    if lv == "clear":
        lv = "white"
    if lv not in TLP1_IDS:
        raise ValueError(f"TLP 1.0 has no level {level!r}")
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP1_IDS[lv],
        "created": TLP1_CREATED,
        "definition_type": "tlp",
        "name": label(lv),
        "definition": {"tlp": lv},
    }


def tlp2_definition(level: str) -> dict[str, Any]:
    """The official TLP 2.0 marking-definition object for a level (WHITE is read as CLEAR)."""
    lv = normalise_level(level)
    if lv == "white":
        lv = "clear"
    if lv not in TLP2_IDS:
        raise ValueError(f"TLP 2.0 has no level {level!r}")
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[lv],
        "created": TLP2_CREATED,
        "name": label(lv),
        "extensions": {
            TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": lv},
        },
    }


def official_definition(marking_id: str) -> dict[str, Any] | None:
    """The official definition object for a known TLP id (so an export can always include it)."""
    lv = KNOWN_TLP_IDS.get(marking_id)
    if lv is None:
        return None
    if marking_id in TLP1_IDS.values():
        return tlp1_definition(lv)
    return tlp2_definition(lv)


@dataclass
class Marking:
    """The markings that govern one derived fact: the refs, their TLP level, their statements."""

    refs: list[str] = field(default_factory=list)
    tlp: str | None = None
    statements: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return label(self.tlp)

    @property
    def red(self) -> bool:
        return is_red(self.tlp)

    def as_dict(self) -> dict[str, Any]:
        return {"refs": list(self.refs), "tlp": self.tlp, "statements": list(self.statements)}


class MarkingIndex:
    """Marking-definitions seen so far (from imports), to tell what a list of refs means.

    An id that was never defined is kept as a ref (it is still the partner's label) but adds no
    TLP level, unless it is one of the official TLP ids.
    """

    def __init__(self) -> None:
        self.levels: dict[str, str] = dict(KNOWN_TLP_IDS)
        self.statements: dict[str, str] = {}
        self.definitions: dict[str, dict[str, Any]] = {}

    def add(self, obj: Mapping[str, Any]) -> None:
        """Learn one marking-definition object."""
        oid = obj.get("id")
        if not isinstance(oid, str):
            return
        self.definitions[oid] = dict(obj)
        lv = tlp_of_definition(obj)
        if lv is not None:
            self.levels[oid] = lv
        st = statement_of_definition(obj)
        if st is not None:
            self.statements[oid] = st

    def definition(self, marking_id: str) -> dict[str, Any] | None:
        return self.definitions.get(marking_id) or official_definition(marking_id)

    def summarise(self, refs: Iterable[str]) -> Marking:
        """Union of refs (order kept) with their governing TLP level and statements."""
        out = Marking()
        for r in refs:
            if r not in out.refs:
                out.refs.append(r)
        out.tlp = most_restrictive(self.levels.get(r) for r in out.refs)
        out.statements = [self.statements[r] for r in out.refs if r in self.statements]
        return out
