"""The dashboard: its figures (SQL aggregates, on SQLite and PostgreSQL), its charts and its page.

The store is seeded with exactly known data: profiles and approaches through the service's ingest,
two scan runs written through the Store API an engine uses (so scores, levels and campaigns are
chosen, not whatever the detectors make of a tiny network), cases opened from those scans and
decided by a reviewer on chosen days (the service's clock is moved). Each expected figure below
is worked out from that seed by hand.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from review_helpers import running
from web_support import sign_in

from spycatcher.api.auth import authenticate
from spycatcher.report import write_report
from spycatcher.review import stats
from spycatcher.schema import Event, Profile
from spycatcher.store.models import ScanRun
from spycatcher.web import charts

NOW = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
DAY = timedelta(days=1)


class Clock:
    """The service's clock, moved by the test (cases open and are decided on chosen days)."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def person(pid: str, name: str, jobs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": pid, "name": name, "created_at": "2012-01-01", "experience": jobs}


def job(company: str, title: str = "Engineer", end: str | None = None) -> dict[str, Any]:
    j = {"company": company, "title": title, "start": "2015-01"}
    if end:
        j["end"] = end
    return j


PROFILES = [
    person("alice", "Alice", [job("BAE Systems")]),
    person("bob", "Bob", [job("Ministry of Defence", "Policy Adviser")]),
    # two current employers: counted under each
    person("carol", "Carol", [job("Acme Bakery", "Baker"), job("BAE Systems plc", "Consultant")]),
    # used to work at a sensitive organisation: only the current job counts
    person("dan", "Dan", [job("Acme Bakery", "Baker"), job("Ministry of Defence", end="2019-01")]),
    person("erin", "Erin", [job("Acme Bakery", "Manager")]),
    person("f1", "Rachel Li", [job("RiseHR Consulting", "Director of Talent")]),
    person("f2", "Jenny Wu", [job("RiseHR Consulting", "Talent Partner")]),
    person("h3", "High Three", [job("Lone Consulting")]),
    person("h4", "High Four", [job("Lone Consulting")]),
    person("m1", "Medium One", [job("Shell Co")]),
    person("g1", "Genuine", [job("Acme Bakery")]),
]


def ev(i: int, actor: str, target: str, at: datetime, kind: str = "invitation") -> dict[str, Any]:
    return {"id": f"e{i}", "type": kind, "actor": actor, "target": target, "at": at.isoformat()}


#: (actor, target, days ago): f1/f2 are campaign A, m1 medium risk, g1 low risk
APPROACHES = [
    ("f1", "alice", 5),
    ("f1", "bob", 5),
    ("f2", "bob", 4),
    ("f2", "carol", 3),
    ("f1", "dan", 3),
    ("m1", "erin", 2),
    ("g1", "alice", 2),  # low risk: not a suspect
    ("f1", "erin", 200),  # outside the range
]


def events() -> list[dict[str, Any]]:
    out = [ev(i, a, t, NOW - d * DAY) for i, (a, t, d) in enumerate(APPROACHES)]
    out.append(ev(99, "f2", "alice", NOW - 4 * DAY, "message") | {"text": "We pay well."})
    out.append(ev(98, "alice", "f1", NOW - 4 * DAY, "connection"))  # not an approach
    return out


RUN1 = [  # (id, score, level, campaign)
    ("f1", 0.95, "high", "campaign-a"),
    ("f2", 0.72, "high", "campaign-a"),
    ("m1", 0.45, "medium", None),
    ("g1", 0.05, "low", None),
]
RUN2 = [
    *RUN1,
    ("h3", 1.0, "high", None),
    ("h4", 0.7, "high", None),
    ("alice", 0.12, "low", None),
]


def save_run(store: Any, rows: list[tuple[str, float, str, str | None]], finished: datetime) -> str:
    run_id: str = store.start_run("local", "test", "zero-shot")
    store.save_assessments(
        run_id,
        [
            {"id": pid, "score": sc, "level": lvl, "campaign_id": camp, "signals": []}
            for pid, sc, lvl, camp in rows
        ],
    )
    store.save_campaigns(
        run_id,
        [
            {
                "id": "campaign-a",
                "members": ["f1", "f2"],
                "targets": ["alice", "bob", "carol", "dan"],
                "organisations": ["BAE Systems", "Ministry of Defence"],
                "evidence": ["2 profiles use the same wording (message)."],
                "score": 0.9,
            }
        ],
    )
    store.finish_run(run_id, {})
    with store.session() as s, s.begin():
        s.get(ScanRun, run_id).finished_at = finished
    return run_id


