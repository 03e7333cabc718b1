"""The public checker in a real browser (Debian's Chromium through Playwright): a member checks a
profile through the form, then uploads their LinkedIn export and reports the riskiest sender."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from test_web_checker import (
    ALEX,
    DAVE,
    LURE,
    LURE_PROFILE,
    ORDINARY_NOTE,
    RACHEL,
    export_files,
    write_zip,
)
from web_support import live_server

from spycatcher.store.review import ReportRow

LABELS = {
    "name": "Name",
    "headline": "Headline",
    "job_title": "Job title",
    "employer": "Employer",
    "job_since": "In this job since",
    "joined": "Member since",
    "connections": "Connections",
    "profile_url": "Profile address",
    "message": "Their invitation note or message",
}


def _watch(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Console errors (a CSP violation shows up here) and any dialog that opens."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (problems.append("dialog: " + d.message), d.dismiss()))
    return problems


def test_a_member_checks_a_profile_through_the_form(tmp_path: Path, chromium) -> None:  # type: ignore[no-untyped-def]
    with live_server(f"sqlite:///{tmp_path / 'w.db'}") as live:
        ctx = chromium.new_context(viewport={"width": 375, "height": 800})  # a phone
        page = ctx.new_page()
        problems = _watch(page)
        page.goto(f"{live.base}/checker")
        assert page.title() == "Check a profile · spycatcher"
        for field, label in LABELS.items():
            page.get_by_label(label, exact=True).fill(LURE_PROFILE[field])
        # hostile text typed into a field stays text
        page.get_by_label("About (summary)").fill(
            "<img src=x onerror=alert(1)> Win-win cooperation"
        )
        page.get_by_role("button", name="Check this profile").click()
        page.wait_for_load_state()
        heading = page.get_by_role("heading", level=1).inner_text()
        assert "HIGH RISK" in heading
        assert page.get_by_text("New account claiming a long career").is_visible()
        steps = page.locator("ol.four-rs li strong").all_inner_texts()
        assert steps == ["Recognise", "Realise", "Report", "Remove"]
        # no horizontal scrolling at 375 px
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert not problems, problems
        ctx.close()


def test_a_member_uploads_their_export_and_reports_the_riskiest_sender(
    tmp_path: Path,
    chromium,  # type: ignore[no-untyped-def]
) -> None:
    export = write_zip(
        tmp_path / "Basic_LinkedInDataExport.zip",
        export_files(
            connections=[("Dave", "Brown", DAVE, "BAE Systems", "Engineer", "03 Feb 2020")],
            invitations=[
                ("Rachel Li", RACHEL, "1/15/24, 3:04 PM", LURE.format(name="Jane")),
                ("Alex Li", ALEX, "2/01/24, 9:00 AM", "Hello Jane"),
            ],
            messages=[("Dave Brown", DAVE, "2024-05-01 10:00:00 UTC", ORDINARY_NOTE)],
        ),
    )
    with live_server(f"sqlite:///{tmp_path / 'w.db'}") as live:
        ctx = chromium.new_context()
        page = ctx.new_page()
        problems = _watch(page)
        page.goto(f"{live.base}/checker/export")
        page.get_by_label("Your LinkedIn data export (.zip)").set_input_files(str(export))
        page.get_by_role("button", name="Check my export").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "Your export, checked"
        senders = page.locator("article.sender h3").all_inner_texts()
        names = [s.split(" ", 1)[1] for s in senders]
        assert names[0] == "Rachel Li" and sorted(names[1:]) == ["Alex Li", "Dave Brown"]
        assert senders[0].split(" ", 1)[0] in ("MEDIUM", "HIGH")
        assert {s.split(" ", 1)[0] for s in senders[1:]} == {"LOW"}
        first = page.locator("article.sender").first
        first.locator("summary", has_text="What they sent").click()
        assert first.get_by_text("WhatsApp").first.is_visible()
        first.locator("summary", has_text="Report this profile").click()
        first.get_by_label("Note for the reviewer (optional)").fill("Asked me for a paid report.")
        first.get_by_role("button", name="Report this profile").click()
        page.wait_for_load_state()
        assert "your report has been received" in page.get_by_role("heading", level=1).inner_text()
        with live.store.session() as s:
            (rep,) = s.scalars(select(ReportRow))
        assert (rep.profile_id, rep.source, rep.text) == (
            "linkedin.com/in/rachel-li-risehr",
            "public",
            "Asked me for a paid report.",
        )
        assert not problems, problems
        ctx.close()
