"""Sensitive organisations and sectors from employers and headlines."""

from __future__ import annotations

import pytest

from spycatcher.schema import Profile
from spycatcher.text.sensitive import SensitiveOrgs, org_key


@pytest.fixture(scope="module")
def orgs() -> SensitiveOrgs:
    return SensitiveOrgs.load()


@pytest.mark.parametrize(
    ("name", "sector"),
    [
        ("Ministry of Defence", "defence"),
        ("BAE Systems plc", "defence"),
        ("Foreign, Commonwealth & Development Office", "diplomacy"),
        ("Embassy of Germany in London", "diplomacy"),
        ("House of Commons", "parliament"),
        ("GCHQ", "intelligence"),
        ("Sellafield Ltd", "nuclear"),
        ("Airbus Defence and Space", "aerospace"),
        ("AstraZeneca", "pharma_biotech"),
        ("Vodafone Group", "telecoms"),
        ("National Grid", "energy"),
        ("Bank of England", "critical_infrastructure"),
        ("Bundesministerium des Innern", "government"),
        ("Ministère de l'Économie", "government"),  # accents folded
    ],
)
def test_sensitive_employers(orgs: SensitiveOrgs, name: str, sector: str) -> None:
    assert sector in orgs.match_text(name)


@pytest.mark.parametrize(
    "name",
    [
        "Tesco",
        "Acme Widgets Ltd",
        "Criminal Defense Attorney",
        "Smith & Co Solicitors",
        "Energy drinks distributor",
        "",
    ],
)
def test_ordinary_employers(orgs: SensitiveOrgs, name: str) -> None:
    assert orgs.match_text(name) == ()


def test_universities_count_only_for_sensitive_research(orgs: SensitiveOrgs) -> None:
    quantum = Profile(
        id="q",
        headline="PhD researcher, quantum sensing",
        experience=[{"title": "Research Associate", "company": "University of Bristol"}],
    )
    history = Profile(
        id="h",
        headline="Lecturer in medieval history",
        experience=[{"title": "Lecturer", "company": "University of Bristol"}],
    )
    m = orgs.classify(quantum)
    assert m is not None and m.sectors == ("research",) and m.org == "University of Bristol"
    assert orgs.classify(history) is None


def test_current_employer_first_then_headline(orgs: SensitiveOrgs) -> None:
    past = Profile(
        id="p",
        experience=[
            {"title": "Analyst", "company": "Ministry of Defence", "start": "2010", "end": "2015"},
            {"title": "Manager", "company": "Tesco", "start": "2015"},
        ],
    )
    assert orgs.classify(past) is None  # a past employer does not make one sensitive
    head = Profile(id="h", headline="Policy Adviser at FCDO")
    m = orgs.classify(head)
    assert m is not None and m.org == "FCDO" and m.sectors == ("diplomacy",)


def test_org_key_merges_spellings() -> None:
    assert org_key("BAE Systems plc") == org_key("BAE SYSTEMS") == "bae systems"
    assert org_key("Ministère  de la Défense") == "ministere de la defense"


def test_user_config_and_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "s.toml"
    cfg.write_text(
        'exclude = ["toy army"]\n'
        '[sectors.space]\ntitle = "space"\npatterns = ["orbital", "army"]\n',
        encoding="utf-8",
    )
    orgs = SensitiveOrgs.load(cfg)
    assert orgs.match_text("Orbital Launch Co") == ("space",)
    assert orgs.match_text("Toy Army Shop") == ()
    assert orgs.titles == {"space": "space"}
    with pytest.raises(ValueError, match="no \\[sectors.NAME\\]"):
        SensitiveOrgs.from_toml("x = 1")
    with pytest.raises(ValueError, match="sector bad: bad regular expression"):
        SensitiveOrgs.from_toml('[sectors.bad]\npatterns = ["("]\n')
    with pytest.raises(ValueError, match="sector empty: no patterns"):
        SensitiveOrgs.from_toml("[sectors.empty]\npatterns = []\n")
