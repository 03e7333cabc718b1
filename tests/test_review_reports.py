"""Member reports: de-duplication, rate limits, track-record weighting, and the mass-report attack
(500 reports from 200 fresh accounts against a genuine profile must leave it up with at most one
case), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from review_helpers import MEMBERS, running
from sqlalchemy import func, select

from spycatcher.review.reports import ReportPolicy
from spycatcher.schema import Profile
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.reports import ReportsDetector
from spycatcher.store.review import ActionRow, CaseRow, ProfileStatusRow, ReportRow


def test_reliability_is_a_beta_posterior_mean():
    p = ReportPolicy()
    assert p.reliability(0, 0) == pytest.approx(0.2)  # a stranger is right one time in five
    assert p.reliability(8, 0) == pytest.approx(9 / 13)
    assert p.reliability(0, 8) == pytest.approx(1 / 13)
    assert p.reliability(3, 1) > p.reliability(1, 0) > p.reliability(0, 0) > p.reliability(0, 1)


def test_reports_detector_caps_unproven_reports_and_flags_bursts():
    det = ReportsDetector()
    prof = Profile(id="x")
    ctx = ProfileContext(
        reports={
            "count": 200,
            "proven_reporters": 0,
            "proven_mass": 0.0,
            "unproven_mass": 40.0,
            "unproven_cap": 1.0,
            "burst": True,
            "reasons": {"fake_profile": 200},
        }
    )
    sigs = {s.name: s for s in det.detect(prof, ctx)}
    assert set(sigs) == {"report.members", "report.burst"}
    assert sigs["report.members"].strength == 1.0  # capped, however many accounts
    assert ReportsDetector.spec("report.burst").weight == 0.0
    assert not list(det.detect(prof, ProfileContext()))


def test_mass_report_from_fresh_accounts_leaves_a_genuine_profile_up(db_url):
    with running(db_url) as svc:
        c = svc.client
        assert (
            c.post("/ingest/profiles", json=MEMBERS, headers=svc.h("admin")).json()["rejected"] == 0
        )
        keys = [svc.key(f"sock{i}", "member", member=f"sock{i}") for i in range(200)]
        statuses = []
        for n in range(500):
            k = keys[n % 200]
            r = c.post(
                "/reports",
                json={"profile_id": "alice", "reason": "fake_profile", "text": "fake!!"},
                headers={"X-API-Key": k},
            )
            statuses.append(r.status_code)
        assert set(statuses) == {201}
        with svc.store.session() as s:
            assert s.scalar(select(func.count()).select_from(ReportRow)) == 200  # de-duplicated
            cases = list(s.scalars(select(CaseRow).where(CaseRow.profile_id == "alice")))
            actions = s.scalar(select(func.count()).select_from(ActionRow))
            status = s.get(ProfileStatusRow, ("linkedin", "alice"))
        assert len(cases) <= 1
        assert actions == 0 and status is None  # nothing done to the profile: it stays up
        latest = svc.store.latest_assessment("alice", "linkedin")
        assert latest.level == "low"
        report_part = sum(v for k, v in latest.contributions.items() if k.startswith("report."))
        assert 0 < report_part <= 0.6
        if cases:
            ev = c.get(f"/cases/{cases[0].id}", headers=svc.h("reviewer")).json()["evidence"]
            assert ev["reports"]["summary"]["burst"] is True
            assert "report.burst" in {x["name"] for x in ev["assessment"]["signals"]}


def test_duplicates_and_rate_limits(db_url):
    with running(db_url) as svc:
        c = svc.client
        first = c.post(
            "/reports", json={"profile_id": "p1", "reason": "spam"}, headers=svc.h("member")
        )
        again = c.post(
            "/reports", json={"profile_id": "p1", "reason": "other"}, headers=svc.h("member")
        )
        assert first.status_code == again.status_code == 201
        assert again.json()["duplicate"] is True and again.json()["id"] == first.json()["id"]
        for i in range(2, 11):
            r = c.post(
                "/reports", json={"profile_id": f"p{i}", "reason": "spam"}, headers=svc.h("member")
            )
            assert r.status_code == 201
        r = c.post(
            "/reports", json={"profile_id": "p99", "reason": "spam"}, headers=svc.h("member")
        )
        assert r.status_code == 429
        self_report = c.post(
            "/reports", json={"profile_id": "alice", "reason": "spam"}, headers=svc.h("member")
        )
        assert self_report.status_code == 422
        mine = c.get("/reports/mine", headers=svc.h("member")).json()
        assert len(mine) == 10 and all("reporter" not in r for r in mine)


def test_proven_reporters_outweigh_fresh_ones_and_open_a_case(db_url):
    """Reporters whose earlier reports reviewers confirmed carry weight of their own."""
    with running(db_url) as svc:
        c = svc.client
        c.post("/ingest/profiles", json=MEMBERS, headers=svc.h("admin"))
        service = svc.service
        t0 = datetime(2024, 1, 1, tzinfo=UTC)
        # two reporters with a record: each reported three profiles later confirmed fake
        from spycatcher.review import decisions, reports
        from spycatcher.review.base import transaction

        with transaction(svc.store) as s:
            for who in ("good1", "good2"):
                for target in ("old1", "old2", "old3"):
                    reports.submit(
                        s,
                        service.policies.reports,
                        platform="linkedin",
                        profile_id=target,
                        reporter=who,
                        reason="fake_profile",
                        text=None,
                        now=t0,
                    )
            for target in ("old1", "old2", "old3"):
                decisions.set_status(
                    s,
                    "linkedin",
                    target,
                    label="fake",
                    enforcement="removed",
                    who="key:r",
                    now=t0 + timedelta(days=1),
                )
        for who in ("good1", "good2"):
            k = svc.key(who, "member", member=who)
            r = c.post(
                "/reports",
                json={"profile_id": "dave", "reason": "suspicious_approach"},
                headers={"X-API-Key": k},
            )
            assert r.status_code == 201
        latest = svc.store.latest_assessment("dave", "linkedin")
        names = {x["name"] for x in latest.signals}
        assert "report.trusted" in names
        assert latest.contributions["report.trusted"] > 0.6
        q = c.get("/queue", headers=svc.h("reviewer")).json()
        assert [x["profile_id"] for x in q] == ["dave"]
        assert q[0]["triggers"][0]["kind"] == "reports"
        # the reviewer cannot see who reported; an admin can grant it
        rep = c.get("/profiles/linkedin/dave/reports", headers=svc.h("reviewer")).json()
        assert rep["reporters_visible"] is False
        assert all("reporter" not in x for x in rep["items"])
        kid = svc.keys["reviewer"].split("_")[1]
        g = c.post(
            f"/admin/keys/{kid}/reporters",
            json={"can_see_reporters": True},
            headers=svc.h("admin"),
        )
        assert g.status_code == 200
        rep = c.get("/profiles/linkedin/dave/reports", headers=svc.h("reviewer")).json()
        assert {x["reporter"] for x in rep["items"]} == {"good1", "good2"}
