"""The analyst console in a real browser (Debian's Chromium through Playwright): a reviewer signs
in, opens the queue, works a case to a decision with the keyboard shortcuts and the form, and
finds the decision in the case's audit trail."""

from __future__ import annotations

from pathlib import Path

import httpx
from review_helpers import FAKE, MEMBERS, approach_events
from web_support import browser_sign_in, live_server

from spycatcher.review.service import Actor

REASON = "Paid-report lure and a trip offer sent to three defence and nuclear staff."


def test_a_reviewer_works_a_case_to_a_decision(tmp_path: Path, chromium) -> None:  # type: ignore[no-untyped-def]
    with live_server(f"sqlite:///{tmp_path / 'c.db'}") as live:
        admin = {"X-API-Key": live.keys["admin"]}
        with httpx.Client(base_url=live.base, timeout=60) as http:
            assert http.post("/ingest/profiles", json=[*MEMBERS, FAKE], headers=admin).is_success
            r = http.post("/ingest/events", json=approach_events(), headers=admin)
            assert r.is_success and r.json()["cases_opened"], r.text
        case_id = r.json()["cases_opened"][0]

        ctx = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        confirmations: list[str] = []
        page.on("dialog", lambda d: (confirmations.append(d.message), d.accept()))

        browser_sign_in(page, live.base, live.keys["reviewer"])
        assert page.url == f"{live.base}/console"  # a reviewer lands on the queue
        assert page.get_by_role("heading", level=1).inner_text() == "Review queue"
        row = page.locator(f'tr[data-case="{case_id}"]')
        assert "Rachel Li" in row.inner_text()

        # "?" shows the shortcuts; j selects the first case, Enter opens it
        page.keyboard.press("?")
        assert page.locator("#shortcuts").is_visible()
        page.keyboard.press("?")
        assert not page.locator("#shortcuts").is_visible()
        page.keyboard.press("j")
        assert "current" in (row.get_attribute("class") or "")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live.base}/console/cases/{case_id}")
        assert page.get_by_role("heading", level=1).inner_text() == f"Case {case_id}: Rachel Li"
        assert page.locator("mark", has_text="pay well for short reports").count() == 3
        assert page.get_by_role("img", name="Network neighbourhood of Rachel Li").is_visible()

        # c claims the case
        page.keyboard.press("c")
        page.wait_for_url(f"{live.base}/console/cases/{case_id}?done=claimed")
        assert page.get_by_role("status").first.inner_text().startswith("You hold this case")
        # f chooses "fake" and moves to the reason; the form records the decision
        page.keyboard.press("f")
        assert page.get_by_label("Fake (f)").is_checked()
        assert page.evaluate("document.activeElement.id") == "reason"
        page.keyboard.type(REASON)
        page.get_by_label("If fake: what the platform should do").select_option("restrict")
        page.get_by_role("button", name="Record decision").click()
        page.wait_for_url(f"{live.base}/console/cases/{case_id}?done=fake")
        assert confirmations and "FAKE" in confirmations[0]

        main = page.locator("main").inner_text()
        assert "Decided: fake" in main and "This case is closed: decided fake" in main
        audit = page.locator("#audit table")
        actions = audit.locator("td.action").all_inner_texts()
        assert actions.index("case.claimed") < actions.index("case.decided.fake"), actions
        decided_row = audit.locator("tbody tr", has_text="case.decided.fake").inner_text()
        assert "you" in decided_row and REASON in decided_row and "restrict" in decided_row
        # the queue is empty now
        page.keyboard.press("q")
        page.wait_for_url(f"{live.base}/console")
        assert page.get_by_text("Nothing to review with these filters.").is_visible()
        ctx.close()
        assert problems == [], problems

        decided = live.app.state.service.case(Actor("key:check", "admin"), case_id)
        assert decided["status"] == "closed" and decided["outcome"] == "fake"


def test_the_dashboard_on_a_phone_keeps_its_charts_legible(tmp_path: Path, chromium) -> None:  # type: ignore[no-untyped-def]
    """At 375 px a chart keeps most of its drawn size and scrolls in its figure, not the page."""
    with live_server(f"sqlite:///{tmp_path / 'd.db'}") as live:
        admin = {"X-API-Key": live.keys["admin"]}
        with httpx.Client(base_url=live.base, timeout=60) as http:
            assert http.post("/ingest/profiles", json=[*MEMBERS, FAKE], headers=admin).is_success
            assert http.post("/ingest/events", json=approach_events(), headers=admin).is_success
        ctx = chromium.new_context(viewport={"width": 375, "height": 800})
        page = ctx.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        browser_sign_in(page, live.base, live.keys["reviewer"])
        page.goto(f"{live.base}/dashboard")
        widths = page.eval_on_selector_all(
            "svg.chart", "els => els.map(e => e.getBoundingClientRect().width)"
        )
        assert widths and min(widths) >= 0.85 * 640, widths  # text ~ its 11 px, not 6 px
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert not problems, problems
        ctx.close()