def seed(svc: Any, clock: Clock) -> dict[str, Any]:
    """The known world of these tests (see the module docstring)."""
    r = svc.client.post("/ingest/profiles", json=PROFILES, headers=svc.h("admin"))
    assert r.status_code == 200 and r.json()["accepted"] == len(PROFILES), r.text
    r = svc.client.post("/ingest/events", json=events(), headers=svc.h("admin"))
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text
    run1 = save_run(svc.store, RUN1, NOW - 20 * DAY)
    run2 = save_run(svc.store, RUN2, NOW - 1 * DAY)
    admin = authenticate(svc.store, svc.keys["admin"])
    reviewer = authenticate(svc.store, svc.keys["reviewer"])
    assert admin and reviewer
    service = svc.service
    clock.now = NOW - 10 * DAY
    first = service.cases_from_scan(admin, run1)["cases_opened"]  # f1, f2
    case_of = {service.case(admin, c)["profile_id"]: c for c in first}
    clock.now = NOW - 9 * DAY
    service.claim(reviewer, case_of["f1"])
    service.decide(reviewer, case_of["f1"], "fake", "same photo as a stock image")
    clock.now = NOW - timedelta(hours=2)
    second = service.cases_from_scan(admin, run2)["cases_opened"]  # h3, h4 (f2 still open)
    case_of |= {service.case(admin, c)["profile_id"]: c for c in second}
    assert set(case_of) == {"f1", "f2", "h3", "h4"}
    clock.now = NOW - timedelta(hours=1)
    service.claim(reviewer, case_of["h3"])
    service.decide(reviewer, case_of["h3"], "needs_info", "ask the platform for logins")
    clock.now = NOW
    return {"run1": run1, "run2": run2, "cases": case_of}


def figures(svc: Any, start: date | None = None, end: date | None = None) -> stats.Dashboard:
    rng = stats.DateRange.parse(
        start.isoformat() if start else None, end.isoformat() if end else None, NOW.date()
    )
    with svc.store.session() as s:
        return stats.dashboard(s, rng, NOW)


def test_dashboard_figures_match_the_seed(db_url):
    clock = Clock(NOW)
    with running(db_url, clock=clock) as svc:
        seen = seed(svc, clock)
        d = figures(svc)
        assert d.range.granularity == "day" and d.range.days == stats.DEFAULT_DAYS
        assert d.run is not None and d.run["run_id"] == seen["run2"]

        # risk distribution of run 2: 0.05 -> band 1, 0.12 -> 2, 0.45 -> 9, 0.7 -> 14,
        # 0.72 -> 14, 0.95 and 1.0 -> 19
        expected = [0] * stats.BINS
        for b in (1, 2, 9, 14, 14, 19, 19):
            expected[b] += 1
        assert d.bands == expected
        assert d.levels == {"high": 4, "medium": 1, "low": 2}
        assert d.campaigns_total == 1

        # campaigns over time: f1 and f2 sent 6 approaches in range (days ago 5, 5, 4, 4, 3, 3)
        days = [NOW.date() - timedelta(days=k) for k in (5, 4, 3)]
        idx = [d.periods.index(x.isoformat()) for x in days]
        series = d.campaign_series["campaign-a"]
        assert [series[i] for i in idx] == [2, 2, 2] and sum(series) == 6
        assert d.campaigns_active == 1 and d.campaign_sizes == {"campaign-a": 2}
        assert d.top_campaigns[0]["id"] == "campaign-a"
        assert d.top_campaigns[0]["approaches"] == 6

        # targeting: suspects are f1, f2 (high, and f1 decided fake) and m1 (medium); g1 is low
        # risk and the 200-day-old approach is out of range. Approached: alice, bob, carol, dan,
        # erin with 7 approaches.
        assert (d.targets_total, d.approaches_total) == (5, 7)
        orgs = {o["name"]: o for o in d.organisations}
        # BAE Systems and "BAE Systems plc" are one organisation (alice 2 approaches, carol 1)
        assert orgs["BAE Systems"]["members"] == 2 and orgs["BAE Systems"]["approaches"] == 3
        assert "defence" in orgs["BAE Systems"]["sectors"]
        # bob at the Ministry of Defence; dan's past job there does not count
        assert orgs["Ministry of Defence"]["members"] == 1
        assert orgs["Ministry of Defence"]["approaches"] == 2
        assert orgs["Acme Bakery"]["members"] == 3 and orgs["Acme Bakery"]["sectors"] == []
        assert d.organisations[0]["name"] == "Acme Bakery"  # the most members first
        sectors = {x["sector"]: x for x in d.sectors}
        assert sectors["defence"]["members"] == 3  # alice, carol (BAE), bob (MoD)
        assert sectors["government"]["members"] == 1  # bob
        assert d.sensitive_targets == 3

        # throughput: one fake nine days ago, one needs-information today
        fake_day = d.periods.index((NOW - 9 * DAY).date().isoformat())
        today = d.periods.index((NOW - timedelta(hours=1)).date().isoformat())
        assert sum(d.throughput["fake"]) == 1 and d.throughput["fake"][fake_day] == 1
        assert sum(d.throughput["needs_info"]) == 1 and d.throughput["needs_info"][today] == 1
        assert sum(d.throughput["genuine"]) == sum(d.throughput["escalate"]) == 0
        assert d.decided_total == 2

        # backlog now: f2 (opened 10 days ago: "1 to 2 weeks"), h4 open and h3 needing
        # information (both opened 2 hours ago: "under 1 day")
        assert d.open_now == 3
        assert d.backlog["open"] == [1, 0, 0, 1, 0, 0]
        assert d.backlog["needs_info"] == [1, 0, 0, 0, 0, 0]
        assert d.oldest_open == NOW - 10 * DAY
        # open at the end of each day: 2 from ten days ago, 1 from nine, 3 from today
        opened = d.periods.index((NOW - 10 * DAY).date().isoformat())
        assert d.open_series[opened - 1] == 0 and d.open_series[opened] == 2
        assert d.open_series[fake_day] == 1 and d.open_series[-1] == 3


