"""Retention and erasure, on SQLite and PostgreSQL: old data goes, open cases keep their evidence,
an erased member's identity leaves every table, and the audit chain still verifies."""

from __future__ import annotations

from datetime import timedelta

from review_helpers import FAKE, MEMBERS, approach_events, running
from sqlalchemy import func, select
from typer.testing import CliRunner

from spycatcher.cli import app as cli_app
from spycatcher.review.audit import verify
from spycatcher.store.models import EventRow, ProfileRow
from spycatcher.store.review import CaseRow, NotificationRow, PseudonymRow, ReportRow


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def _count(svc, model, *where):
    with svc.store.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_retention_deletes_old_reports_texts_and_closed_cases_but_not_open_evidence(db_url):
    from datetime import UTC, datetime

    clock = Clock(datetime(2024, 6, 10, tzinfo=UTC))
    with running(db_url, clock=clock) as svc:
        c = svc.client
        c.post("/ingest/profiles", json=[*MEMBERS, FAKE], headers=svc.h("admin"))
        c.post("/ingest/events", json=approach_events(), headers=svc.h("admin"))
        c.post("/reports", json={"profile_id": "dave", "reason": "spam"}, headers=svc.h("member"))
        c.post(
            "/reports",
            json={"profile_id": "fake1", "reason": "fake_profile"},
            headers=svc.h("member"),
        )
        case = c.get("/queue", headers=svc.h("reviewer")).json()[0]
        assert case["profile_id"] == "fake1"

        clock.now += timedelta(days=400)
        preview = c.post("/admin/privacy/retention?dry_run=true", headers=svc.h("admin")).json()
        # the open case on fake1 keeps its report and its messages
        assert preview["counts"]["reports"] == 1 and preview["counts"]["message_texts"] == 0
        assert _count(svc, ReportRow) == 2  # a dry run changes nothing
        done = c.post("/admin/privacy/retention", headers=svc.h("admin")).json()
        assert done["counts"]["reports"] == 1
        assert _count(svc, ReportRow) == 1

        # close the case: after the retention period its history and texts go too
        c.post(f"/cases/{case['id']}/claim", headers=svc.h("reviewer"))
        c.post(
            f"/cases/{case['id']}/decision",
            json={"decision": "fake", "reason": "r"},
            headers=svc.h("reviewer"),
        )
        clock.now += timedelta(days=800)
        done = c.post("/admin/privacy/retention", headers=svc.h("admin")).json()["counts"]
        assert done == {
            "reports": 1,
            "message_texts": 3,
            "closed_cases": 1,
            "notifications": 4,
            "organisation_submissions": 0,
        }
        with svc.store.session() as s:
            assert all("text" not in e.data for e in s.scalars(select(EventRow)))
        assert _count(svc, EventRow) == 4  # who approached whom stays
        assert _count(svc, CaseRow) == 0
        assert verify(svc.store).ok


def test_erasing_a_member_removes_their_identity_and_keeps_the_audit_chain(db_url):
    with running(db_url) as svc:
        c = svc.client
        c.post("/ingest/profiles", json=[*MEMBERS, FAKE], headers=svc.h("admin"))
        c.post("/ingest/events", json=approach_events(), headers=svc.h("admin"))
        c.post(
            "/reports",
            json={"profile_id": "fake1", "reason": "fake_profile"},
            headers=svc.h("member"),
        )
        c.post("/reports", json={"profile_id": "dave", "reason": "spam"}, headers=svc.h("member"))
        with svc.store.session() as s:
            assert s.get(PseudonymRow, ("linkedin", "alice")) is not None

        r = c.post("/admin/privacy/erase", json={"member_id": "alice"}, headers=svc.h("admin"))
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["reports_deleted"] == 1  # the report on dave (no open case)
        assert out["reports_anonymised_for_open_cases"] == 1  # the report on fake1 is evidence
        assert out["profile_deleted"] == 1 and out["keys_revoked"] == 1
        assert out["events_received_pseudonymised"] == 1
        assert c.get("/me", headers=svc.h("member")).status_code == 401

        with svc.store.session() as s:
            assert s.get(ProfileRow, ("linkedin", "alice")) is None
            assert s.get(PseudonymRow, ("linkedin", "alice")) is None
            reporters = set(s.scalars(select(ReportRow.reporter)))
            targets = set(s.scalars(select(EventRow.target)))
            notes = s.scalar(select(func.count()).select_from(NotificationRow))
        assert "alice" not in reporters and all(r.startswith("erased:") for r in reporters)
        assert "alice" not in targets
        assert notes == 0
        assert verify(svc.store).ok


def test_cli_privacy_commands(db_url):
    with running(db_url) as svc:
        svc.client.post("/ingest/profiles", json=MEMBERS, headers=svc.h("admin"))
    runner = CliRunner()
    r = runner.invoke(cli_app, ["privacy", "retention", "--dry-run", "--db", db_url])
    assert r.exit_code == 0 and '"dry_run": true' in r.output
    r = runner.invoke(cli_app, ["privacy", "erase", "--member", "linkedin:dave", "--db", db_url])
    assert r.exit_code == 0 and '"profile_deleted": 1' in r.output
    r = runner.invoke(cli_app, ["privacy", "erase", "--member", "dave", "--db", db_url])
    assert r.exit_code != 0
