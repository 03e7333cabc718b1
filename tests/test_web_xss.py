"""Attacker text on every page: the XSS corpus in every field, through ingest, a scan and triage.

A store is seeded the way a platform would fill it: fake profiles and the members they approach
with a payload of :mod:`xss_payloads` in every field (name, headline, summary, location, industry,
URL, employer, job titles and descriptions, schools, degrees, skills, contact details, photo URL),
messages and invitations whose texts are payloads, member reports whose reasons and texts are
payloads; a full scan finds the campaigns (whose evidence quotes the shared employer); cases open
from the scan and reviewers decide some with payloads as reasons. Then every page is fetched and
parsed: no payload may survive as an element, attribute or evaluated template expression, and each
page must show payloads as text (so the test cannot pass by showing nothing).

One browser test loads the dashboard and a case page with the payloads and checks that no dialog
opened and the browser reported no Content-Security-Policy violation.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import escape
from review_helpers import running
from web_support import browser_sign_in, live_server, sign_in
from xss_payloads import PAYLOADS, URL_PAYLOADS, injections, payload

from spycatcher.engine.local import ScanOptions, scan

NOW = datetime.now(UTC).replace(microsecond=0)
#: a year up to today: every seeded event, in weekly periods
YEAR = f"/dashboard?from={(NOW - timedelta(days=365)).date()}&to={NOW.date()}"
N = len(PAYLOADS)
GROUP = 6  # fakes per campaign
LURE = "We pay well for short reports on your work. Please contact me on WhatsApp. "


def has_page(module: str) -> bool:
    return importlib.util.find_spec(f"spycatcher.web.{module}") is not None


def fake(i: int) -> dict[str, Any]:
    """A fake profile with a payload in every field; fakes of one group share an employer,
    a photo and a summary, as a campaign's personas do."""
    g = i // GROUP
    url = URL_PAYLOADS[i % len(URL_PAYLOADS)].text
    return {
        "id": f"xf{i}",
        "name": payload(i),
        "headline": f"Senior Headhunter {payload(i + 1)}",
        "summary": f"Exclusive opportunities for talented professionals. {payload(g + 2)}",
        "location": payload(i + 3),
        "industry": payload(i + 4),
        "url": url,
        "created_at": (NOW - timedelta(days=30)).date().isoformat(),
        "experience": [
            {
                "title": payload(i + 5),
                "company": f"RiseHR {payload(g)}",
                "start": "2024-04",
                "description": payload(i + 6),
            }
        ],
        "education": [
            {"school": payload(i + 7), "degree": payload(i + 8), "field": payload(i + 9)}
        ],
        "skills": [payload(i + 10), payload(i + 11)],
        "contact": {"email": payload(i + 12), "phone": payload(i + 13), "websites": [url]},
        "photo": {"pdq": f"{g:x}" * 64, "url": url},
        "counts": {"connections": 500},
    }


def member(j: int) -> dict[str, Any]:
    """An approached member: payloads in the fields the dashboard and case pages show."""
    employer = ("Ministry of Defence " if j % 2 else "") + payload(j + 2)
    return {
        "id": f"xm{j}",
        "name": payload(j),
        "headline": payload(j + 1),
        "created_at": "2012-01-01",
        "experience": [{"title": payload(j + 3), "company": employer, "start": "2012-01"}],
        "education": [{"school": payload(j + 4), "start": "2006", "end": "2010"}],
        "counts": {"connections": 350},
    }


def events() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(N):
        g = i // GROUP
        for k in range(4):
            j = (g * GROUP + k) % N
            at = NOW - timedelta(days=10 - k, hours=i % 7)
            out.append(
                {
                    "id": f"inv-{i}-{k}",
                    "type": "invitation",
                    "actor": f"xf{i}",
                    "target": f"xm{j}",
                    "at": at.isoformat(),
                    "text": LURE + payload(g + 14),
                }
            )
            out.append(
                {
                    "id": f"msg-{i}-{k}",
                    "type": "message",
                    "actor": f"xf{i}",
                    "target": f"xm{j}",
                    "at": (at + timedelta(hours=1)).isoformat(),
                    "text": payload(i + k + 15) + " " + LURE,
                }
            )
        out.append(
            {
                "id": f"rep-{i}",
                "type": "report",
                "actor": f"xm{i}",
                "target": f"xf{i}",
                "at": (NOW - timedelta(days=1)).isoformat(),
                "reason": payload(i + 16),
                "text": payload(i + 17),
            }
        )
    return out


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def seed(
    tmp_path: Path,
    store: Any,
    post: Callable[..., Any],
    admin: dict[str, str],
    reviewer: dict[str, str],
) -> list[int]:
    """Scan, ingest, open cases from the scan, decide three with payload reasons; the case ids."""
    profiles = [fake(i) for i in range(N)] + [member(j) for j in range(N)]
    evs = events()
    p = write_jsonl(tmp_path / "profiles.jsonl", profiles)
    e = write_jsonl(tmp_path / "events.jsonl", evs)
    with scan(p, e, ScanOptions(store=store, as_of=NOW)) as result:
        assert result.summary()["scored"] == 2 * N
        assert result.campaigns, "the payload personas should form campaigns"
    opened: list[int] = []
    for path, rows in (("/ingest/profiles", profiles), ("/ingest/events", evs)):
        r = post(path, json=rows, headers=admin)  # re-scoring what changed opens cases too
        assert r.status_code == 200 and r.json()["rejected"] == 0, r.text
        opened += r.json()["cases_opened"]
    r = post("/admin/cases/from-scan", headers=admin)
    assert r.status_code == 200, r.text
    opened += r.json()["cases_opened"]
    assert len(opened) >= 3, r.text
    for n, (case_id, decision) in enumerate(
        zip(opened, ("fake", "genuine", "needs_info"), strict=False)
    ):
        assert post(f"/cases/{case_id}/claim", headers=reviewer).status_code == 200
        body = {"decision": decision, "reason": payload(n + 30)}
        r = post(f"/cases/{case_id}/decision", json=body, headers=reviewer)
        assert r.status_code == 200, r.text
    return list(opened)


