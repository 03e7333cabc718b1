"""Fictional organisations: state bodies, companies, universities, think tanks and shells.

Organisation sizes are heavy-tailed (a few very large employers, many small ones) because that is
what makes same-employer homophily and "staff of one organisation approached by one campaign"
look like real data. Every organisation has an invented name (state bodies use their usual
generic names), a sector, a city and a web domain under the reserved ``.example`` TLD so that no
synthetic address can belong to a real organisation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from spycatcher.synth.names import CULTURES, slug
from spycatcher.synth.places import CITIES, COUNTRIES, country_cities
from spycatcher.synth.sectors import DEPARTMENTS, SECTOR_INDEX, SECTORS

_PREFIXES = (
    "North South East West Ash Silver Kings Bright Alder Oak Raven Stone Hart Wind Fair Elm "
    "Glen Red Black White Green Iron Copper Golden Falcon Kestrel Heron Wren Lark Swift Thorn "
    "Birch Cedar Rowan Hazel Marl Chal Brack Tam Dun Wey"
).split()
_SUFFIXES = (
    "bridge moor field wood gate ford water ton ley brook vale well stone mere haven crest "
    "point ridge wick hurst dale combe stead holm worth"
).split()
_WORDS = (
    "Vantage Meridian Halcyon Corvid Lumen Stratus Novara Veritas Aurora Solent Talon Arcadia "
    "Helix Lyra Polaris Quantis Zenith Apex Atlas Beacon Catalyst Summit Pinnacle Horizon Vertex "
    "Nexus Sentinel Trident Aegis Bastion Keystone Lodestar Cobalt Argent Tessera Obsidian "
    "Calder Severn Tamar Avon Mersey Pennant Clarion Harbinger Evenstar Solace Tidewater "
    "Brightline Clearwater Firth Loxley Orwell Redwing Silverline Skylark Stirling Wexford"
).split()
_TT_TOPICS = (
    "European Security|Strategic|Asia-Europe|Global Governance|Maritime|Energy Policy"
    "|Technology Policy|Transatlantic|Eurasian|Defence and Security|International Economics"
    "|Strategic Dialogue|Global Affairs|Security Policy|Conflict"
).split("|")
_TLD = ".example"
#: schools abroad that appear in education without being employers in the network
INTERNATIONAL_SCHOOLS = (
    "London School of Business and Politics", "Paris Institute of Political Studies",
    "Hong Kong Institute of International Studies", "Shanghai University of Economics",
    "Beijing Institute of Foreign Affairs", "European Graduate School of Management",
    "Geneva Institute of International Relations", "Singapore School of Public Policy",
)  # fmt: skip
_EMPLOYER_FORMS = (
    "{w} Capital Partners", "{w} Consulting Group", "{w} International Trading", "{w} Holdings",
    "{w} Global Advisory", "{w} Investment Group", "{w} Ltd", "{w} GmbH", "{w} Solutions",
    "{w} Services", "{w} International", "{w} & Co",
)  # fmt: skip


def invented_employer(r: random.Random) -> str:
    """A past employer that is not in the network (abroad, closed, too small to be on it).

    Genuine members list such employers too, so "a past employer nobody else mentions" is a
    weak hint, not a giveaway.
    """
    word = r.choice(_WORDS) if r.random() < 0.5 else r.choice(_PREFIXES) + r.choice(_SUFFIXES)
    return r.choice(_EMPLOYER_FORMS).format(w=word)


@dataclass(slots=True)
class Orgs:
    """All organisations, as parallel lists/arrays indexed by org id."""

    names: list[str] = field(default_factory=list)
    sector: list[int] = field(default_factory=list)
    city: list[int] = field(default_factory=list)
    weight: list[float] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    #: shell employers invented by a campaign: no genuine member ever works there
    shell: list[bool] = field(default_factory=list)
    #: university name for departments ("" otherwise), used for education entries
    university: list[str] = field(default_factory=list)

    def add(
        self,
        name: str,
        sector: int,
        city: int,
        weight: float,
        *,
        shell: bool = False,
        university: str = "",
        domain: str | None = None,
    ) -> int:
        self.names.append(name)
        self.sector.append(sector)
        self.city.append(city)
        self.weight.append(weight)
        self.domain.append(domain or (slug(name)[:40].strip("-") + _TLD))
        self.shell.append(shell)
        self.university.append(university)
        return len(self.names) - 1

    def __len__(self) -> int:
        return len(self.names)

    def sensitive(self, org: int) -> bool:
        return SECTORS[self.sector[org]].sensitive


def _stem(rng: np.random.Generator, used: set[str]) -> str:
    for _ in range(50):
        if rng.random() < 0.45:
            word = str(rng.choice(_WORDS))
        else:
            word = str(rng.choice(_PREFIXES)) + str(rng.choice(_SUFFIXES))
        if word not in used:
            used.add(word)
            return word
    word = str(rng.choice(_PREFIXES)) + str(rng.choice(_SUFFIXES)) + str(len(used))
    used.add(word)
    return word


def _town(rng: np.random.Generator) -> str:
    return str(rng.choice(_PREFIXES)) + str(rng.choice(_SUFFIXES))


def _state_bodies(ci: int) -> list[tuple[str, str]]:
    """(sector key, name) of a country's state bodies; generic names, as on real profiles."""
    c = COUNTRIES[ci]
    if c.key == "gb":
        return [
            *(("government", n) for n in (
                "Cabinet Office", "HM Treasury", "Home Office", "Department for Business and Trade",
                "Department for Science, Innovation and Technology",
                "Department for Energy Security and Net Zero",
                "Department of Health and Social Care", "Department for Transport")),
            *(("defence", n) for n in (
                "Ministry of Defence", "British Army", "Royal Navy", "Royal Air Force",
                "Defence Science and Technology Laboratory", "Defence Equipment and Support")),
            *(("intelligence", n) for n in (
                "National Cyber Security Centre", "Defence Intelligence",
                "Joint Intelligence Organisation", "National Security Secretariat")),
            ("diplomacy", "Foreign, Commonwealth & Development Office"),
            ("parliament", "House of Commons"),
            ("parliament", "House of Lords"),
            ("nuclear", "National Nuclear Laboratory"),
            ("nuclear", "Atomic Research Establishment"),
            ("aerospace", "UK Space Agency"),
        ]  # fmt: skip
    if c.key == "us":
        return [
            *(("government", n) for n in (
                "U.S. Department of Commerce", "U.S. Department of the Treasury",
                "U.S. Department of Homeland Security", "U.S. Department of Energy",
                "Office of Science and Technology Policy")),
            *(("defence", n) for n in (
                "U.S. Department of Defense", "U.S. Army", "U.S. Navy", "U.S. Air Force",
                "Defense Advanced Research Projects Agency", "Air Force Research Laboratory")),
            *(("intelligence", n) for n in (
                "Defense Intelligence Agency", "Cybersecurity and Infrastructure Security Agency",
                "Office of the Director of National Intelligence")),
            ("diplomacy", "U.S. Department of State"),
            ("parliament", "U.S. House of Representatives"),
            ("parliament", "U.S. Senate"),
            ("nuclear", "National Nuclear Security Administration"),
            ("nuclear", "Oak Valley National Laboratory"),
            ("aerospace", "National Aeronautics Research Center"),
        ]  # fmt: skip
    adj = "German Federal" if c.key == "de" else c.adjective
    parl = {
        "de": "German Bundestag",
        "fr": "French National Assembly",
        "nl": "House of Representatives of the Netherlands",
        "be": "European Parliament",
    }.get(c.key, f"Parliament of {c.name}")
    foreign = "Federal Foreign Office" if c.key == "de" else f"{adj} Ministry of Foreign Affairs"
    forces = "Bundeswehr" if c.key == "de" else f"{c.adjective} Armed Forces"
    return [
        ("government", f"{adj} Ministry of Finance"),
        ("government", f"{adj} Ministry of Economic Affairs"),
        ("government", f"{adj} Ministry of the Interior"),
        ("government", f"{adj} Ministry of Health"),
        ("defence", f"{adj} Ministry of Defence"),
        ("defence", forces),
        ("defence", f"{c.adjective} Defence Research Agency"),
        ("intelligence", f"{c.adjective} Security and Intelligence Service"),
        ("intelligence", f"{c.adjective} National Cyber Security Centre"),
        ("diplomacy", foreign),
        ("parliament", parl),
        ("nuclear", f"{c.adjective} Nuclear Research Centre"),
        ("aerospace", f"{c.adjective} Space Agency"),
    ]


