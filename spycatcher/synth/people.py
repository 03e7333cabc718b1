"""A directory of members: names, titles, employers and places, from the compact plan.

Texts (messages, notes) mention their writer's and reader's names and employers; profiles state
them too. Both read them here, so a message signed "Rachel" comes from the profile named Rachel.
Hostile personas override title, employer and location (they claim their own).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spycatcher.synth.names import CULTURES, full_name
from spycatcher.synth.orgs import Orgs
from spycatcher.synth.places import CITIES
from spycatcher.synth.population import Population
from spycatcher.synth.texts import Who


@dataclass(slots=True)
class Claim:
    """What a persona claims about itself (its profile says the same)."""

    title: str
    org: int
    location: str
    years: int


class Directory:
    def __init__(self, pop: Population, orgs: Orgs) -> None:
        self.pop = pop
        self.orgs = orgs
        self.claims: dict[int, Claim] = {}
        self._first: list[str] | None = None
        self._city_names = [c.name.split(",")[0] for c in CITIES]

    def freeze(self) -> None:
        """Precompute every member's given name (call once personas have theirs)."""
        p = self.pop
        out = np.empty(p.n, dtype=object)
        for ci, c in enumerate(CULTURES):
            for female, names in ((False, c.male), (True, c.female)):
                sel = np.flatnonzero((p.culture == ci) & (p.female == female))
                if len(sel):
                    table = np.array(names, dtype=object)
                    out[sel] = table[p.first[sel].astype(np.int64) % len(names)]
        self._first = out.tolist()

    def name(self, i: int) -> str:
        p = self.pop
        return full_name(
            int(p.culture[i]),
            bool(p.female[i]),
            int(p.first[i]),
            int(p.last[i]),
            int(p.name_style[i]),
        )

    def first(self, i: int) -> str:
        if self._first is not None:
            return self._first[i]
        return self.pop.first_name(i)

    def sector(self, i: int) -> int:
        """The sector of the member's (claimed) employer."""
        return self.orgs.sector[self.org(i)]

    def city(self, i: int) -> str:
        """The member's city, short form ("London"), for message texts."""
        c = self.claims.get(i)
        if c:
            return c.location.split(",")[0]
        return self._city_names[int(self.pop.city[i])]

    def title(self, i: int) -> str:
        c = self.claims.get(i)
        return c.title if c else self.pop.title(i)

    def org(self, i: int) -> int:
        c = self.claims.get(i)
        return c.org if c else int(self.pop.org[i])

    def org_name(self, i: int) -> str:
        return self.orgs.names[self.org(i)]

    def location(self, i: int) -> str:
        c = self.claims.get(i)
        if c:
            return c.location
        return CITIES[int(self.pop.city[i])].location

    def who(self, i: int) -> Who:
        org = self.org(i)
        return Who(
            first=self.first(i),
            full=self.name(i),
            title=self.title(i),
            org=self.orgs.names[org],
            sector=self.orgs.sector[org],
            city=self.location(i),
        )