CHECKER_TEXT_FIELDS = (
    "name",
    "headline",
    "job_title",
    "employer",
    "location",
    "summary",
    "message",
)
CHECKER_ALL_FIELDS = (*CHECKER_TEXT_FIELDS, "job_since", "joined", "connections", "profile_url")


def payload_export(path: Path, k: int) -> Path:
    """A LinkedIn export whose senders, notes and messages are payloads (and its owner's name)."""
    from test_web_checker import export_files, write_zip

    url = "https://www.linkedin.com/in/{}"
    return write_zip(
        path,
        export_files(
            me_name=f"Staff {payload(k)}",
            me_url=url.format(f"staff-{k}"),
            headline=payload(k + 1),
            connections=[("Dan", payload(k + 2), url.format("dan"), payload(k + 3), "x", "")],
            invitations=[
                (payload(k + 4 + i), url.format(f"s{i}"), "1/15/24, 3:04 PM", LURE + payload(i))
                for i in range(0, N, 4)
            ],
            messages=[
                (payload(k + 5 + i), url.format(f"m{i}"), "2024-05-01 10:00:00 UTC", payload(i))
                for i in range(1, N, 4)
            ],
        ),
    )


def public_and_organisation_pages(client: Any, keys: dict[str, str], tmp_path: Path) -> set[str]:
    """The checker (form errors, a result, an export ranking) and organisation mode (the admin's
    list, an officer's dashboard after uploads, a staff submission) with payloads everywhere."""
    from test_web_checker import check, upload_export
    from test_web_organisation import new_org, officer_upload

    shown: set[str] = set()
    for k in range(0, N, len(CHECKER_ALL_FIELDS)):
        r = check(client, {f: payload(k + i) for i, f in enumerate(CHECKER_ALL_FIELDS)})
        shown |= assert_clean(r.text, f"/checker with bad fields ({k})", min_shown=3)
    for k in range(0, N, len(CHECKER_TEXT_FIELDS)):
        fields = {f: payload(k + i) for i, f in enumerate(CHECKER_TEXT_FIELDS)}
        fields |= {"job_since": "2024-01", "joined": "2024-02", "connections": "500"}
        r = check(client, fields | {"has_photo": "yes", "profile_url": ""})
        assert r.status_code == 200, r.text[:500]
        shown |= assert_clean(r.text, f"/checker result ({k})", min_shown=1)
    r = upload_export(client, payload_export(tmp_path / "mine.zip", 0))
    assert r.status_code == 200, r.text[:500]
    shown |= assert_clean(r.text, "/checker/export result", min_shown=10)

    sign_in(client, keys["admin"])
    _org_id, code, officer = new_org(client, name=payload(13))
    shown |= assert_clean(client.get("/organisation").text, "/organisation (admin)", 1)
    sign_in(client, officer)
    paths = [payload_export(tmp_path / f"staff{k}.zip", k) for k in range(3)]
    r = officer_upload(client, paths)
    assert r.status_code == 200, r.text[:500]
    shown |= assert_clean(r.text, "/organisation/upload", min_shown=10)
    shown |= assert_clean(client.get("/organisation").text, "/organisation (officer)", 10)
    from web_support import csrf_from

    token = csrf_from(client.get("/organisation/submit").text)
    with open(payload_export(tmp_path / "own.zip", 7), "rb") as fh:
        r = client.post(
            "/organisation/submit",
            data={"csrf_token": token, "code": code, "label": payload(20)},
            files={"export": ("export.zip", fh, "application/zip")},
        )
    assert r.status_code == 201, r.text[:500]
    shown |= assert_clean(r.text, "/organisation/submit result", min_shown=5)
    return shown


