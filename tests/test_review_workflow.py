"""The trust & safety workflow end to end, on SQLite and PostgreSQL: ingest -> case -> claim ->
evidence -> decision -> enforcement in the outbox -> notifications -> appeal -> reinstatement, with
every step in the audit trail and the decisions readable as training labels."""

from __future__ import annotations

from review_helpers import FAKE, MEMBERS, load_network, running
from sqlalchemy import select

from spycatcher.review.audit import verify
from spycatcher.store.review import ActionRow, DecisionRow


def _case_of(svc, profile_id):
    q = svc.client.get("/queue", headers=svc.h("reviewer")).json()
    return next(c for c in q if c["profile_id"] == profile_id)


def test_ingest_opens_one_case_for_the_fake_with_its_evidence(db_url):
    with running(db_url) as svc:
        answer = load_network(svc)
        assert answer["new"] == 4 and answer["rejected"] == 0
        queue = svc.client.get("/queue", headers=svc.h("reviewer")).json()
        assert [c["profile_id"] for c in queue] == ["fake1"]
        case = queue[0]
        assert case["score"] >= 0.7 and case["sensitivity"] > 0
        assert {t["kind"] for t in case["triggers"]} == {"score"}

        detail = svc.client.get(f"/cases/{case['id']}", headers=svc.h("reviewer")).json()
        ev = detail["evidence"]
        assert ev["profile"]["name"] == "Rachel Li"
        names = {s["name"] for s in ev["assessment"]["signals"]}
        assert "message.paid_work" in names and "profile.persona" in names
        assert len(ev["messages"]) == 3
        assert all(m["lures"] for m in ev["messages"])
        assert ev["approached"]["members"] == 3 and ev["approached"]["sensitive"] >= 2

        # re-sending the same records is idempotent: nothing changes, no second case
        again = svc.client.post("/ingest/profiles", json=[*MEMBERS, FAKE], headers=svc.h("admin"))
        assert again.json()["changed"] == 0
        assert len(svc.client.get("/queue", headers=svc.h("reviewer")).json()) == 1


def test_ingest_reports_bad_records_like_the_cli_and_keeps_the_rest(db_url):
    with running(db_url) as svc:
        body = b"\n".join(
            [
                b'{"id": "ok1", "name": "Fine"}',
                b"{not json",
                b'{"id": "bad", "created_at": "yesterday"}',
                b'{"id": "nul", "name": "a\\u0000b"}',
                b'{"id": "ok2"}',
            ]
        )
        r = svc.client.post(
            "/ingest/profiles",
            content=body,
            headers={**svc.h("admin"), "Content-Type": "application/x-ndjson"},
        )
        out = r.json()
        assert r.status_code == 200
        assert (out["read"], out["accepted"], out["rejected"]) == (5, 2, 3)
        errs = {e["line"]: e for e in out["errors"]}
        assert "invalid JSON" in errs[2]["reason"]
        assert errs[3]["field"] == "created_at"
        assert errs[4]["reason"] == "contains a NUL character"
        assert errs[3]["message"].startswith("request:3: created_at:")


def test_lease_decision_enforcement_notifications_appeal_and_audit(db_url):
    with running(db_url) as svc:
        load_network(svc)
        case = _case_of(svc, "fake1")
        cid = case["id"]
        c = svc.client

        # deciding needs the lease; a second reviewer cannot take a live lease
        r = c.post(
            f"/cases/{cid}/decision",
            json={"decision": "fake", "reason": "x"},
            headers=svc.h("reviewer"),
        )
        assert r.status_code == 409
        assert c.post(f"/cases/{cid}/claim", headers=svc.h("reviewer")).status_code == 200
        assert c.post(f"/cases/{cid}/claim", headers=svc.h("reviewer2")).status_code == 409
        assert c.get("/queue", headers=svc.h("reviewer2")).json() == []  # claimed cases hidden

        r = c.post(
            f"/cases/{cid}/decision",
            json={
                "decision": "fake",
                "reason": "lure messages to defence staff",
                "action": "remove",
            },
            headers=svc.h("reviewer"),
        )
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["status"] == "closed" and out["notified"] == 4  # alice, bob, carol + dave
        assert out["hash_bank"] == {"banked": True, "pdq": "f" * 64}
        from spycatcher.store.hashbank import load_bank

        assert len(load_bank(svc.store, ("known_bad",))) == 1

        with svc.store.session() as s:
            acts = list(s.scalars(select(ActionRow).order_by(ActionRow.seq)))
            labels = list(s.scalars(select(DecisionRow)))
        assert [a.action for a in acts] == ["remove", "notify"]
        assert all(a.status == "pending" for a in acts)
        assert [(d.platform, d.profile_id, d.decision) for d in labels] == [
            ("linkedin", "fake1", "fake")
        ]

        # alice (the member key) is told what the fake asked of her and what to do
        notes = c.get("/me/notifications", headers=svc.h("member")).json()
        assert len(notes) == 1
        assert (
            "Rachel Li" in notes[0]["text"] and "Remove it from your contacts" in notes[0]["text"]
        )
        assert notes[0]["asked"]  # lure categories named

        # the fake's owner appeals; the reviewer who decided may not decide the appeal
        owner = svc.key("owner", "member", member="fake1")
        r = c.post(
            "/appeals",
            json={"profile_id": "fake1", "text": "I am real"},
            headers={"X-API-Key": owner},
        )
        assert r.status_code == 201, r.text
        aid = r.json()["id"]
        r = c.post("/appeals", json={"profile_id": "fake1"}, headers={"X-API-Key": owner})
        assert r.status_code == 409  # one open appeal at a time
        r = c.post(
            f"/appeals/{aid}/decision",
            json={"grant": True, "reason": "ok"},
            headers=svc.h("reviewer"),
        )
        assert r.status_code == 403
        r = c.post(
            f"/appeals/{aid}/decision",
            json={"grant": True, "reason": "verified identity documents"},
            headers=svc.h("reviewer2"),
        )
        assert r.status_code == 200, r.text
        # the removal was never delivered, so it is cancelled rather than reversed
        assert [x["result"] for x in r.json()["reversed"]] == ["cancelled before delivery"]
        mine = c.get("/appeals/mine", headers={"X-API-Key": owner}).json()
        assert mine[0]["status"] == "granted"

        with svc.store.session() as s:
            labels = [d.decision for d in s.scalars(select(DecisionRow).order_by(DecisionRow.id))]
        assert labels == ["fake", "genuine"]
        from spycatcher.review.decisions import training_labels

        assert training_labels(svc.store) == {("linkedin", "fake1"): "genuine"}

        v = verify(svc.store)
        assert v.ok, v.problems
        actions = [
            e["action"] for e in c.get("/admin/audit?limit=1000", headers=svc.h("admin")).json()
        ]
        for expected in (
            "case.opened",
            "case.claimed",
            "case.decided.fake",
            "appeal.opened",
            "appeal.granted",
        ):
            assert expected in actions
        entries = c.get("/admin/audit?limit=1000", headers=svc.h("admin")).json()
        assert not any("fake1" in str(e) or "alice" in str(e) for e in entries)  # pseudonyms only


