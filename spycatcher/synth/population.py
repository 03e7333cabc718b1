"""Who is in the network: compact per-member arrays planned before anything is written.

Memory grows with the number of members (a few dozen bytes each), never with the number of
events. Genuine members occupy internal indices ``[0, n_genuine)`` and hostile personas
``[n_genuine, n)``; the published ids come from a random permutation, so neither file order nor
id says who is fake.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spycatcher.synth.clock import DAY, PLATFORM_START, YEAR, rng_for
from spycatcher.synth.names import CULTURES
from spycatcher.synth.orgs import Orgs
from spycatcher.synth.places import CITIES, COUNTRIES, CULTURE_MIX, country_cities
from spycatcher.synth.sectors import SECTOR_INDEX, SECTORS

GENUINE, RECRUITER, RESEARCHER, NEWCOMER, FAKE = range(5)
KIND_NAMES = ("genuine", "recruiter", "researcher", "new_member", "fake")

#: shares of all members (fakes are sized separately, see :func:`n_fakes`)
RECRUITER_SHARE = 0.005
RESEARCHER_SHARE = 0.004
NEWCOMER_SHARE = 0.025


def n_fakes(n: int) -> int:
    """About 0.8% of members are hostile personas; small networks still get a few campaigns."""
    return max(round(0.008 * n), min(24, n // 40))


@dataclass(slots=True)
class Population:
    n: int
    n_genuine: int
    as_of: int
    kind: np.ndarray  # int8
    org: np.ndarray  # int32
    sector: np.ndarray  # int16
    city: np.ndarray  # int16 (-1: a persona's own location, see campaigns)
    culture: np.ndarray  # int8
    female: np.ndarray  # bool
    first: np.ndarray  # int16
    last: np.ndarray  # int16
    name_style: np.ndarray  # int8
    age: np.ndarray  # int8
    seniority: np.ndarray  # int8
    created: np.ndarray  # int64 seconds
    degree_target: np.ndarray  # float32
    activity: np.ndarray  # float32
    tz: np.ndarray  # float32 hours
    has_photo: np.ndarray  # bool
    verified: np.ndarray  # int8: -1 unknown, 0 no, 1 yes
    #: internal index -> public position (ids are "p" + zero-padded position)
    public: np.ndarray  # int32
    #: public position -> internal index
    order: np.ndarray  # int32
    id_width: int = 7

    def pid(self, i: int) -> str:
        return f"p{int(self.public[i]):0{self.id_width}d}"

    def all_ids(self) -> list[str]:
        """Every member's public id, by internal index (the event writer's lookup table)."""
        w = self.id_width
        return [f"p{p:0{w}d}" for p in self.public.tolist()]

    def first_name(self, i: int) -> str:
        c = CULTURES[int(self.culture[i])]
        names = c.female if self.female[i] else c.male
        return names[int(self.first[i]) % len(names)]

    def title(self, i: int) -> str:
        """The member's current title; a pure function of the plan so every writer agrees."""
        titles = SECTORS[int(self.sector[i])].titles[int(self.seniority[i])]
        return titles[(i * 2654435761 >> 7) % len(titles)]


def _pick_weighted(
    rng: np.random.Generator, items: np.ndarray, weights: np.ndarray, size: int
) -> np.ndarray:
    p = weights / weights.sum()
    return items[rng.choice(len(items), size=size, p=p)]