def test_the_range_picks_the_scan_and_the_periods(db_url):
    clock = Clock(NOW)
    with running(db_url, clock=clock) as svc:
        seen = seed(svc, clock)
        # a range ending before run 2 finished shows run 1 (risk as it was then)
        end = (NOW - 5 * DAY).date()
        d = figures(svc, end - timedelta(days=30), end)
        assert d.run is not None and d.run["run_id"] == seen["run1"]
        assert d.levels == {"high": 2, "medium": 1, "low": 1}
        assert d.periods[-1] == end.isoformat() and len(d.periods) == 31
        # the 200-day-old approach appears in a year-long range, in weekly periods
        d = figures(svc, (NOW - 364 * DAY).date(), NOW.date())
        assert d.range.granularity == "week"
        assert all(p.startswith("w/c ") for p in d.periods)
        assert sum(d.campaign_series["campaign-a"]) == 7
        week = (NOW - 200 * DAY).date()
        monday = week - timedelta(days=week.weekday())
        assert d.campaign_series["campaign-a"][d.periods.index(f"w/c {monday}")] == 1
        # before any scan finished: no risk figures, and the page says so
        d = figures(svc, (NOW - 60 * DAY).date(), (NOW - 30 * DAY).date())
        assert d.run is None and sum(d.bands) == 0 and d.notes


def test_date_range_parsing():
    today = date(2026, 3, 31)
    r = stats.DateRange.parse(None, None, today)
    assert (r.start, r.end, r.days) == (date(2026, 1, 1), today, 90)
    assert stats.DateRange.parse("2026-01-01", "2026-01-01", today).days == 1
    months = stats.DateRange.parse("2023-06-15", "2026-03-31", today)
    assert months.granularity == "month" and months.periods()[0] == date(2023, 6, 1)
    assert months.periods()[-1] == date(2026, 3, 1)
    for bad, why in [
        (("2026-02-30", None), "must look like"),
        (("yesterday", None), "must look like"),
        (("2026-03-02", "2026-03-01"), "after the end"),
        (("2020-01-01", "2026-01-01"), "at most"),
        (("2026-01-01T00:00:00", None), "must look like"),
    ]:
        with pytest.raises(stats.RangeError, match=why):
            stats.DateRange.parse(*bad, today)


