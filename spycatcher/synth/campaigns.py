"""Hostile-state campaigns: operators, their personas, and what the personas claim.

A campaign is a group of 3-40 personas run by one operator with one style. Personas share traits
the way real ones do, and each campaign shows only some of them: created in a burst, young
accounts claiming long senior careers, a shell employer with no genuine staff (or an impersonated
real one), a summary template with word substitutions, reused photos (one base hash with a few bit
flips) or unique generated ones, claimed connection counts far above their real connections. What
they *do* (invitations concentrated on sensitive organisations, escalating approaches) is planned
in :mod:`spycatcher.synth.approaches`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spycatcher.synth.clock import DAY, PLATFORM_START, YEAR, month_text, pyrng_for, rng_for
from spycatcher.synth.lures import MESSAGES, NOTES, STAGES, SUMMARY_TEMPLATES, handle, perturb
from spycatcher.synth.names import CULTURE_INDEX
from spycatcher.synth.orgs import INTERNATIONAL_SCHOOLS, Orgs, invented_employer
from spycatcher.synth.people import Claim, Directory
from spycatcher.synth.places import CITIES, COUNTRIES, CULTURE_MIX, PERSONA_CITIES
from spycatcher.synth.population import FAKE, Population
from spycatcher.synth.sectors import SECTOR_INDEX, SECTORS
from spycatcher.synth.texts import Who
from spycatcher.synth.texts import summary as genuine_summary

#: sensitive sectors each persona kind tends to target
KIND_TARGETS: dict[str, tuple[str, ...]] = {
    "headhunter": ("defence", "aerospace", "nuclear", "semiconductors", "telecoms", "energy"),
    "think_tank": ("government", "diplomacy", "parliament", "defence", "intelligence"),
    "consultant": ("energy", "telecoms", "pharma", "government", "semiconductors"),
    "scholar": ("university_research", "pharma", "nuclear", "aerospace", "semiconductors"),
}
KIND_SECTOR = {
    "headhunter": "recruiting",
    "think_tank": "think_tank",
    "consultant": "consulting",
    "scholar": "higher_ed",
}
KIND_TITLES: dict[str, tuple[str, ...]] = {
    "headhunter": ("Senior Headhunter", "Talent Acquisition Director", "Partner, Executive Search",
                   "Senior Recruitment Partner", "Head of Global Talent", "Executive Recruiter"),
    "think_tank": ("Research Fellow", "Senior Research Fellow", "Programme Director",
                   "Project Manager, International Exchange", "Deputy Director",
                   "Senior Researcher"),
    "consultant": ("Managing Partner", "Senior Consultant", "Director, Strategic Advisory",
                   "Principal Consultant", "Business Development Director"),
    "scholar": ("Visiting Scholar", "Associate Professor", "Senior Research Fellow",
                "Visiting Researcher", "Professor"),
}  # fmt: skip
KIND_SKILLS: dict[str, tuple[str, ...]] = {
    "headhunter": ("Headhunting", "Executive Search", "Talent Acquisition", "Recruiting",
                   "Networking", "Business Development", "Negotiation", "Human Resources"),
    "think_tank": ("International Relations", "Research", "Policy Analysis", "Geopolitics",
                   "Event Management", "Cross-cultural Communication", "Diplomacy"),
    "consultant": ("Consulting", "Strategy", "Business Development", "Market Research",
                   "Management Consulting", "Networking", "Project Management"),
    "scholar": ("Research", "Teaching", "Academic Writing", "International Cooperation",
                "Public Speaking", "Data Analysis", "Conference Organisation"),
}  # fmt: skip
_SHELL_WORDS = (
    "Rise Bright Elite Apex Sino Pan Euro Link Vista Prime Star Harmony Talent Future Crest "
    "Orient Bridge Summit Pioneer Unity Golden Silk Dragon Lotus Jade Atlas Nova"
).split()
_REGIONS = ("Sino", "Europe", "Asia", "Atlantic", "Pacific", "Eurasia", "China", "Global")
_SHELL_TOPICS = (
    "Development",
    "Strategic",
    "International",
    "Economic",
    "Security",
    "Innovation",
    "Policy",
)
_OLD_EMPLOYERS = (
    "Institute of {r} Affairs",
    "{r} Trade Promotion Council",
    "{r} Friendship Association",
)
_INVITE_CITIES = ("Shanghai", "Beijing", "Hong Kong", "Singapore", "Dubai", "Vienna", "Istanbul")


@dataclass(slots=True)
class Operator:
    id: str
    tz: float
    apps: tuple[str, ...]
    kinds: tuple[str, ...]


@dataclass(slots=True)
class Campaign:
    """One operator's group of personas (``id`` is None for a lone persona)."""

    index: int
    id: str | None
    operator: Operator
    kind: str
    careful: bool
    members: list[int]
    org: int
    shell: bool
    traits: dict[str, Any]
    start: int
    end: int
    target_sectors: list[int]
    target_countries: list[int]
    app: str
    invite_city: str
    fee: str
    summary_template: str
    templates: dict[str, int]
    photo_bases: list[str] = field(default_factory=list)
    targets: set[int] = field(default_factory=set)
    first_activity: int | None = None
    last_activity: int | None = None

    def touch(self, t: int) -> None:
        if self.first_activity is None or t < self.first_activity:
            self.first_activity = t
        if self.last_activity is None or t > self.last_activity:
            self.last_activity = t

    def note(self, r: random.Random, lure: bool, fill: dict[str, object]) -> str:
        pool = NOTES["lure" if lure else "plain"][self.kind]
        text = pool[self.templates["note"] % len(pool)].format(**fill)
        return perturb(r, text, self.traits["message_rate"])

    def message(self, r: random.Random, stage: str, fill: dict[str, object], k: int = 0) -> str:
        by_kind = MESSAGES[stage]
        pool = by_kind.get(self.kind, by_kind.get("*", ()))
        text = pool[(self.templates[stage] + k) % len(pool)].format(**fill)
        return perturb(r, text, self.traits["message_rate"])


