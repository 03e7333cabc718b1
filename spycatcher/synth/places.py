"""Countries and cities of the synthetic network, with time zones and name-culture mixes.

The population lives mostly in the countries whose agencies published the warnings (the UK,
Germany, the US) and their allies. A city's culture mix decides the names of the people who live
there, and its time zone decides when they are active, which matters because an operator working
from another time zone leaves a different daily rhythm in the events.
"""

from __future__ import annotations

from dataclasses import dataclass

from spycatcher.synth.names import CULTURE_INDEX


@dataclass(frozen=True, slots=True)
class Country:
    key: str
    name: str
    adjective: str
    weight: float
    #: hours ahead of UTC (standard time; the synthetic clock ignores daylight saving)
    tz: float
    cities: tuple[str, ...]
    #: culture key -> weight of members with names from that culture
    cultures: tuple[tuple[str, float], ...]
    #: how LinkedIn-style locations spell a city here: "{city}, {region}{country}"
    region: str = ""
    #: do campaigns target this country's organisations? (the others are where personas
    #: claim to live; genuine members live there too, so a location proves nothing)
    targeted: bool = True


COUNTRIES: tuple[Country, ...] = (
    Country(
        "gb", "United Kingdom", "British", 0.30, 0.0,
        ("London", "Manchester", "Bristol", "Edinburgh", "Cambridge", "Oxford", "Birmingham",
         "Cardiff", "Belfast", "Leeds", "Glasgow", "Reading", "Cheltenham", "Farnborough"),
        (("anglo", 60), ("irish", 4), ("south_asian", 11), ("chinese", 4), ("west_african", 5),
         ("polish", 3), ("arabic", 3), ("french", 2), ("italian", 2), ("spanish", 2),
         ("german", 1), ("turkish", 1), ("slavic", 1), ("vietnamese", 1)),
        "England, ",
    ),
    Country(
        "us", "United States", "American", 0.20, -5.0,
        ("Washington, DC", "Arlington, Virginia", "New York", "Boston", "San Francisco",
         "Seattle", "Huntsville, Alabama", "Denver", "Austin", "San Diego"),
        (("anglo", 55), ("irish", 6), ("spanish", 12), ("chinese", 6), ("south_asian", 7),
         ("west_african", 4), ("korean", 2), ("vietnamese", 2), ("italian", 3), ("german", 3)),
    ),
    Country(
        "de", "Germany", "German", 0.15, 1.0,
        ("Berlin", "Munich", "Hamburg", "Bonn", "Frankfurt", "Cologne", "Stuttgart", "Bremen"),
        (("german", 74), ("turkish", 8), ("polish", 4), ("slavic", 4), ("italian", 2),
         ("arabic", 3), ("chinese", 2), ("south_asian", 2), ("anglo", 1)),
    ),
    Country(
        "fr", "France", "French", 0.06, 1.0,
        ("Paris", "Toulouse", "Lyon", "Bordeaux", "Grenoble"),
        (("french", 78), ("arabic", 10), ("west_african", 5), ("spanish", 2), ("italian", 2),
         ("chinese", 2), ("vietnamese", 1)),
    ),
    Country(
        "nl", "Netherlands", "Dutch", 0.05, 1.0,
        ("Amsterdam", "The Hague", "Rotterdam", "Eindhoven", "Utrecht", "Delft"),
        (("dutch", 78), ("turkish", 6), ("arabic", 5), ("anglo", 3), ("german", 3),
         ("south_asian", 2), ("chinese", 2)),
    ),
    Country(
        "be", "Belgium", "Belgian", 0.04, 1.0,
        ("Brussels", "Antwerp", "Ghent", "Leuven"),
        (("dutch", 35), ("french", 35), ("anglo", 6), ("german", 5), ("italian", 5),
         ("spanish", 4), ("polish", 4), ("arabic", 4), ("nordic", 2)),
    ),
    Country(
        "se", "Sweden", "Swedish", 0.03, 1.0,
        ("Stockholm", "Gothenburg", "Linköping", "Malmö"),
        (("nordic", 82), ("arabic", 5), ("slavic", 3), ("anglo", 3), ("turkish", 3),
         ("german", 2), ("polish", 2)),
    ),
    Country(
        "pl", "Poland", "Polish", 0.03, 1.0,
        ("Warsaw", "Kraków", "Wrocław", "Gdańsk"),
        (("polish", 90), ("slavic", 8), ("anglo", 2)),
    ),
    Country(
        "it", "Italy", "Italian", 0.03, 1.0,
        ("Rome", "Milan", "Turin", "Naples"),
        (("italian", 90), ("arabic", 3), ("spanish", 3), ("slavic", 2), ("chinese", 2)),
    ),
    Country(
        "ie", "Ireland", "Irish", 0.02, 0.0,
        ("Dublin", "Cork", "Galway"),
        (("irish", 70), ("anglo", 15), ("polish", 6), ("south_asian", 4), ("spanish", 3),
         ("chinese", 2)),
    ),
    Country(
        "ca", "Canada", "Canadian", 0.03, -5.0,
        ("Ottawa", "Toronto", "Montreal", "Vancouver"),
        (("anglo", 50), ("french", 18), ("chinese", 10), ("south_asian", 10), ("irish", 4),
         ("italian", 3), ("korean", 2), ("vietnamese", 3)),
    ),
    Country(
        "au", "Australia", "Australian", 0.03, 10.0,
        ("Canberra", "Sydney", "Melbourne", "Adelaide"),
        (("anglo", 60), ("irish", 6), ("chinese", 12), ("south_asian", 8), ("vietnamese", 4),
         ("italian", 5), ("korean", 2), ("japanese", 3)),
    ),
    Country(
        "in", "India", "Indian", 0.02, 5.5,
        ("Bengaluru", "New Delhi", "Hyderabad", "Pune"),
        (("south_asian", 97), ("anglo", 3)),
    ),
    Country(
        "sg", "Singapore", "Singaporean", 0.01, 8.0,
        ("Singapore",),
        (("chinese", 72), ("south_asian", 12), ("anglo", 8), ("vietnamese", 4), ("japanese", 4)),
        targeted=False,
    ),
    Country(
        "hk", "Hong Kong SAR", "Hong Kong", 0.008, 8.0,
        ("Hong Kong SAR",),
        (("chinese", 86), ("anglo", 7), ("south_asian", 4), ("french", 1), ("japanese", 2)),
        targeted=False,
    ),
    Country(
        "cn", "China", "Chinese", 0.008, 8.0,
        ("Shanghai", "Beijing", "Shenzhen"),
        (("chinese", 96), ("anglo", 2), ("korean", 1), ("japanese", 1)),
        targeted=False,
    ),
    Country(
        "ae", "United Arab Emirates", "Emirati", 0.006, 4.0,
        ("Dubai", "Abu Dhabi"),
        (("arabic", 35), ("south_asian", 40), ("anglo", 12), ("west_african", 4), ("french", 3),
         ("slavic", 3), ("chinese", 3)),
        targeted=False,
    ),
    Country(
        "ch", "Switzerland", "Swiss", 0.01, 1.0,
        ("Geneva", "Zurich", "Bern"),
        (("german", 50), ("french", 26), ("italian", 10), ("anglo", 6), ("spanish", 3),
         ("slavic", 2), ("turkish", 3)),
        targeted=False,
    ),
    Country(
        "at", "Austria", "Austrian", 0.008, 1.0,
        ("Vienna", "Graz"),
        (("german", 82), ("slavic", 6), ("turkish", 6), ("anglo", 3), ("polish", 3)),
        targeted=False,
    ),
)  # fmt: skip