def assert_clean(html: str, where: str, min_shown: int) -> set[str]:
    found = injections(html)
    assert not found.problems, f"{where}: " + "\n".join(found.problems[:10])
    assert len(found.shown) >= min_shown, (
        f"{where} shows {len(found.shown)} payloads as text; expected at least {min_shown}"
    )
    return found.shown


def test_the_checker_finds_raw_payloads_and_passes_escaped_ones():
    """The detector itself can fail: raw markup payloads are caught, escaped ones are shown."""
    page = "<!doctype html><html><head></head><body><main>{}</main></body></html>"
    markup = [p for p in PAYLOADS if p.kind not in ("template", "encoded") and "<" in p.text]
    for p in markup:
        raw = injections(page.format(f"<p>{p.text}</p>"))
        assert raw.problems, f"{p.marker} raw was not detected: {p.text!r}"
    for p in PAYLOADS:
        safe = injections(page.format(f"<p>{escape(p.text)}</p>"))
        assert not safe.problems, (p.marker, safe.problems)
        assert p.marker in safe.shown
        in_attr = injections(page.format(f'<input value="{escape(p.text)}" aria-label="x">'))
        assert not in_attr.problems, (p.marker, in_attr.problems)
    for p in URL_PAYLOADS:  # escaping does not make a script URL safe in an href
        assert injections(page.format(f'<a href="{p.text}">x</a>')).problems, p.marker
        if "&" not in p.text:
            assert injections(page.format(f'<a href="{escape(p.text)}">x</a>')).problems
    assert injections(page.format("tpl49xss31")).problems
    assert not injections(page.format("tpl{{7*7}}xss31")).problems


def test_no_payload_survives_on_any_page(db_url, tmp_path):
    with running(db_url) as svc:
        opened = seed(tmp_path, svc.store, svc.client.post, svc.h("admin"), svc.h("reviewer"))
        sign_in(svc.client, svc.keys["reviewer"])
        shown: set[str] = set()
        pages = ["/dashboard", YEAR]
        for path in pages:
            r = svc.client.get(path)
            assert r.status_code == 200, (path, r.text[:500])
            shown |= assert_clean(r.text, path, min_shown=5)
            # the dashboard draws organisation names inside SVG: no invisible reordering there
            assert "\u202e" not in r.text and "\u200b" not in r.text
        r = svc.client.get("/login", params={"next": "/x\"><script>alert('xss14')</script>"})
        assert_clean(r.text, "/login?next=", min_shown=0)
        if has_page("checker") and has_page("organisation"):
            shown |= public_and_organisation_pages(svc.client, svc.keys, tmp_path)
            sign_in(svc.client, svc.keys["reviewer"])
        if has_page("console"):
            for path in ["/console", "/console?status=needs_info"]:
                r = svc.client.get(path)
                assert r.status_code == 200, (path, r.text[:500])
                shown |= assert_clean(r.text, path, min_shown=1)
            for case_id in opened:
                path = f"/console/cases/{case_id}"
                r = svc.client.get(path)
                assert r.status_code == 200, (path, r.text[:500])
                shown |= assert_clean(r.text, path, min_shown=10)
                assert "tpl{{7*7}}xss31" in r.text or "xss31" not in r.text
        # each payload was on some page, as text
        missing = {p.marker for p in PAYLOADS} - shown
        assert not missing, sorted(missing)


def test_payloads_run_nothing_in_a_real_browser(chromium, tmp_path):
    """Chromium loads the dashboard and a case page full of payloads: no dialog opens (every
    payload calls alert) and no Content-Security-Policy violation is reported."""
    import httpx

    with live_server(f"sqlite:///{tmp_path / 'b.db'}") as live:
        with httpx.Client(base_url=live.base, timeout=120) as http:
            opened = seed(
                tmp_path,
                live.store,
                http.post,
                {"X-API-Key": live.keys["admin"]},
                {"X-API-Key": live.keys["reviewer"]},
            )
        ctx = chromium.new_context()
        ctx.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        page = ctx.new_page()
        dialogs: list[str] = []
        console: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: console.append(m.text))
        browser_sign_in(page, live.base, live.keys["reviewer"])
        paths = [YEAR]
        if has_page("console"):
            paths.append(f"/console/cases/{opened[-1]}")
        for path in paths:
            page.goto(live.base + path)
            page.wait_for_load_state("load")
            page.mouse.move(300, 300)
            page.mouse.move(600, 700)  # would fire any onmouseover that slipped through
            page.keyboard.press("Tab")  # and any onfocus
            page.wait_for_timeout(300)
            assert page.evaluate("window.__csp") == [], path
            assert page.get_by_text(re.compile(r"xss\d\d")).count() > 0, f"{path} shows none"
        ctx.close()
        assert dialogs == []
        assert not [m for m in console if "Content Security Policy" in m], console