@dataclass(slots=True)
class Persona:
    """A persona's claimed profile (everything but id, counts and ground truth)."""

    campaign: int
    fields: dict[str, Any]
    handle: str
    claims_connections: int | None
    followers_factor: float
    posts: int
    endorsements: int


def _pdq(r: random.Random) -> str:
    return f"{r.getrandbits(256):064x}"


def _flip_bits(r: random.Random, hexhash: str, k: int) -> str:
    x = int(hexhash, 16)
    for bit in r.sample(range(256), k):
        x ^= 1 << bit
    return f"{x:064x}"


def _campaign_sizes(r: random.Random, total: int) -> list[int]:
    """Campaign sizes of 3-40 (median about 8); small networks still get several campaigns."""
    sizes: list[int] = []
    cap = max(3, min(40, total // 3))
    while sum(sizes) < total:
        left = total - sum(sizes)
        s = max(3, min(cap, round(r.lognormvariate(2.05, 0.6))))
        if left - s < 3:
            s = left if left <= 40 else left - 3
        sizes.append(s)
    return sizes


def _shell_name(r: random.Random, kind: str, used: set[str]) -> str:
    for _ in range(100):
        w = r.choice(_SHELL_WORDS)
        if kind == "headhunter":
            form = r.choice(("{w}HR", "{w} Talent Consulting", "{w} Global Search",
                             "{w} Executive Partners", "{w} Career Consulting"))  # fmt: skip
        elif kind == "think_tank":
            a, b = r.sample(_REGIONS, 2)
            form = r.choice((
                f"Center for {a}-{b} {r.choice(_SHELL_TOPICS)} Studies",
                f"{a} Institute of International Politics and Economy",
                f"Institute for {r.choice(_SHELL_TOPICS)} Cooperation and Development",
                f"{a}-{b} Forum for Strategic Exchange",
            ))  # fmt: skip
        elif kind == "consultant":
            form = r.choice(("{w} Strategic Advisory", "{w} Consulting Group",
                             "{w} Global Partners", "{w} Insight Consulting"))  # fmt: skip
        else:
            form = r.choice((
                f"{r.choice(_REGIONS)} Academy of Social Sciences",
                f"Institute of {r.choice(_SHELL_TOPICS)} Research",
                f"{r.choice(_REGIONS)} Centre for Science and Technology Exchange",
            ))  # fmt: skip
        name = form.format(w=w)
        if name not in used:
            used.add(name)
            return name
    name = f"{r.choice(_SHELL_WORDS)} Partners {len(used)}"
    used.add(name)
    return name


def _operators(r: random.Random, n_campaigns: int) -> list[Operator]:
    ops = []
    for k in range(max(1, -(-n_campaigns // 5))):
        tz = r.choices((8.0, 3.0, 3.5, 9.0), weights=(0.65, 0.2, 0.1, 0.05))[0]
        if tz == 8.0:
            apps: tuple[str, ...] = ("WeChat", "WhatsApp", "personal email")
        else:
            apps = ("Telegram", "WhatsApp", "personal email", "Signal")
        kinds = tuple(r.sample(("headhunter", "think_tank", "consultant", "scholar"), 2))
        ops.append(Operator(f"op-{k + 1:02d}", tz, apps, kinds))
    return ops


def _traits(r: random.Random, careful: bool) -> dict[str, Any]:
    """Which traits this campaign shows (and how strongly): none shows all of them always."""
    if careful:
        photo = r.choices(("generated", "reused", "mixed"), weights=(0.6, 0.25, 0.15))[0]
    else:
        photo = r.choices(("reused", "generated", "mixed"), weights=(0.6, 0.3, 0.1))[0]
    return {
        "style": "careful" if careful else "sloppy",
        "burst": r.random() < (0.35 if careful else 0.9),
        "photo": photo,
        "templated_summary": r.random() < (0.65 if careful else 0.9),
        "substitution_rate": round(r.uniform(0.10, 0.20), 3),
        "message_rate": round(r.uniform(0.03, 0.12), 3),
        "claims_500": r.random() < (0.55 if careful else 0.85),
        "senior_claims": r.random() < (0.7 if careful else 0.85),
        "lure_in_note": r.random() < (0.1 if careful else 0.7),
        "note_rate": round(r.uniform(0.25, 0.45) if careful else r.uniform(0.5, 0.85), 3),
        "accept_rate": round(r.uniform(0.2, 0.5), 3),
        "message_share": round(r.uniform(0.3, 0.7), 3),
        "reply_minutes": (8, 90) if careful else (1, 15),
        "invitations": (20, 70) if careful else (60, 220),
        "warmup": (15, 50) if careful else (0, 5),
        "intra_links": r.random() < 0.55,
        "local_hours": careful and r.random() < 0.5,
        "noise_share": round(r.uniform(0.15, 0.4) if careful else r.uniform(0.05, 0.2), 3),
        "report_rate": 0.015 if careful else 0.05,
        "shell": not (careful and r.random() < 0.35),
        "no_education": (not careful) and r.random() < 0.3,
        "contact_email": r.random() < (0.3 if careful else 0.45),
    }


def plan_campaigns(
    seed: int, pop: Population, orgs: Orgs, people: Directory
) -> tuple[list[Campaign], dict[int, Persona]]:
    """Create operators, campaigns and personas (fills the fakes' slots in ``pop``)."""
    r = pyrng_for(seed, "campaigns")
    rng = rng_for(seed, "campaigns")
    fakes = list(range(pop.n_genuine, pop.n))
    if not fakes:
        return [], {}
    r.shuffle(fakes)
    n_lone = len(fakes) // 16
    lone, grouped = fakes[:n_lone], fakes[n_lone:]
    sizes = _campaign_sizes(r, len(grouped)) if len(grouped) >= 3 else []
    if not sizes:
        lone, grouped = fakes, []
    ops = _operators(r, len(sizes) + len(lone))
    used = set(orgs.names)
    as_of = pop.as_of
    sensitive_keys = [s.key for s in SECTORS if s.sensitive]
    real_by_sector: dict[int, list[int]] = {}
    for o in range(len(orgs)):
        if not orgs.shell[o]:
            real_by_sector.setdefault(orgs.sector[o], []).append(o)
    cweights = np.array([c.weight if c.targeted else 0.0 for c in COUNTRIES])
    cweights /= cweights.sum()

    groups: list[tuple[str | None, list[int]]] = []
    pos = 0
    for k, s in enumerate(sizes):
        groups.append((f"camp-{k + 1:03d}", grouped[pos : pos + s]))
        pos += s
    groups.extend((None, [i]) for i in lone)

    campaigns: list[Campaign] = []
    personas: dict[int, Persona] = {}
    for ci, (cid, members) in enumerate(groups):
        op = r.choice(ops)
        kind = r.choice(op.kinds) if r.random() < 0.8 else r.choice(tuple(KIND_TARGETS))
        careful = r.random() < 0.35
        traits = _traits(r, careful)
        prefs = [k for k in KIND_TARGETS[kind] if k in sensitive_keys]
        n_sec = r.choice((1, 2, 2, 3))
        target_sectors = [SECTOR_INDEX[k] for k in r.sample(prefs, min(n_sec, len(prefs)))]
        n_cty = 1 if r.random() < 0.6 else 2
        picked = rng.choice(len(COUNTRIES), size=n_cty, replace=False, p=cweights)
        target_countries = [int(x) for x in picked]
        # Employer: an invented shell, or (careful operators) an impersonated real employer.
        sector = SECTOR_INDEX[KIND_SECTOR[kind]]
        real = real_by_sector.get(sector, [])
        if traits["shell"] or not real:
            name = _shell_name(r, kind, used)
            home = CITIES[r.choice(range(len(CITIES)))]
            org = orgs.add(name, sector, CITIES.index(home), 0.0, shell=True)
            shell = True
        else:
            org = r.choice(real)
            shell = False
        duration = int(r.uniform(120, 480) if careful else r.uniform(45, 300)) * DAY
        start = as_of - int(r.uniform(40, 700)) * DAY
        end = min(as_of - 3600, start + duration)
        app = r.choice(op.apps)
        templates = {s: r.randrange(12) for s in (*STAGES, "note", "followup")}
        tmpl_pool = SUMMARY_TEMPLATES[kind]
        camp = Campaign(
            index=ci,
            id=cid,
            operator=op,
            kind=kind,
            careful=careful,
            members=list(members),
            org=org,
            shell=shell,
            traits=traits,
            start=start,
            end=end,
            target_sectors=target_sectors,
            target_countries=target_countries,
            app=app,
            invite_city=r.choice(_INVITE_CITIES),
            fee=r.choice(("USD 2,000", "EUR 1,500", "USD 3,000", "GBP 1,000", "USD 5,000")),
            summary_template=tmpl_pool[r.randrange(len(tmpl_pool))],
            templates=templates,
        )
        if traits["photo"] in ("reused", "mixed"):
            camp.photo_bases = [_pdq(r) for _ in range(r.choice((1, 1, 2, 3)))]
        _make_personas(r, camp, pop, orgs, people, personas, real)
        campaigns.append(camp)
    return campaigns, personas


def _creation_times(r: random.Random, camp: Campaign, n: int) -> list[int]:
    t = camp.traits
    if t["burst"]:
        lead = r.uniform(2, 25) if not camp.careful else r.uniform(120, 900)
        centre = camp.start - int(lead * DAY)
        width = r.uniform(1, 12) if not camp.careful else r.uniform(3, 30)
        times = [centre + int(r.uniform(0, width) * DAY) for _ in range(n)]
    else:
        times = [
            camp.start - int(r.uniform(10, 1500 if camp.careful else 200) * DAY) for _ in range(n)
        ]
    return [max(PLATFORM_START, x + r.randrange(86_400)) for x in times]


def _make_personas(
    r: random.Random,
    camp: Campaign,
    pop: Population,
    orgs: Orgs,
    people: Directory,
    personas: dict[int, Persona],
    peers: list[int],
) -> None:
    """Fill the personas' slots in the plan and write what they claim.

    ``peers`` are genuine employers in the shell's sector, named in claimed past jobs.
    """
    traits = camp.traits
    as_of = pop.as_of
    created = _creation_times(r, camp, len(camp.members))
    target_country = camp.target_countries[0]
    chinese = r.random() < 0.45
    if r.random() < 0.5:
        name = r.choice(PERSONA_CITIES)
        location = next(c.location for c in CITIES if c.name == name)
    else:
        home = [c for c in CITIES if c.country == target_country][0]
        location = home.location
    firm = orgs.names[camp.org]
    org_sector = orgs.sector[camp.org]
    sec = SECTORS[org_sector]
    topics = [t for s in camp.target_sectors for t in SECTORS[s].topics]
    topic, topic2 = r.sample(sorted(set(topics)), 2) if len(set(topics)) > 1 else (topics[0],) * 2
    tmpl_fill = {"firm": firm, "years": r.randrange(10, 22), "topic": topic, "topic2": topic2}
    base_summary = camp.summary_template.format(**tmpl_fill)
    schools = sorted({u for u in orgs.university if u})
    for k, i in enumerate(camp.members):
        pop.kind[i] = FAKE
        if chinese or r.random() < 0.1:
            pop.culture[i] = CULTURE_INDEX["chinese"]
        else:
            cults, probs = CULTURE_MIX[target_country]
            pop.culture[i] = r.choices(cults, weights=probs)[0]
        pop.female[i] = r.random() < 0.62
        pop.first[i] = r.randrange(10_000)
        pop.last[i] = r.randrange(10_000)
        pop.name_style[i] = 0
        pop.created[i] = created[k]
        pop.org[i] = camp.org
        pop.sector[i] = org_sector
        pop.city[i] = -1
        pop.tz[i] = camp.operator.tz
        pop.seniority[i] = 4 if traits["senior_claims"] else r.choice((2, 3))
        career = r.randrange(12, 25) if traits["senior_claims"] else r.randrange(4, 12)
        pop.age[i] = min(64, 23 + career + r.randrange(0, 4))
        title = r.choice(KIND_TITLES[camp.kind])
        people.claims[i] = Claim(title, camp.org, location, career)

        # Photo: one of the campaign's base photos with a few bit flips, or a unique one.
        photo: str | None
        mode = traits["photo"]
        if r.random() < 0.05:
            photo = None
        elif mode == "reused" or (mode == "mixed" and r.random() < 0.5):
            photo = _flip_bits(r, camp.photo_bases[k % len(camp.photo_bases)], r.randrange(0, 13))
        else:
            photo = _pdq(r)
        pop.has_photo[i] = photo is not None
        pop.verified[i] = 0 if r.random() < 0.8 else -1

        first = people.first(i)
        last = people.name(i).split(" ")[-1]
        h = handle(r, camp.app, first, last)
        if traits["templated_summary"]:
            summary = perturb(r, base_summary, traits["substitution_rate"])
        else:
            who = Who(first, people.name(i), title, firm, org_sector, location, years=career)
            summary = genuine_summary(r, who)
        if not camp.careful and r.random() < 0.3 and camp.app != "personal email":
            summary += f" {camp.app}: {h}"
        experience = _claimed_career(r, camp, orgs, peers, title, firm, location, career, as_of)
        education = [] if traits["no_education"] else _claimed_education(r, as_of, career, schools)
        skills = r.sample(
            KIND_SKILLS[camp.kind], k=min(len(KIND_SKILLS[camp.kind]), r.randrange(3, 8))
        )
        contact: dict[str, Any] | None = None
        if traits["contact_email"]:
            if camp.careful:
                email = f"{first.lower()}.{last.lower()}@{orgs.domain[camp.org]}"
            else:
                email = handle(r, "personal email", first, last)
            contact = {"email": email.replace(" ", "").replace("'", "")}
            if r.random() < 0.3:
                contact["websites"] = [f"https://www.{orgs.domain[camp.org]}"]
        headline = r.choice((
            f"{title} at {firm}",
            f"{title} | {firm}",
            f"{title} at {firm} | {r.choice(topics).capitalize()}",
            f"{title} | Connecting talent with global opportunities"
            if camp.kind == "headhunter" else f"{title} | {sec.industry}",
        ))  # fmt: skip
        fields: dict[str, Any] = {
            "name": people.name(i),
            "headline": headline,
            "summary": summary,
            "location": location,
            "industry": sec.industry,
            "photo": {"pdq": photo} if photo else None,
            "experience": experience,
            "education": education,
            "skills": skills,
            "contact": contact,
        }
        claims = r.randrange(500, 2600) if traits["claims_500"] else None
        personas[i] = Persona(
            campaign=camp.index,
            fields=fields,
            handle=h,
            claims_connections=claims,
            followers_factor=r.uniform(0.9, 1.4),
            posts=r.randrange(0, 12),
            endorsements=r.randrange(0, 40),
        )


def _claimed_career(
    r: random.Random,
    camp: Campaign,
    orgs: Orgs,
    peers: list[int],
    title: str,
    firm: str,
    location: str,
    career: int,
    as_of: int,
) -> list[dict[str, Any]]:
    """A long, senior career on paper; sloppy personas' dates sometimes overlap."""
    current_start = as_of - int(r.uniform(1.5, 6) * YEAR)
    out: list[dict[str, Any]] = [
        {"title": title, "company": firm, "start": month_text(current_start), "end": None,
         "location": location},
    ]  # fmt: skip
    t = current_start
    career_start = as_of - career * YEAR
    while t > career_start and len(out) < 4:
        length = int(r.uniform(2, 7) * YEAR)
        overlap = (not camp.careful) and r.random() < 0.3
        end = t + (
            int(r.uniform(3, 14) * 30 * DAY) if overlap else -int(r.uniform(0, 4) * 30 * DAY)
        )
        start = max(career_start, end - length)
        if r.random() < 0.5 and peers:
            company = orgs.names[r.choice(peers)]
        elif r.random() < 0.8:
            company = invented_employer(r)
        else:
            company = r.choice(_OLD_EMPLOYERS).format(r=r.choice(_REGIONS))
        prev_title = r.choice(KIND_TITLES[camp.kind])
        out.append({"title": prev_title, "company": company, "start": month_text(start),
                    "end": month_text(end), "location": location})  # fmt: skip
        t = start
    return out


def _claimed_education(
    r: random.Random, as_of: int, career: int, schools: list[str]
) -> list[dict[str, Any]]:
    grad = as_of - (career + r.randrange(0, 3)) * YEAR
    school = (
        r.choice(INTERNATIONAL_SCHOOLS) if r.random() < 0.5 or not schools else r.choice(schools)
    )
    out = [{"school": school, "degree": r.choice(("MA", "MSc", "MBA", "PhD")),
            "field": r.choice(("International Relations", "Economics", "Management",
                               "Political Science", "Human Resources")),
            "start": month_text(grad - 2 * YEAR)[:4], "end": month_text(grad)[:4]}]  # fmt: skip
    if r.random() < 0.5:
        out.append({"school": r.choice(INTERNATIONAL_SCHOOLS), "degree": "BA", "field": "English",
                    "start": month_text(grad - 6 * YEAR)[:4],
                    "end": month_text(grad - 2 * YEAR)[:4]})  # fmt: skip
    return out