def _embassy_name(sender: int, host_city: str) -> str:
    c = COUNTRIES[sender]
    if c.key == "gb":
        return f"British Embassy {host_city}"
    if c.key == "us":
        return f"U.S. Embassy {host_city}"
    return f"Embassy of {c.name} in {host_city}"


def build_orgs(rng: np.random.Generator, n_target: int) -> Orgs:
    """Build about ``n_target`` organisations (state bodies always exist in every country)."""
    orgs = Orgs()
    used: set[str] = set()
    cweights = np.array([c.weight for c in COUNTRIES])
    cweights = cweights / cweights.sum()

    def pick_city(ci: int, capital_p: float = 0.45) -> int:
        cities = country_cities(ci)
        if rng.random() < capital_p:
            return cities[0]
        return int(rng.choice(cities))

    def size() -> float:
        return float(rng.pareto(1.1) + 1.0)

    # State bodies, embassies: large employers in every country of the sample (the countries
    # where personas claim to live are represented by companies and universities only).
    sample = [ci for ci, c in enumerate(COUNTRIES) if c.targeted]
    for ci in sample:
        for sector_key, name in _state_bodies(ci):
            s = SECTOR_INDEX[sector_key]
            capital = 1.0 if sector_key in ("government", "diplomacy", "parliament") else 0.5
            orgs.add(name, s, pick_city(ci, capital), size() * 6.0)
        host = country_cities(ci)[0]
        senders = [x for x in sample if x != ci]
        for sender in rng.choice(senders, size=min(5, len(senders)), replace=False):
            name = _embassy_name(int(sender), CITIES[host].name.split(",")[0])
            orgs.add(name, SECTOR_INDEX["diplomacy"], host, size())

    n_company = max(60, n_target - len(orgs))
    # Universities: every department is an employer; science departments count as research.
    n_unis = max(3, n_company // 40)
    for _ in range(n_unis):
        ci = int(rng.choice(len(COUNTRIES), p=cweights))
        town = _town(rng)
        uni = f"University of {town}" if rng.random() < 0.7 else f"{town} Institute of Technology"
        city = pick_city(ci, 0.3)
        uni_weight = size()
        for dept, research in DEPARTMENTS:
            s = SECTOR_INDEX["university_research" if research else "higher_ed"]
            orgs.add(f"{uni} — {dept}", s, city, uni_weight * float(rng.uniform(0.3, 1.5)),
                     university=uni, domain=slug(uni) + _TLD)  # fmt: skip

    patterned = [i for i, s in enumerate(SECTORS) if s.patterns]
    sw = np.array([SECTORS[i].weight for i in patterned])
    counts = np.maximum(1, np.round(sw / sw.sum() * (n_company - n_unis * len(DEPARTMENTS))))
    surnames = [s for c in CULTURES[:10] for s in c.surnames]
    for si, k in zip(patterned, counts.astype(int), strict=True):
        sector = SECTORS[si]
        for _ in range(k):
            pattern = str(rng.choice(sector.patterns))
            name = pattern.format(
                stem=_stem(rng, used),
                town=_town(rng),
                surname=str(rng.choice(surnames)),
                surname2=str(rng.choice(surnames)),
                topic=str(rng.choice(_TT_TOPICS)),
            )
            if name in used:
                name = f"{name} {COUNTRIES[0].name}" if rng.random() < 0.5 else f"{name} Group"
            used.add(name)
            ci = int(rng.choice(len(COUNTRIES), p=cweights))
            orgs.add(name, si, pick_city(ci), size())
    return orgs