#: where hostile personas often claim to be based (besides their targets' own cities)
PERSONA_CITIES: tuple[str, ...] = (
    "Hong Kong SAR", "Singapore", "Shanghai", "Beijing", "Dubai", "Geneva", "Vienna",
    "Brussels", "London", "Washington, DC", "Berlin",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class City:
    name: str
    country: int
    location: str
    tz: float


def _cities() -> tuple[City, ...]:
    out = []
    for ci, c in enumerate(COUNTRIES):
        for name in c.cities:
            region = c.region if name != "Belfast" else "Northern Ireland, "
            if c.key == "gb" and name in ("Edinburgh", "Glasgow"):
                region = "Scotland, "
            if c.key == "gb" and name == "Cardiff":
                region = "Wales, "
            loc = name if name == c.name else f"{name}, {region}{c.name}"
            out.append(City(name, ci, loc, c.tz))
    return tuple(out)


CITIES: tuple[City, ...] = _cities()

#: culture weights per country as (culture indices, probabilities)
CULTURE_MIX: tuple[tuple[tuple[int, ...], tuple[float, ...]], ...] = tuple(
    (
        tuple(CULTURE_INDEX[k] for k, _ in c.cultures),
        tuple(w / sum(w for _, w in c.cultures) for _, w in c.cultures),
    )
    for c in COUNTRIES
)


def country_cities(country: int) -> list[int]:
    """Indices into :data:`CITIES` of one country's cities, capital-ish first."""
    return [i for i, c in enumerate(CITIES) if c.country == country]