def test_delivered_removal_is_reversed_on_reinstatement(db_url):
    with running(db_url) as svc:
        load_network(svc)
        cid = _case_of(svc, "fake1")["id"]
        svc.client.post(f"/cases/{cid}/claim", headers=svc.h("reviewer"))
        svc.client.post(
            f"/cases/{cid}/decision",
            json={"decision": "fake", "reason": "r", "action": "restrict"},
            headers=svc.h("reviewer"),
        )
        with svc.store.session() as s, s.begin():
            for a in s.scalars(select(ActionRow)):
                a.status = "delivered"
        owner = svc.key("owner", "member", member="fake1")
        aid = svc.client.post(
            "/appeals", json={"profile_id": "fake1"}, headers={"X-API-Key": owner}
        ).json()["id"]
        r = svc.client.post(
            f"/appeals/{aid}/decision", json={"grant": True, "reason": "ok"}, headers=svc.h("admin")
        )
        assert r.status_code == 200
        rev = r.json()["reversed"]
        assert [x["action"] for x in rev] == ["unrestrict"]
        with svc.store.session() as s:
            new = s.scalars(select(ActionRow).where(ActionRow.action == "unrestrict")).one()
        assert new.status == "pending" and new.reverses is not None


def test_needs_info_and_escalation_keep_the_case_open(db_url):
    with running(db_url) as svc:
        load_network(svc)
        cid = _case_of(svc, "fake1")["id"]
        c = svc.client
        c.post(f"/cases/{cid}/claim", headers=svc.h("reviewer"))
        r = c.post(
            f"/cases/{cid}/decision",
            json={"decision": "escalate", "reason": "state actor?"},
            headers=svc.h("reviewer"),
        )
        assert r.json()["status"] == "escalated"
        assert c.post(f"/cases/{cid}/claim", headers=svc.h("reviewer")).status_code == 403
        esc = c.get("/queue?status=escalated", headers=svc.h("admin")).json()
        assert [x["id"] for x in esc] == [cid]
        assert c.post(f"/cases/{cid}/claim", headers=svc.h("admin")).status_code == 200
        r = c.post(
            f"/cases/{cid}/decision",
            json={"decision": "genuine", "reason": "known person"},
            headers=svc.h("admin"),
        )
        assert r.json()["status"] == "closed"


def test_report_events_from_the_platform_become_weighted_reports(db_url):
    with running(db_url) as svc:
        svc.client.post("/ingest/profiles", json=MEMBERS, headers=svc.h("admin"))
        events = [
            {
                "id": f"rep-{i}",
                "type": "report",
                "actor": f"m{i}",
                "target": "dave",
                "at": "2024-06-01T10:00:00Z",
                "reason": "fake_profile" if i % 2 else "not-a-known-reason",
                "text": "looks fake",
            }
            for i in range(6)
        ]
        r = svc.client.post("/ingest/events", json=events + events, headers=svc.h("admin"))
        out = r.json()
        assert out["reports"] == 6 and out["new"] == 6  # repeats de-duplicated
        rep = svc.client.get("/profiles/linkedin/dave/reports", headers=svc.h("admin")).json()
        assert rep["summary"]["count"] == 6
        assert {x["reason"] for x in rep["items"]} == {"fake_profile", "other"}
        assert {x["source"] for x in rep["items"]} == {"ingest"}
        # six unproven reporters pass the case threshold (0.8) once, and only once
        q = svc.client.get("/queue", headers=svc.h("reviewer")).json()
        assert [c["profile_id"] for c in q] == ["dave"]
        assert q[0]["triggers"][0]["kind"] == "reports"
        svc.client.post("/ingest/events", json=events, headers=svc.h("admin"))
        assert len(svc.client.get("/queue", headers=svc.h("reviewer")).json()) == 1
