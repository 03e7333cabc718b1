"""From stored STIX objects to indicators ready to match: who says so, about whom, marked how.

An indicator on its own is a pattern. What makes a match worth showing is its context, which
STIX spreads over several objects; this module gathers it:

* the **producer**: the identity named by ``created_by_ref`` (e.g. a national authority);
* the **actor**: threat actors, intrusion sets and campaigns the indicator ``indicates``
  (relationship objects), followed one step further through ``attributed-to`` (a campaign
  attributed to an intrusion set names both);
* the **marking**: the union of the markings on the indicator, on the relationships used and on
  the actors named, with the governing TLP level (so a GREEN indicator tied to an AMBER actor is
  AMBER);
* **sightings**: how many times partners reported seeing it (``count`` summed over sightings).

It reads only the store's JSON, so a scan needs no STIX library.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spycatcher.intel.markings import MarkingIndex, marking_refs
from spycatcher.intel.matching import CompiledIndicator
from spycatcher.schema import parse_datetime

ACTOR_TYPES = ("threat-actor", "intrusion-set", "campaign")


@dataclass
class StoredObject:
    """The parts of a stored object version the catalogue needs."""

    raw: dict[str, Any]
    source: str
    compiled: dict[str, Any] | None = None
    revoked: bool = False


def _ts(value: Any) -> datetime | None:
    try:
        return parse_datetime(value)
    except ValueError:
        return None


class Catalogue:
    """The latest version of every imported object, with lookups by id and by relationship."""

    def __init__(self, objects: Iterable[StoredObject]) -> None:
        self.objects: dict[str, StoredObject] = {}
        self.markings = MarkingIndex()
        self.outgoing: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.sightings: dict[str, int] = defaultdict(int)
        for o in objects:
            if o.revoked or o.raw.get("revoked"):
                continue
            sid = o.raw.get("id")
            if isinstance(sid, str):
                self.objects[sid] = o
        for o in self.objects.values():
            t = o.raw.get("type")
            if t == "marking-definition":
                self.markings.add(o.raw)
            elif t == "relationship":
                src = o.raw.get("source_ref")
                if isinstance(src, str):
                    self.outgoing[src].append(o.raw)
            elif t == "sighting":
                ref = o.raw.get("sighting_of_ref")
                if isinstance(ref, str):
                    n = o.raw.get("count")
                    self.sightings[ref] += int(n) if isinstance(n, int) and n >= 0 else 1

    @classmethod
    def from_store(cls, store: Any) -> Catalogue:
        from spycatcher.store.intel import IntelRepository

        repo = IntelRepository(store)
        return cls(
            StoredObject(r.raw, r.source, r.compiled, bool(r.revoked))
            for r in repo.latest_objects()
        )

    def name_of(self, sid: str | None) -> str | None:
        if not sid:
            return None
        o = self.objects.get(sid)
        if o is None:
            return None
        name = o.raw.get("name")
        return str(name)[:300] if isinstance(name, str) else None

    def actors_of(self, sid: str) -> tuple[list[dict[str, str]], list[str]]:
        """Actors an object indicates (one attribution step further), and the refs that say so."""
        actors: list[dict[str, str]] = []
        refs: list[str] = []
        seen: set[str] = set()

        def add(target: str, via: dict[str, Any]) -> None:
            o = self.objects.get(target)
            if o is None or target in seen:
                return
            if o.raw.get("type") not in ACTOR_TYPES:
                return
            seen.add(target)
            actors.append(
                {
                    "id": target,
                    "type": str(o.raw.get("type")),
                    "name": self.name_of(target) or target,
                }
            )
            refs.extend(marking_refs(via))
            refs.extend(marking_refs(o.raw))

        for rel in self.outgoing.get(sid, ()):
            if rel.get("relationship_type") == "indicates":
                add(str(rel.get("target_ref")), rel)
        for a in list(actors):
            for rel in self.outgoing.get(a["id"], ()):
                if rel.get("relationship_type") == "attributed-to":
                    add(str(rel.get("target_ref")), rel)
        return actors, refs

    def indicators(self) -> list[CompiledIndicator]:
        """Every active, matchable indicator with its producer, actors, marking and sightings."""
        out: list[CompiledIndicator] = []
        for sid in sorted(self.objects):
            o = self.objects[sid]
            raw = o.raw
            if raw.get("type") != "indicator" or not o.compiled:
                continue
            if not o.compiled.get("facets"):
                continue
            actors, extra_refs = self.actors_of(sid)
            marking = self.markings.summarise([*marking_refs(raw), *extra_refs])
            conf = raw.get("confidence")
            out.append(
                CompiledIndicator(
                    id=sid,
                    tree=o.compiled["tree"],
                    name=str(raw.get("name") or "")[:300],
                    source=o.source,
                    producer=self.name_of(raw.get("created_by_ref")),
                    actors=actors,
                    marking=marking,
                    confidence=int(conf) if isinstance(conf, int) else None,
                    valid_from=_ts(raw.get("valid_from")),
                    valid_until=_ts(raw.get("valid_until")),
                    sightings=self.sightings.get(sid, 0),
                )
            )
        return out


def load_indicators(store: Any) -> list[CompiledIndicator]:
    """The store's matchable indicators (empty when nothing was imported)."""
    return Catalogue.from_store(store).indicators()