def build_population(seed: int, n: int, orgs: Orgs, as_of: int, mean_degree: float) -> Population:
    """Plan every genuine member; hostile personas get placeholders that campaigns fill in."""
    rng = rng_for(seed, "population")
    nf = n_fakes(n)
    ng = n - nf
    kind = np.full(n, FAKE, dtype=np.int8)
    kind[:ng] = rng.choice(
        4,
        size=ng,
        p=[1 - RECRUITER_SHARE - RESEARCHER_SHARE - NEWCOMER_SHARE, RECRUITER_SHARE,
           RESEARCHER_SHARE, NEWCOMER_SHARE],
    ).astype(np.int8)  # fmt: skip

    # Sector, then employer (heavy-tailed sizes), then city.
    sweights = np.array([s.weight for s in SECTORS])
    sector = np.zeros(n, dtype=np.int16)
    sector[:ng] = rng.choice(len(SECTORS), size=ng, p=sweights / sweights.sum())
    rec = np.flatnonzero(kind == RECRUITER)
    sector[rec] = SECTOR_INDEX["recruiting"]
    res = np.flatnonzero(kind == RESEARCHER)
    sector[res] = rng.choice(
        [
            SECTOR_INDEX["think_tank"],
            SECTOR_INDEX["university_research"],
            SECTOR_INDEX["higher_ed"],
        ],
        size=len(res),
        p=[0.6, 0.25, 0.15],
    )
    org_sector = np.array(orgs.sector)
    org_weight = np.array(orgs.weight)
    org_shell = np.array(orgs.shell, dtype=bool)
    org = np.full(n, -1, dtype=np.int32)
    for s in range(len(SECTORS)):
        members = np.flatnonzero(sector[:ng] == s)
        cand = np.flatnonzero((org_sector == s) & ~org_shell)
        if len(members) and len(cand):
            org[members] = _pick_weighted(rng, cand, org_weight[cand], len(members))
    org_city = np.array(orgs.city, dtype=np.int16)
    city = np.full(n, -1, dtype=np.int16)
    city[:ng] = org_city[org[:ng]]
    city_country = np.array([c.country for c in CITIES], dtype=np.int16)
    moved = np.flatnonzero(rng.random(ng) < 0.2)
    for ci in range(len(COUNTRIES)):
        sel = moved[city_country[city[moved]] == ci]
        if len(sel):
            city[sel] = rng.choice(country_cities(ci), size=len(sel))

    culture = np.zeros(n, dtype=np.int8)
    for ci, (cults, probs) in enumerate(CULTURE_MIX):
        sel = np.flatnonzero(city_country[city[:ng]] == ci)
        if len(sel):
            culture[sel] = rng.choice(cults, size=len(sel), p=probs)
    female = rng.random(n) < 0.48
    first = rng.integers(0, 10_000, size=n).astype(np.int16)
    last = rng.integers(0, 10_000, size=n).astype(np.int16)
    name_style = rng.choice(3, size=n, p=[0.9, 0.05, 0.05]).astype(np.int8)

    # Age and seniority; newcomers are mostly students and graduates, some late joiners.
    age = np.clip(rng.normal(39, 10.5, n), 22, 66)
    newc = np.flatnonzero(kind == NEWCOMER)
    young = rng.random(len(newc)) < 0.6
    age[newc] = np.where(young, rng.uniform(20, 26, len(newc)), rng.uniform(27, 62, len(newc)))
    age[res] = np.maximum(age[res], rng.uniform(26, 40, len(res)))
    age = age.astype(np.int8)
    seniority = np.clip(np.round((age - 22) / 8.5 + rng.normal(0, 0.7, n)), 0, 4).astype(np.int8)
    seniority[newc[young]] = 0

    # Account creation: most accounts are years old; some are recent; newcomers are weeks old.
    acct_years = np.where(rng.random(n) < 0.12, rng.uniform(0.05, 2, n), rng.uniform(2, 16, n))
    acct_years[rec] = rng.uniform(4, 15, len(rec))
    acct_years[res] = rng.uniform(4, 15, len(res))
    acct_years[newc] = rng.uniform(3, 150, len(newc)) / 365.0
    max_years = np.maximum(0.02, age - 19.0)
    acct_years = np.minimum(acct_years, max_years)
    created = (as_of - acct_years * YEAR).astype(np.int64)
    created = np.maximum(created, PLATFORM_START + rng.integers(0, 400, n) * DAY)
    created = created - created % 60 + rng.integers(0, 60, n)

    # Degree targets: lognormal (heavy-tailed), growing with account age and seniority.
    sigma = 1.05
    base = rng.lognormal(np.log(mean_degree) - sigma**2 / 2, sigma, n)
    age_factor = np.clip((as_of - created) / (4 * YEAR), 0.15, 1.0) ** 0.8
    deg = base * age_factor * (0.75 + 0.12 * seniority)
    deg[rec] *= 5.0
    deg[res] *= 1.8
    deg[newc] = np.minimum(deg[newc], 1 + (as_of - created[newc]) / (15 * DAY))
    deg = np.minimum(deg, max(4.0, min(ng / 4, 4000.0))).astype(np.float32)
    deg[ng:] = 0

    activity = rng.lognormal(0, 0.7, n).astype(np.float32)
    activity[rec] *= 1.3
    activity[newc] *= 0.5
    tz = np.zeros(n, dtype=np.float32)
    tz[:ng] = np.array([c.tz for c in CITIES], dtype=np.float32)[city[:ng]]

    photo_p = np.array([0.9, 0.97, 0.92, 0.45, 1.0])[kind]
    has_photo = rng.random(n) < photo_p
    verified_p = np.array([0.22, 0.6, 0.4, 0.05, 0.0])[kind]
    v = rng.random(n)
    verified = np.where(v < verified_p, 1, np.where(v < 0.93, 0, -1)).astype(np.int8)

    perm = rng.permutation(n).astype(np.int32)
    order = np.empty(n, dtype=np.int32)
    order[perm] = np.arange(n, dtype=np.int32)
    return Population(
        n=n,
        n_genuine=ng,
        as_of=as_of,
        kind=kind,
        org=org,
        sector=sector,
        city=city,
        culture=culture,
        female=female,
        first=first,
        last=last,
        name_style=name_style,
        age=age,
        seniority=seniority,
        created=created,
        degree_target=deg,
        activity=activity,
        tz=tz,
        has_photo=has_photo,
        verified=verified,
        public=perm,
        order=order,
        id_width=max(7, len(str(n - 1))),
    )
