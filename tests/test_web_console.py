"""The analyst console: the queue's filters, sorting, pages and counts; the case page's content;
the claim / release / decide forms and their error pages; CSRF; roles; and the XSS corpus in
every field the console shows. SQLite and PostgreSQL (``db_url``).

The seed is the shared network (``load_network``: Rachel Li approaches three members at
sensitive organisations) plus two more suspects through the service's ingest: "Lena Park", who
sends the same lure to Carol, and "Mark Chen", who writes an ordinary note to Dave the baker. A
full scan run written through the Store API (as an engine writes it) puts Rachel and Lena in one
campaign with a shared photo; Mark's case is opened by member reports at a medium score.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from review_helpers import LURE, load_network, running
from web_support import csrf_from, sign_in
from xss_payloads import PAYLOADS, URL_PAYLOADS, injections, payload

from spycatcher.review import cases as cases_mod
from spycatcher.review.base import ReviewError, transaction
from spycatcher.review.queue import QueueFilter
from spycatcher.review.service import Actor
from spycatcher.text.lures import default_matcher
from spycatcher.web import netpic
from spycatcher.web.console import highlight, parse_view, photo_src

CAMPAIGN = "campaign-00c0ffee00c0ffee"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def lena(**over: Any) -> dict[str, Any]:
    p = {
        "id": "fake3",
        "name": "Lena Park",
        "headline": "Talent Partner at RiseHR",
        "created_at": "2024-05-03",
        "experience": [{"title": "Talent Partner", "company": "RiseHR Consulting"}],
        "photo": {"pdq": "f" * 64},
        "counts": {"connections": 480},
    }
    return p | over


MARK = {
    "id": "fake2",
    "name": "Mark Chen",
    "headline": "Bread enthusiast",
    "created_at": "2015-02-01",
    "experience": [{"title": "Baker", "company": "Crumbs Ltd", "start": "2015-01"}],
    "counts": {"connections": 120},
}


def signal(name: str, strength: float, evidence: str, **data: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "strength": strength, "evidence": evidence, "advice": ""}
    if data:
        out["data"] = data
    return out


def scan_run(store: Any, rows: list[dict[str, Any]], campaigns: list[dict[str, Any]]) -> str:
    """A finished full scan, written the way an engine writes one."""
    run_id: str = store.start_run("local", "test", "zero-shot")
    store.save_assessments(run_id, rows)
    store.save_campaigns(run_id, campaigns)
    store.finish_run(run_id, {})
    return run_id


def campaign_record(**over: Any) -> dict[str, Any]:
    return {
        "id": CAMPAIGN,
        "members": ["fake1", "fake3"],
        "targets": ["carol", "alice", "bob"],
        "organisations": ["Rolls-Royce Nuclear", "BAE Systems", "Ministry of Defence"],
        "evidence": [
            "2 of the 2 profiles use the same photo.",
            "They approached 1 of the same person.",
        ],
        "score": 0.91,
        "links": {"photo": 2, "targets": 2},
        "first_activity": "2024-06-01T00:00:00+00:00",
        "last_activity": "2024-06-03T00:00:00+00:00",
    } | over


def seed(
    svc: Any,
    *,
    fake3: dict[str, Any] | None = None,
    mark: dict[str, Any] | None = None,
    lure: str = LURE,
    campaign: dict[str, Any] | None = None,
    report: str | None = None,
) -> dict[str, int]:
    """The world of these tests (see the module docstring); profile id -> case id."""
    load_network(svc)
    r = svc.client.post(
        "/ingest/profiles", json=[fake3 or lena(), mark or MARK], headers=svc.h("admin")
    )
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text
    events = [
        {
            "id": "inv-lena-carol",
            "type": "invitation",
            "actor": "fake3",
            "target": "carol",
            "at": "2024-06-03T09:00:00+00:00",
            "text": lure.format(name="Carol"),
        },
        {
            "id": "msg-mark-dave",
            "type": "message",
            "actor": "fake2",
            "target": "dave",
            "at": "2024-06-04T09:00:00+00:00",
            "text": "Hello Dave, lovely sourdough at the fair.",
        },
    ]
    r = svc.client.post("/ingest/events", json=events, headers=svc.h("admin"))
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text
    if report:  # before the scan: a report re-scores the profile
        body = {"profile_id": "fake1", "reason": "fake_profile", "text": report}
        r = svc.client.post("/reports", json=body, headers=svc.h("member"))
        assert r.status_code in (200, 201), r.text
    photo = signal(
        "photo.reused",
        0.85,
        "The same photo is on 1 other profile.",
        profiles=["fake3"],
        count=1,
        distance=0,
    )
    scan_run(
        svc.store,
        [
            {
                "id": "fake1",
                "score": 0.93,
                "level": "high",
                "campaign_id": CAMPAIGN,
                "signals": [
                    signal("message.paid_work", 0.9, "Offers money for short reports."),
                    photo,
                ],
                "contributions": {"message.paid_work": 2.1, "photo.reused": 1.4},
            },
            {
                "id": "fake3",
                "score": 0.88,
                "level": "high",
                "campaign_id": CAMPAIGN,
                "signals": [photo | {"data": {"profiles": ["fake1"]}}],
            },
            {
                "id": "fake2",
                "score": 0.52,
                "level": "medium",
                "signals": [signal("report.members", 0.8, "Reported by 3 members.")],
            },
            {"id": "alice", "score": 0.05, "level": "low", "signals": []},
        ],
        [campaign or campaign_record()],
    )
    now = svc.service.clock()
    with transaction(svc.store) as s:
        cases_mod.open_or_update(
            s,
            svc.service.policies.cases,
            platform="linkedin",
            profile_id="fake2",
            trigger="reports",
            detail={"weight": 0.9, "count": 3},
            score=0.52,
            report_weight=0.9,
            intel=0,
            sensitivity=0.0,
            actor="system:engine",
            now=now,
        )
    admin = Actor("key:test-admin", "admin")
    svc.service.cases_from_scan(admin)  # opens the scan's high-risk cases not yet open
    page = svc.service.queue_page(admin, QueueFilter(claim="all"), limit=50)
    ids = {c["profile_id"]: c["id"] for c in page["items"]}
    assert set(ids) == {"fake1", "fake2", "fake3"}, ids
    return ids


def listed(html: str) -> list[int]:
    """Case ids in the queue table, in order."""
    return [int(x) for x in re.findall(r'<tr data-case="(\d+)">', html)]


def text_of(html: str) -> str:
    class T(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.out: list[str] = []

        def handle_data(self, data: str) -> None:
            self.out.append(data)

    t = T()
    t.feed(html)
    return " ".join(" ".join(t.out).split())


# -- the queue ---------------------------------------------------------------------------------


def test_queue_filters_sorting_pages_and_counts(db_url, monkeypatch):
    with running(db_url) as svc:
        ids = seed(svc)
        f1, f2, f3 = ids["fake1"], ids["fake2"], ids["fake3"]
        sign_in(svc.client, svc.keys["reviewer"])
        get = lambda q="": svc.client.get("/console" + q)  # noqa: E731

        r = get()
        assert r.status_code == 200
        assert listed(r.text)[0] == f1  # highest priority first
        assert set(listed(r.text)) == {f1, f2, f3}
        assert "Rachel Li" in r.text and "Mark Chen" in r.text
        assert re.search(r"Open\s*<span class=\"count\">3</span>", r.text)

        assert set(listed(get("?level=high").text)) == {f1, f3}
        assert listed(get("?level=medium").text) == [f2]
        assert listed(get("?level=low").text) == []
        assert listed(get("?reason=trigger:reports").text) == [f2]
        assert set(listed(get("?reason=trigger:score").text)) == {f1, f3}
        assert set(listed(get("?reason=family:photo").text)) == {f1, f3}
        assert listed(get("?reason=family:report").text) == [f2]
        assert listed(get("?reason=family:intel").text) == []
        r = get(f"?campaign={CAMPAIGN}")
        assert set(listed(r.text)) == {f1, f3}
        assert f'<option value="{CAMPAIGN}" selected>' in r.text
        assert listed(get("?org=bakery").text) == [f2]  # Dave, Acme Bakery
        assert listed(get("?org=Ministry+of+Defence").text) == [f1]
        assert set(listed(get("?org=rolls-royce+nuclear+plc").text)) == {f1, f3}
        assert set(listed(get("?level=high&org=bae+systems").text)) == {f1}

        # sorting: by score, lowest first, then the other way round
        assert listed(get("?sort=score&order=asc").text) == [f2, f3, f1]
        r = get("?sort=score")
        assert listed(r.text) == [f1, f3, f2]
        assert 'aria-sort="descending"' in r.text
        assert "sort=score&amp;order=asc" in r.text  # the header link reverses the order
        assert listed(get("?sort=reports").text)[0] == f2

        # claims: another reviewer's live claim hides the case from this reviewer's queue
        other = Actor("key:other-reviewer", "reviewer")
        svc.service.claim(other, f3)
        assert f3 not in listed(get().text)
        r = get("?claim=all")
        assert f3 in listed(r.text) and "key other-reviewer" in r.text
        assert listed(get("?claim=unclaimed").text) == [f1, f2]
        token = csrf_from(get().text)
        r = svc.client.post(f"/console/cases/{f1}/claim", data={"csrf_token": token})
        assert r.status_code == 200  # followed the redirect to the case page
        assert listed(get("?claim=mine").text) == [f1]
        assert listed(get("?claim=unclaimed").text) == [f2]

        # pages (a small page size, so three cases make two pages)
        monkeypatch.setattr("spycatcher.web.console.PER_PAGE", 2)
        r = get("?claim=all")
        assert listed(r.text) == [f1, f3] and "Cases 1&ndash;2 of 3" in r.text
        assert "page=2" in r.text and "Page 1 of 2" in r.text
        r = get("?claim=all&page=2")
        assert listed(r.text) == [f2] and "Cases 3&ndash;3 of 3" in r.text
        monkeypatch.setattr("spycatcher.web.console.PER_PAGE", 25)

        # counts per status follow decisions; the closed list shows the outcome
        svc.service.claim(Actor("key:other-reviewer", "reviewer"), f2)
        svc.service.decide(Actor("key:other-reviewer", "reviewer"), f2, "needs_info", "ask")
        r = get()
        assert re.search(r"Open\s*<span class=\"count\">2</span>", r.text)
        assert re.search(r"Needs more information\s*<span class=\"count\">1</span>", r.text)
        assert listed(get("?status=needs_info").text) == [f2]
        svc.service.decide(Actor("key:other-reviewer", "reviewer"), f3, "genuine", "a real one")
        r = get("?status=closed")
        assert listed(r.text) == [f3] and "genuine" in text_of(r.text)

        # nonsense in the URL: said on the page, the rest of the view still applies
        r = get("?level=extreme&sort=shoe&reason=colour:blue&page=-3&order=up&claim=all")
        assert r.status_code == 200
        notes = text_of(r.text)
        for word in ("level", "sort", "reason filter", "page must be", "sort order"):
            assert word in notes, word
        assert set(listed(r.text)) == {f1}  # f2 needs info, f3 closed


def test_queue_filter_is_validated_by_the_service(db_url):
    with pytest.raises(ReviewError) as exc:
        QueueFilter(level="extreme")
    assert exc.value.status == 422 and "level" in str(exc.value)
    with pytest.raises(ReviewError):
        QueueFilter(organisation="x" * 201)
    with pytest.raises(ReviewError):
        QueueFilter(family="astrology")
    view = parse_view({"reason": "family:photo", "org": "  BAE   Systems ", "page": "2"})
    assert view.flt.family == "photo" and view.flt.organisation == "BAE Systems"
    assert view.page == 2 and view.query() == "reason=family%3Aphoto&org=BAE+Systems&page=2"


# -- the case page -----------------------------------------------------------------------------


def test_case_page_shows_the_whole_case(db_url):
    with running(db_url) as svc:
        ids = seed(
            svc,
            fake3=lena(
                photo={
                    "pdq": "f" * 64,
                    "url": "data:image/png;base64," + base64.b64encode(PNG).decode(),
                }
            ),
            report="She asked about my clearance.",
        )
        sign_in(svc.client, svc.keys["reviewer"])
        r = svc.client.get(f"/console/cases/{ids['fake1']}")
        assert r.status_code == 200, r.text[:500]
        html, text = r.text, text_of(r.text)
        # profile, history, photo fingerprints and match
        for expected in (
            "Rachel Li",
            "Senior Headhunter at RiseHR",
            "RiseHR Consulting",
            "Director of Talent",
            "01 May 2024",
            "500 connections",
            "f" * 64,
            "The same photo is on 1 other profile.",
            "fake3",
        ):
            assert expected in text, expected
        assert "not loaded" not in text  # it has no photo URL at all
        # risk, every signal with its evidence and advice (advice from the signal's spec)
        assert "high risk" in text and "0.93" in text
        assert "Offers money for reports, papers, consultations or talks" in text
        assert "Offers money for short reports." in text
        assert "raises the score by 2.10 log-odds" in text
        assert "What to do:" in text and "white papers" in text
        # the approach messages with the lure spans marked
        assert re.search(r'<mark title="flagged: [^"]+">pay well for short reports</mark>', html)
        assert re.search(r"<mark[^>]*>[^<]*WhatsApp</mark>", html)
        assert "Invitation to Alice Smith" in text
        # the pictures: accessible SVG, text alternative naming the members
        assert html.count('role="img"') == 2
        assert 'aria-labelledby="netpic-neighbourhood-title netpic-neighbourhood-desc"' in html
        assert "Network neighbourhood of Rachel Li" in text
        assert "It approached 3 of them, 3 at sensitive organisations" in text
        assert "Campaign of 2 profiles" in text and "the same photo · 2" in text
        assert "2 of the 2 profiles use the same photo." in text
        assert "Lena Park" in text and "Carol White" in text
        assert f"campaign={CAMPAIGN}" in html
        # reports: the text, not the reporter
        assert "She asked about my clearance." in text and "fake profile" in text
        assert "Reporters are hidden" in text and "reporter alice" not in text
        # timeline and audit trail
        assert "Account created" in text
        assert "Sent an invitation to Bob Jones (accepted)" in text
        assert "Reported by a member: fake profile" in text
        assert "case.opened" in text and "report.filed" in text
        assert "reporter: (hidden)" in text
        # the forms: claim first
        assert f'action="/console/cases/{ids["fake1"]}/claim"' in html
        assert 'data-shortcut="c"' in html and 'id="decide-form"' not in html
        assert 'id="shortcuts"' in html and "/static/console.js" in html

        # an admin sees reporters
        sign_in(svc.client, svc.keys["admin"])
        text = text_of(svc.client.get(f"/console/cases/{ids['fake1']}").text)
        assert "reporter alice" in text and "reporter: alice" not in text

        # the photo the store holds is shown; a remote photo is never loaded
        r = svc.client.get(f"/console/cases/{ids['fake3']}")
        assert '<img class="photo" src="data:image/png;base64,' in r.text
        assert "Lena Park" in text_of(r.text)


def test_photo_src_shows_only_checked_raster_images():
    good = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert photo_src({"url": good}) == good
    assert photo_src({"url": "data:image/jpeg;base64," + base64.b64encode(PNG).decode()}) is None
    assert photo_src({"url": "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="}) is None
    assert photo_src({"url": "data:text/html;base64,PHNjcmlwdD4="}) is None
    assert photo_src({"url": "https://evil.example/face.png"}) is None
    assert photo_src({"url": "data:image/png;base64,%%%"}) is None
    assert photo_src(None) is None


def test_highlight_escapes_first_then_marks_merged_spans():
    text = 'Dear <b>x</b> & "friends". Let us talk on WhatsApp. All expenses paid trip to X'
    hits = default_matcher().flagged(text)
    # "talk on WhatsApp" (read by meaning) overlaps the weaker phrase "WhatsApp"
    assert len(hits) == 4
    html = str(highlight(text, hits, default_matcher().lexicon.titles))
    assert html.startswith("Dear &lt;b&gt;x&lt;/b&gt; &amp; &#34;friends&#34;. Let us ")
    assert re.search(r'<mark title="flagged: [^"]+">talk on WhatsApp</mark>', html)
    # "All expenses paid" and "expenses paid trip to" overlap: one mark over both
    assert re.search(r'<mark title="flagged: [^"]+">All expenses paid trip to</mark> X$', html)
    assert html.count("<mark") == html.count("</mark>") == 2

    class Hit:
        def __init__(self, start: int, end: int) -> None:
            self.start, self.end, self.category = start, end, "x<y"

    out = str(highlight("<i>abc</i>", [Hit(3, 6), Hit(50, 60), Hit(4, 2)], {}))
    assert out == '&lt;i&gt;<mark title="flagged: x&lt;y">abc</mark>&lt;/i&gt;'


def test_pictures_clean_labels_and_say_what_they_show():
    rlo = "Rachel\u202e moc.live \u200bLi"
    nbs = [
        {
            "id": f"m{i}",
            "name": f"<b>Member {i}</b>",
            "employer": "MoD",
            "sectors": ["defence"],
            "level": "low",
            "label": None,
            "relations": {"invitation_out": 1},
            "accepted": i == 0,
        }
        for i in range(20)
    ]
    pic = netpic.neighbourhood({"id": "x", "name": rlo}, nbs, total=25)
    svg = str(pic.svg)
    assert "\u202e" not in svg and "\u200b" not in svg and "<b>" not in svg
    assert "It approached 20 of them, 20 at sensitive organisations (defence)" in pic.desc
    assert "(of 25)" in pic.desc and "Nodes are numbered" in pic.desc
    assert len(pic.rows) == 20 and pic.rows[0][2] == "sent an invitation (accepted)"
    figure = str(pic.figure())
    assert "&lt;b&gt;Member 3&lt;/b&gt;" in figure and '<th scope="col">' in figure
    camp = netpic.campaign(
        {
            "id": CAMPAIGN,
            "size": 2,
            "members_total": 2,
            "targets_total": 1,
            "links": {"photo": 2, "burst": 2},
            "members": [{"id": "a", "name": rlo, "is_case": True}, {"id": "b", "name": "B"}],
            "targets": [{"id": "t", "name": "T", "employer": "MoD", "sectors": ["defence"]}],
            "edges": [{"member": "a", "target": "t", "count": 3}],
        }
    )
    assert "created together (2 profiles), the same photo (2 profiles)" in camp.desc
    assert camp.rows[0][2] == "T (MoD) \u00d73" and camp.rows[1][2] == "none of those shown"
    assert "\u202e" not in str(camp.svg)


# -- working a case: forms, errors, CSRF ------------------------------------------------------


def test_claim_decide_release_and_error_pages(db_url):
    with running(db_url) as svc:
        ids = seed(svc)
        f1 = ids["fake1"]
        sign_in(svc.client, svc.keys["reviewer"])
        html = svc.client.get(f"/console/cases/{f1}?level=high").text
        token = csrf_from(html)
        r = svc.client.post(
            f"/console/cases/{f1}/claim",
            data={"csrf_token": token, "back": "level=high&sort=score"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert r.headers["location"] == f"/console/cases/{f1}?level=high&sort=score&done=claimed"
        page = svc.client.get(r.headers["location"]).text
        assert "You hold this case for 15 minutes" in page and 'id="decide-form"' in page
        assert "Renew my claim" in page and 'data-shortcut="f"' in page

        # another reviewer's claim conflicts: an HTML page, status 409
        other = svc.key("other", "reviewer")
        from fastapi.testclient import TestClient

        with TestClient(svc.app) as c2:
            sign_in(c2, other)
            html2 = c2.get(f"/console/cases/{f1}").text
            assert "holds this case until" in html2 and 'id="decide-form"' not in html2
            r = c2.post(f"/console/cases/{f1}/claim", data={"csrf_token": csrf_from(html2)})
            assert r.status_code == 409 and r.headers["content-type"].startswith("text/html")
            assert "claimed by another reviewer" in text_of(r.text)
            r = c2.post(
                f"/console/cases/{f1}/decision",
                data={"csrf_token": csrf_from(html2), "decision": "fake", "reason": "x"},
            )
            assert r.status_code == 409 and "claim case" in text_of(r.text)

        # a decision needs a reason: the page says so and keeps what was chosen
        r = svc.client.post(
            f"/console/cases/{f1}/decision",
            data={"csrf_token": token, "decision": "fake", "reason": "  ", "action": "restrict"},
        )
        assert r.status_code == 422 and "Give a reason" in text_of(r.text)
        assert 'value="fake" required data-shortcut="f" checked' in r.text
        assert '<option value="restrict" selected>' in r.text
        r = svc.client.post(
            f"/console/cases/{f1}/decision",
            data={"csrf_token": token, "decision": "maybe", "reason": "hm"},
        )
        assert r.status_code == 422 and "Choose a decision" in text_of(r.text)

        # decide fake with an action
        r = svc.client.post(
            f"/console/cases/{f1}/decision",
            data={
                "csrf_token": token,
                "decision": "fake",
                "action": "restrict",
                "reason": "Paid-report lures to three defence staff.",
                "back": "level=high",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"].endswith("&done=fake")
        page = svc.client.get(r.headers["location"]).text
        text = text_of(page)
        assert "Decided: fake" in text and "This case is closed: decided fake" in text
        assert "case.decided.fake" in text and "action: restrict" in text
        assert "Paid-report lures to three defence staff." in text
        assert "Decided Fake (you)" in text  # the timeline
        assert "restrict (pending)" in text
        # the case left the queue view: "next" is the top of the view
        assert f'href="/console/cases/{ids["fake3"]}?level=high" data-shortcut="j"' in page
        row = svc.service.case(Actor("key:x", "admin"), f1)
        assert row["status"] == "closed" and row["outcome"] == "fake"

        # deciding again: a conflict page; releasing a case one does not hold: too
        r = svc.client.post(
            f"/console/cases/{f1}/decision",
            data={"csrf_token": token, "decision": "genuine", "reason": "x"},
        )
        assert r.status_code == 409 and "is closed" in text_of(r.text)
        r = svc.client.post(f"/console/cases/{ids['fake2']}/release", data={"csrf_token": token})
        assert r.status_code == 409 and "do not hold the lease" in text_of(r.text)

        # claim and release
        f2 = ids["fake2"]
        svc.client.post(f"/console/cases/{f2}/claim", data={"csrf_token": token})
        r = svc.client.post(
            f"/console/cases/{f2}/release", data={"csrf_token": token}, follow_redirects=False
        )
        assert r.status_code == 303 and r.headers["location"].endswith("done=released")
        assert svc.service.case(Actor("key:x", "admin"), f2)["assignee"] is None

        # unknown cases are pages too
        for path in ("/console/cases/999999", "/console/cases/abc", "/console/cases/99999999999"):
            r = svc.client.get(path)
            assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
            assert "No such case" in r.text
        r = svc.client.post("/console/cases/999999/claim", data={"csrf_token": token})
        assert r.status_code == 404 and "No such case" in r.text


def test_escalated_case_is_for_an_admin(db_url):
    with running(db_url) as svc:
        ids = seed(svc)
        f2 = ids["fake2"]
        me = Actor("key:r", "reviewer")
        svc.service.claim(me, f2)
        svc.service.decide(me, f2, "escalate", "looks like a state actor")
        sign_in(svc.client, svc.keys["reviewer"])
        html = svc.client.get(f"/console/cases/{f2}").text
        assert "an admin claims and decides it" in text_of(html)
        assert f'action="/console/cases/{f2}/claim"' not in html
        r = svc.client.post(f"/console/cases/{f2}/claim", data={"csrf_token": csrf_from(html)})
        assert r.status_code == 403 and "escalated case is for an admin" in text_of(r.text)
        sign_in(svc.client, svc.keys["admin"])
        html = svc.client.get(f"/console/cases/{f2}").text
        assert f'action="/console/cases/{f2}/claim"' in html


def test_posts_without_the_sessions_csrf_token_are_refused(db_url):
    with running(db_url) as svc:
        ids = seed(svc)
        f1 = ids["fake1"]
        sign_in(svc.client, svc.keys["reviewer"])
        for data in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
            for action, extra in (
                ("claim", {}),
                ("release", {}),
                ("decision", {"decision": "fake", "reason": "x"}),
            ):
                r = svc.client.post(f"/console/cases/{f1}/{action}", data=data | extra)
                assert r.status_code == 403, (action, data)
                assert "This form has expired" in r.text
        # another session's token does not work either
        from fastapi.testclient import TestClient

        with TestClient(svc.app) as other:
            sign_in(other, svc.keys["reviewer2"])
            foreign = csrf_from(other.get("/console").text)
        r = svc.client.post(f"/console/cases/{f1}/claim", data={"csrf_token": foreign})
        assert r.status_code == 403
        assert svc.service.case(Actor("key:x", "admin"), f1)["assignee"] is None


def test_only_reviewers_and_admins_see_the_console(db_url):
    with running(db_url) as svc:
        ids = seed(svc)
        path = f"/console/cases/{ids['fake1']}"
        r = svc.client.get("/console?level=high", follow_redirects=False)
        assert (
            r.status_code == 303 and r.headers["location"] == "/login?next=/console%3Flevel%3Dhigh"
        )
        r = svc.client.post(f"{path}/claim", data={"csrf_token": "x"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        for role in ("member", "intel-partner"):
            sign_in(svc.client, svc.keys[role])
            for p in ("/console", path):
                r = svc.client.get(p)
                assert r.status_code == 403 and "Not for this account" in r.text, (role, p)
                assert "Rachel Li" not in r.text
            token = csrf_from(svc.client.get("/checker").text)
            r = svc.client.post(f"{path}/claim", data={"csrf_token": token})
            assert r.status_code == 403
        assert svc.service.case(Actor("key:x", "admin"), ids["fake1"])["assignee"] is None
        for role in ("reviewer", "admin"):
            sign_in(svc.client, svc.keys[role])
            assert svc.client.get("/console").status_code == 200
            assert svc.client.get(path).status_code == 200


# -- attacker text everywhere ------------------------------------------------------------------


def hostile_profile(pid: str, k: int) -> dict[str, Any]:
    """Every field the case page shows holds a payload."""
    url = URL_PAYLOADS[k % len(URL_PAYLOADS)].text
    return {
        "id": pid,
        "name": payload(k),
        "headline": payload(k + 1),
        "summary": payload(k + 2),
        "location": payload(k + 3),
        "industry": payload(k + 4),
        "url": url,
        "created_at": "2024-05-01",
        "experience": [
            {
                "title": payload(k + 5),
                "company": payload(k + 6),
                "start": "2024-01",
                "location": payload(k + 7),
                "description": payload(k + 8),
            }
        ],
        "education": [
            {"school": payload(k + 9), "degree": payload(k + 10), "field": payload(k + 11)}
        ],
        "skills": [payload(k + 12)],
        "counts": {payload(k + 13)[:200]: 3},
        "contact": {"email": payload(k + 14), "phone": payload(k + 15), "websites": [url]},
        "photo": {"pdq": "e" * 64, "url": url},
    }


def test_xss_payloads_in_every_field_stay_text(db_url):
    with running(db_url) as svc:
        lure = "We pay well for short reports {name}. " + payload(20)
        camp = campaign_record(
            evidence=[payload(i) for i in range(21, 26)],
            organisations=[payload(i) for i in range(26, 30)],
        )
        ids = seed(
            svc,
            fake3=hostile_profile("fake3", 0),
            mark=hostile_profile("fake2", 16),
            lure=lure,
            campaign=camp,
        )
        # members with payload names, approached with payload texts; payload reports
        members = [hostile_profile(f"xm{i}", 32 + i) for i in range(8)]
        r = svc.client.post("/ingest/profiles", json=members, headers=svc.h("admin"))
        assert r.status_code == 200 and r.json()["rejected"] == 0
        events = [
            {
                "id": f"x{i}",
                "type": "message",
                "actor": "fake3",
                "target": f"xm{i}",
                "at": f"2024-06-0{i + 1}T10:00:00+00:00",
                "text": payload(i + 3) + " WhatsApp me.",
            }
            for i in range(8)
        ] + [
            {
                "id": f"rep{i}",
                "type": "report",
                "actor": f"xm{i}",
                "target": "fake3",
                "at": "2024-06-09T10:00:00+00:00",
                "reason": payload(i),
                "text": payload(i + 40),
            }
            for i in range(8)
        ]
        r = svc.client.post("/ingest/events", json=events, headers=svc.h("admin"))
        assert r.status_code == 200 and r.json()["rejected"] == 0, r.text
        me = Actor("key:r", "reviewer")
        svc.service.claim(me, ids["fake2"])
        svc.service.decide(me, ids["fake2"], "needs_info", payload(44))
        shown: set[str] = set()
        for role in ("reviewer", "admin"):
            sign_in(svc.client, svc.keys[role])
            for path in (
                "/console",
                "/console?status=needs_info",
                "/console?claim=all",
                f"/console?org={payload(13)}",
                f"/console/cases/{ids['fake3']}",
                f"/console/cases/{ids['fake2']}",
                f"/console/cases/{ids['fake1']}?org={payload(0)}",
            ):
                r = svc.client.get(path)
                assert r.status_code == 200, (path, r.text[:300])
                found = injections(r.text)
                assert not found.problems, (role, path, found.problems[:5])
                shown |= found.shown
            # a failed form re-shows the reason typed, still as text
            html = svc.client.get(f"/console/cases/{ids['fake3']}").text
            svc.client.post(
                f"/console/cases/{ids['fake3']}/claim", data={"csrf_token": csrf_from(html)}
            )
            r = svc.client.post(
                f"/console/cases/{ids['fake3']}/decision",
                data={"csrf_token": csrf_from(html), "decision": "bogus", "reason": payload(13)},
            )
            assert r.status_code == 422
            found = injections(r.text)
            assert not found.problems and found.shown
            shown |= found.shown
            svc.client.post(
                f"/console/cases/{ids['fake3']}/release", data={"csrf_token": csrf_from(html)}
            )
        # every payload was shown somewhere, as text
        assert {p.marker for p in PAYLOADS} - shown == set(), sorted(
            {p.marker for p in PAYLOADS} - shown
        )