class Outline(HTMLParser):
    """Collects what the accessibility checks need: tags with attributes, headings, text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def test_dashboard_page_is_for_staff_and_its_charts_are_accessible(db_url):
    clock = Clock(NOW)
    with running(db_url, clock=clock) as svc:
        seed(svc, clock)
        r = svc.client.get("/dashboard", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/dashboard"
        sign_in(svc.client, svc.keys["member"])
        assert svc.client.get("/dashboard").status_code == 403
        sign_in(svc.client, svc.keys["reviewer"])
        r = svc.client.get("/dashboard")
        assert r.status_code == 200
        html = r.text
        outline = Outline()
        outline.feed(html)
        svgs = [a for t, a in outline.tags if t == "svg" and "chart" in (a.get("class") or "")]
        assert len(svgs) == 7
        ids = {a.get("id") for _, a in outline.tags if a.get("id")}
        for a in svgs:
            assert a["role"] == "img"
            title_id, desc_id = (a["aria-labelledby"] or "").split()
            assert title_id in ids and desc_id in ids
        assert html.count("<details") == 7 and html.count('scope="col"') > 20
        assert not any("style" in a for _, a in outline.tags), "inline style breaks the CSP"
        assert not any(k.startswith("on") for _, a in outline.tags for k in a)
        assert outline.headings[0] == 1
        assert all(b - a <= 1 for a, b in zip(outline.headings, outline.headings[1:], strict=False))
        labelled = {a.get("for") for t, a in outline.tags if t == "label"}
        inputs = [a for t, a in outline.tags if t == "input" and a.get("type") != "hidden"]
        assert inputs and all(a.get("id") in labelled for a in inputs)
        # the figures reach the page: the data tables hold them
        assert "Ministry of Defence" in html and "campaign-a" in html
        assert "needs more information" in html

        bad = svc.client.get("/dashboard?from=2026-02-30")
        assert bad.status_code == 400 and "must look like" in bad.text
        assert "<svg" in bad.text  # the default range is still shown


def test_charts_escape_and_clean_attacker_labels():
    evil = '<script>alert(1)</script>\u202eevil\u200b" onload="x'
    chart = charts.bar_chart(
        "chart-x", "Orgs", [(evil, 3), ("Plain", 1)], value_label="members", label_heading="org"
    )
    html = str(chart.figure())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\u202e" not in html and "\u200b" not in html
    assert '" onload="' not in html
    assert charts.clean_label("a\u202eb\u2066c\x00d  e", 10) == "abc d e"
    assert charts.clean_label("x" * 50, 10) == "x" * 9 + "\u2026"
    with pytest.raises(ValueError, match="chart id"):
        charts.bar_chart('a" onload="x', "t", [], value_label="v", label_heading="h")
    with pytest.raises(ValueError, match="values for"):
        charts.line_chart(
            "chart-y", "t", ["a", "b"], {"s": [1]}, category_heading="c", value_label="v"
        )


def test_chart_geometry_follows_the_values():
    chart = charts.column_chart(
        "chart-c",
        "Decisions",
        ["d1", "d2"],
        {"fake": [2, 0], "genuine": [2, 1]},
        category_heading="day",
        value_label="decisions",
    )
    heights = [
        float(h)
        for h in re.findall(
            r'<rect x="[^"]+" y="[^"]+" width="[^"]+" '
            r'height="([^"]+)"',
            str(chart.svg),
        )
    ]
    # the legend swatches are 11 high; the bars: 2 and 2 stacked on d1, 1 on d2
    bars = [h for h in heights if h != 11]
    assert len(bars) == 3 and bars[0] == bars[1] == pytest.approx(2 * bars[2])
    assert chart.rows == (("d1", "2", "2"), ("d2", "0", "1"))
    assert "Highest: d1 with 4" in chart.desc
    assert charts.nice_ticks(7) == [0, 2, 4, 6, 8]
    assert charts.nice_ticks(0.3) == [0, 0.1, 0.2, 0.3]
    assert charts.score_counts([0.0, 0.049, 0.05, 0.999, 1.0], 20) == [2, 1] + [0] * 17 + [2]


def test_report_html_draws_the_same_risk_chart(tmp_path: Path):
    out = write_report(
        tmp_path / "report.html",
        [{"id": "x", "name": "<b>n</b>", "score": 0.9, "level": "high", "signals": []}],
        [0.1, 0.5, 0.95, 1.0],
        [],
        {
            "as_of": "2026-01-01",
            "scorer": "zero-shot",
            "scored": 4,
            "levels": {"high": 2, "medium": 1, "low": 1},
            "campaigns": 0,
            "profiles": {"rejected": 0},
        },
    )
    html = out.read_text(encoding="utf-8")
    counts = charts.score_counts([0.1, 0.5, 0.95, 1.0])
    expected = charts.risk_histogram("risk", counts, title="Histogram of risk scores from 0 to 1")
    assert str(expected.svg) in html
    assert "2 high risk" in expected.desc and "&lt;b&gt;n&lt;/b&gt;" in html


def test_the_number_of_queries_does_not_grow_with_the_data(db_url):
    """Every figure is an aggregate: ten times the approaches and members, the same queries."""
    from sqlalchemy import event

    clock = Clock(NOW)
    with running(db_url, clock=clock) as svc:
        seed(svc, clock)
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(svc.store.engine, "before_cursor_execute", count)
        figures(svc)
        before = len(statements)
        more = [person(f"x{i}", f"X {i}", [job(f"Employer {i % 7}")]) for i in range(300)]
        svc.store.upsert_profiles(Profile.model_validate(p) for p in more)
        svc.store.upsert_events(
            Event.model_validate(ev(1000 + i, "f1", f"x{i}", NOW - (i % 30) * DAY))
            for i in range(300)
        )
        statements.clear()
        d = figures(svc)
        assert len(statements) == before
        assert d.targets_total == 5 + 300 and d.campaign_series["campaign-a"].count(0) < 80
        event.remove(svc.store.engine, "before_cursor_execute", count)
