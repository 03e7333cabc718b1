"""Profile records (data contract v1) for genuine members and hostile personas.

Built chunk by chunk in published-id order, each chunk from its own random stream, so output is
identical however it is scheduled. Claimed counts follow what platforms show: genuine members'
connection counts are at least their observed connections (the file is a sample of a larger
network); personas often claim 500+ while their observed connections are a few dozen.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np

from spycatcher.synth.campaigns import Campaign, Persona
from spycatcher.synth.careers import CareerBuilder
from spycatcher.synth.clock import iso, iso_many, pyrng_for
from spycatcher.synth.names import CULTURE_INDEX, slug
from spycatcher.synth.people import Directory
from spycatcher.synth.population import NEWCOMER, RECRUITER, RESEARCHER, Population
from spycatcher.synth.sectors import GENERIC_SKILLS, SECTORS
from spycatcher.synth.texts import Who, headline, summary

CHUNK = 5_000
_slug = lru_cache(maxsize=262_144)(slug)
_SUMMARY_P = (0.62, 0.9, 0.88, 0.2)
_FREEMAIL = (
    "gmail.com", "outlook.com", "yahoo.co.uk", "hotmail.com", "icloud.com", "gmx.de",
    "protonmail.com", "gmail.com",
)  # fmt: skip
_FREEMAIL_CN = ("163.com", "qq.com", "gmail.com", "outlook.com")
_CHINESE = CULTURE_INDEX["chinese"]


class ProfileBuilder:
    def __init__(
        self,
        seed: int,
        pop: Population,
        people: Directory,
        degree: np.ndarray,
        campaigns: list[Campaign],
        personas: dict[int, Persona],
    ) -> None:
        self.seed = seed
        self.pop = pop
        self.people = people
        self.degree = degree
        self.campaigns = campaigns
        self.personas = personas
        self.careers = CareerBuilder(people.orgs, pop.as_of)

    def chunks(self) -> Iterator[list[dict[str, Any]]]:
        """Profiles in published-id order, a chunk at a time."""
        n = self.pop.n
        for c, lo in enumerate(range(0, n, CHUNK)):
            r = pyrng_for(self.seed, "profiles", c)
            idx = self.pop.order[lo : lo + CHUNK]
            created = iso_many(self.pop.created[idx])
            yield [self.profile(r, i, when) for i, when in zip(idx.tolist(), created, strict=True)]

    def _url(self, r: random.Random, name: str) -> str:
        return f"https://www.linkedin.com/in/{_slug(name)}-{r.getrandbits(28):07x}"

    def profile(self, r: random.Random, i: int, created: str | None = None) -> dict[str, Any]:
        """One profile record; ``created`` is its creation time as text, when known already."""
        when = created or iso(int(self.pop.created[i]))
        if i in self.personas:
            return self._persona(r, i, when)
        return self._genuine(r, i, when)

    def _counts(self, r: random.Random, i: int, claimed: int | None = None) -> dict[str, int]:
        deg = int(self.degree[i])
        years = max(0.05, (self.pop.as_of - int(self.pop.created[i])) / 31_536_000)
        if claimed is None:
            claimed = deg + int(deg * r.uniform(0.0, 0.5)) + (r.randint(0, 6) if years > 1 else 0)
        followers = int(claimed * r.uniform(0.9, 1.6)) + r.randint(0, 30)
        posts = int(r.lognormvariate(0.5, 1.3) * min(years, 8))
        endorsements = int(r.lognormvariate(1.0, 1.2) * min(years, 10) ** 0.8)
        return {"connections": claimed, "followers": followers, "posts": posts,
                "endorsements": endorsements}  # fmt: skip

    def _genuine(self, r: random.Random, i: int, created_at: str) -> dict[str, Any]:
        pop, people = self.pop, self.people
        kind = int(pop.kind[i])
        sector = int(pop.sector[i])
        sec = SECTORS[sector]
        name = people.name(i)
        title = people.title(i)
        org_name = people.org_name(i)
        location = people.location(i)
        experience, education, facts = self.careers.build(
            r,
            age=int(pop.age[i]),
            sector=sector,
            seniority=int(pop.seniority[i]),
            org=int(pop.org[i]),
            title=title,
            location=location,
            researcher=kind == RESEARCHER,
        )
        student = bool(facts["student"])
        if student:
            title = experience[0]["title"]
        n_skills = r.randint(0, 3) if kind == NEWCOMER else r.randint(3, 15)
        pool = list(sec.skills) + list(GENERIC_SKILLS)
        skills = r.sample(pool, min(n_skills, len(pool)))
        if student and education:
            head = f"Student at {education[0]['school']}"
            if r.random() < 0.4:
                head = f"{education[0]['field']} student | {title} at {org_name}"
        else:
            head = headline(r, title, org_name, sector, skills)
        text = None
        if r.random() < _SUMMARY_P[min(kind, 3)]:
            years = max(1, int(pop.age[i]) - 22)
            who = Who(
                first=people.first(i),
                full=name,
                title=title,
                org=org_name,
                sector=sector,
                city=location,
                years=years,
                field=facts["field"],
                school=facts["school"],
                prev_org=facts["prev_org"],
            )
            text = summary(r, who)
        rec: dict[str, Any] = {
            "id": pop.pid(i),
            "platform": "linkedin",
            "url": self._url(r, name),
            "name": name,
            "headline": head,
            "summary": text,
            "location": location,
            "industry": sec.industry if r.random() < 0.95 else None,
            "created_at": created_at,
        }
        if pop.has_photo[i]:
            rec["photo"] = {"pdq": f"{r.getrandbits(256):064x}"}
        rec["experience"] = experience
        rec["education"] = education
        rec["skills"] = skills
        rec["counts"] = self._counts(r, i)
        if kind == RECRUITER or r.random() < 0.1:
            first, last = name.split(" ")[0], name.split(" ")[-1]
            local = slug(f"{first}.{last}").replace("-", ".")
            if kind == RECRUITER or r.random() < 0.5:
                domain = people.orgs.domain[int(pop.org[i])]
            elif pop.culture[i] == _CHINESE:
                domain = r.choice(_FREEMAIL_CN)
            else:
                domain = r.choice(_FREEMAIL)
            contact: dict[str, Any] = {"email": f"{local}@{domain}"}
            if r.random() < 0.15:
                contact["websites"] = [f"https://{slug(name)}.example"]
            rec["contact"] = contact
        v = int(pop.verified[i])
        if v >= 0:
            rec["verified"] = bool(v)
        rec["label"] = "genuine"
        return {k: val for k, val in rec.items() if val is not None}

    def _persona(self, r: random.Random, i: int, created_at: str) -> dict[str, Any]:
        pop = self.pop
        p = self.personas[i]
        camp = self.campaigns[p.campaign]
        f = p.fields
        claimed = p.claims_connections
        if claimed is None:
            claimed = int(self.degree[i] * r.uniform(1.0, 1.8)) + r.randint(0, 20)
        counts = self._counts(r, i, claimed)
        counts["posts"] = p.posts
        counts["endorsements"] = p.endorsements
        counts["followers"] = int(claimed * p.followers_factor)
        rec: dict[str, Any] = {
            "id": pop.pid(i),
            "platform": "linkedin",
            "url": self._url(r, f["name"]),
            "name": f["name"],
            "headline": f["headline"],
            "summary": f["summary"],
            "location": f["location"],
            "industry": f["industry"],
            "created_at": created_at,
            "photo": f["photo"],
            "experience": f["experience"],
            "education": f["education"],
            "skills": f["skills"],
            "counts": counts,
            "contact": f["contact"],
        }
        v = int(pop.verified[i])
        if v >= 0:
            rec["verified"] = bool(v)
        rec["label"] = "fake"
        rec["campaign"] = camp.id
        return {k: val for k, val in rec.items() if val is not None}
