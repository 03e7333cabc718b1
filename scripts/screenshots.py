#!/usr/bin/env python
"""Screenshots of every web page, from a demo store, for docs/screenshots/ (docs/web.md shows them).

    .venv/bin/python scripts/screenshots.py                 # 1.5 minutes on 2 cores
    .venv/bin/python scripts/screenshots.py --profiles 5000 --out /tmp/shots --keep

What it does, end to end, with the real pieces:

1. synthesises a network (``spycatcher synth``'s generator, "now" as its reference date, so the
   dashboard's default range has activity), scans it into a fresh SQLite store (the local engine)
   and stores its profiles and events (what ``spycatcher ingest`` does);
2. opens cases from the scan in three batches on different days and has a reviewer decide some of
   them over the past two weeks (the review service with its clock moved back), so the queue,
   the backlog and the throughput chart show a working team rather than one moment;
3. builds LinkedIn exports of the three members high-risk profiles wrote to most, from what they
   received; creates an organisation with an officer key;
4. starts the app (``create_app``, as ``spycatcher serve`` does) under uvicorn on loopback (the
   browser tests' ``tests/web_support.live_server``), drives Debian's Chromium with Playwright
   (sign in with an API key, fill the checker, upload exports) and saves a PNG of each page at
   1280 px wide: login, queue, a case, dashboard, checker result, export result, organisation
   dashboard. Pages whose module is not there are skipped, with a note.

PNGs are reduced to a palette so each stays under ~300 KB (text stays sharp); a page still larger
is cut to its first ``--max-height`` pixels.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from importlib.util import find_spec
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
WIDTH = 1280
MAX_BYTES = 300_000
ROOT = Path(__file__).resolve().parents[1]


def log(msg: str) -> None:
    print(f"[screenshots] {msg}", flush=True)


# -- 1-2. the demo store ---------------------------------------------------------------------


class Clock:
    """The review service's clock, moved back and forth to spread cases over days."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def build_store(work: Path, profiles: int, seed: int, now: datetime) -> dict[str, Any]:
    from spycatcher.api.auth import authenticate, create_key
    from spycatcher.engine.local import ScanOptions, scan
    from spycatcher.io.records import read_events, read_profiles
    from spycatcher.review.service import ReviewService
    from spycatcher.store import Store
    from spycatcher.synth import generate

    net = work / "network"
    log(f"synthesising {profiles:,} profiles")
    generate(net, profiles, seed, as_of=now - timedelta(hours=6), workers=1)
    url = f"sqlite:///{work / 'demo.db'}"
    store = Store(url)
    log("scanning")
    with scan(
        net / "profiles.jsonl", net / "events.jsonl", ScanOptions(store=store, as_of=now)
    ) as result:
        summary = result.summary()
    log(f"scan: {summary['levels']} {summary['campaigns']} campaigns")
    store.upsert_profiles(read_profiles(net / "profiles.jsonl"))
    store.upsert_events(read_events(net / "events.jsonl"))

    clock = Clock(now)
    service = ReviewService(store, clock=clock)
    admin_key, _ = create_key(store, "admin", name="Screenshot admin")
    reviewer_key, _ = create_key(store, "reviewer", name="Screenshot reviewer")
    admin = authenticate(store, admin_key)
    reviewer = authenticate(store, reviewer_key)
    assert admin is not None and reviewer is not None
    opened: list[int] = []
    for days_ago, limit in ((16, 8), (6, 16), (0.1, 1_000)):
        clock.now = now - timedelta(days=days_ago)
        opened += service.cases_from_scan(admin, limit=limit)["cases_opened"]
    log(f"opened {len(opened)} cases")
    plan = [
        (15, "fake", "Photo is a stock image; employer does not exist; lure wording."),
        (13, "fake", "Same persona as campaign members already removed."),
        (12, "genuine", "Real recruiter: verified employer, long history."),
        (9, "needs_info", "Ask the platform for sign-up IP and device."),
        (5, "fake", "Shared photo and script with four other profiles."),
        (4, "escalate", "Targets ministry staff: intelligence liaison to decide."),
        (3, "fake", "New account, 500 invitations to defence engineers in a week."),
        (2, "genuine", "Known conference organiser; ordinary messages."),
        (1, "fake", "Paid-report lure and a move to WhatsApp."),
    ]
    decided = 0
    for (days_ago, decision, reason), case_id in zip(plan, opened, strict=False):
        clock.now = now - timedelta(days=days_ago, hours=2)
        case = service.case(reviewer, case_id)
        if case["status"] == "closed":
            continue
        service.claim(reviewer, case_id)
        service.decide(reviewer, case_id, decision, reason)
        decided += 1
    log(f"decided {decided} cases")
    clock.now = now
    store.close()
    return {"url": url, "net": net, "admin": admin_key, "reviewer": reviewer_key}


# -- 3. staff exports from the synthetic network ---------------------------------------------


def _zip(path: Path, files: dict[str, list[list[str]]], preamble: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, rows in files.items():
            buf = io.StringIO()
            buf.write(preamble.get(name, ""))
            csv.writer(buf, lineterminator="\n").writerows(rows)
            z.writestr(name, buf.getvalue())
    return path


PROFILE_HEADER = (
    "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,"
    "Geo Location,Twitter Handles,Websites,Instant Messengers"
).split(",")
CONNECTIONS_NOTE = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email '
    'addresses are missing."\n\n'
)


def staff_exports(url: str, work: Path, n: int = 3) -> list[Path]:
    """LinkedIn exports of the ``n`` members that high-risk profiles wrote to most: their
    connections and the invitations and messages they received, as LinkedIn lays them out."""
    from sqlalchemy import func, select

    from spycatcher.store import Store
    from spycatcher.store.models import AssessmentRow, EventRow, ProfileRow

    store = Store(url)
    run = store.latest_run()
    assert run is not None
    with store.session() as s:
        high = select(AssessmentRow.profile_id).where(
            AssessmentRow.run_id == run.run_id, AssessmentRow.level == "high"
        )
        targets = list(
            s.scalars(
                select(EventRow.target)
                .where(EventRow.actor.in_(high), EventRow.type.in_(("invitation", "message")))
                .group_by(EventRow.target)
                .order_by(func.count().desc(), EventRow.target)
                .limit(n)
            )
        )
        received: dict[str, list[EventRow]] = defaultdict(list)
        for e in s.scalars(
            select(EventRow)
            .where(
                EventRow.target.in_(targets),
                EventRow.type.in_(("invitation", "message", "connection")),
            )
            .order_by(EventRow.at)
        ):
            received[e.target].append(e)
        ids = set(targets) | {e.actor for evs in received.values() for e in evs}
        people = {
            r.profile_id: r.data
            for r in s.scalars(select(ProfileRow).where(ProfileRow.profile_id.in_(ids)))
        }
    store.close()

    def name(pid: str) -> str:
        return str(people.get(pid, {}).get("name") or pid)

    out = []
    for t in targets:
        me, me_url = name(t), f"https://www.linkedin.com/in/{t}"
        inv = [["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl",
                "inviteeProfileUrl"]]  # fmt: skip
        msg = [["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
                "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER"]]  # fmt: skip
        conn = [["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
                 "Connected On"]]  # fmt: skip
        for i, e in enumerate(received[t]):
            frm, frm_url = name(e.actor), f"https://www.linkedin.com/in/{e.actor}"
            text = str((e.data or {}).get("text") or "")
            if e.type == "invitation":
                at = e.at.strftime("%m/%d/%y, %I:%M %p")
                inv.append([frm, me, at, text, "INCOMING", frm_url, me_url])
            elif e.type == "message":
                at = e.at.strftime("%Y-%m-%d %H:%M:%S UTC")
                msg.append([f"2-c{i}==", "", frm, frm_url, me, me_url, at, "", text, "INBOX"])
            else:
                job = next(iter(people.get(e.actor, {}).get("experience") or []), {})
                first, _, last = frm.partition(" ")
                conn.append([first, last, frm_url, "", job.get("company", ""),
                             job.get("title", ""), e.at.strftime("%d %b %Y")])  # fmt: skip
        first, _, last = me.partition(" ")
        headline = str(people.get(t, {}).get("headline") or "")
        files = {
            "Invitations.csv": inv,
            "messages.csv": msg,
            "Connections.csv": conn,
            "Profile.csv": [
                PROFILE_HEADER,
                [first, last, "", "", "", headline, "", "", "", "", "", "", ""],
            ],
        }
        out.append(_zip(work / f"{t}.zip", files, {"Connections.csv": CONNECTIONS_NOTE}))
    return out


# -- 4. the server and the browser -----------------------------------------------------------


def save_png(raw: bytes, path: Path, max_height: int) -> int:
    """A palette PNG under MAX_BYTES if it can be (fewer colours, then a shorter page)."""
    from PIL import Image

    img = Image.open(io.BytesIO(raw)).convert("RGB")
    data = b""
    for colours, height in ((192, None), (96, None), (64, max_height), (48, max_height // 2)):
        im = img if height is None or img.height <= height else img.crop((0, 0, WIDTH, height))
        buf = io.BytesIO()
        im.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            buf, format="PNG", optimize=True
        )
        data = buf.getvalue()
        if len(data) <= MAX_BYTES:
            break
    path.write_bytes(data)
    return len(data)


LURE_CHECK = {
    "name": "Rachel Li",
    "headline": "Senior Headhunter at RiseHR | Think tank research fellow",
    "job_title": "Director of Talent",
    "employer": "RiseHR Consulting",
    "job_since": "2025-09",
    "joined": "2025-09",
    "connections": "500",
    "location": "London",
    "summary": "Passionate global network. Exclusive opportunities for talented professionals.",
    "message": "Dear Jane, your expertise is exactly what our client needs. We pay 2,000 USD for "
    "a short report on your current projects, all expenses paid trip to Shanghai. Add me on "
    "WhatsApp please.",
}


def shoot(base: str, info: dict[str, Any], exports: list[Path], out: Path, max_h: int) -> None:
    from playwright.sync_api import sync_playwright

    from spycatcher import organisation as orgs
    from spycatcher.store import Store

    store = Store(info["url"])
    org, _code = orgs.create_organisation(store, "Acme Defence Systems", "cli:screenshots")
    officer = orgs.create_officer_key(store, org.id, "Security officer", "cli:screenshots")
    store.close()
    have = {m: find_spec(f"spycatcher.web.{m}") is not None for m in ("console", "checker")}
    have["organisation"] = find_spec("spycatcher.web.organisation") is not None

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        ctx = browser.new_context(viewport={"width": WIDTH, "height": 900})
        page = ctx.new_page()
        page.on("dialog", lambda d: d.accept())

        def snap(name: str) -> None:
            page.wait_for_load_state("load")
            size = save_png(page.screenshot(full_page=True), out / f"{name}.png", max_h)
            log(f"{name}.png {size / 1000:.0f} kB  ({page.url.replace(base, '')})")

        def sign_in(key: str) -> None:
            page.goto(f"{base}/login")
            page.get_by_label("API key").fill(key)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state("load")

        page.goto(f"{base}/login")
        snap("login")
        if have["checker"]:  # the public pages, as a member sees them: not signed in
            page.goto(f"{base}/checker")
            for field, value in LURE_CHECK.items():
                page.locator(f"#f-{field}").fill(value)
            page.get_by_role("button", name="Check this profile").click()
            snap("checker")
            page.goto(f"{base}/checker/export")
            page.locator("#f-export").set_input_files(str(exports[0]))
            page.get_by_role("button", name="Check my export").click()
            snap("export")
        else:
            log("no spycatcher.web.checker: checker pages skipped")
        sign_in(info["reviewer"])
        if have["console"]:
            page.goto(f"{base}/console")
            snap("queue")
            link = page.locator("a[href^='/console/cases/']").first
            link.click()
            snap("case")
        else:
            log("no spycatcher.web.console: queue and case pages skipped")
        page.goto(f"{base}/dashboard")
        snap("dashboard")
        if have["organisation"]:
            sign_in(officer)
            page.goto(f"{base}/organisation")
            page.locator("#u-exports").set_input_files([str(p) for p in exports])
            page.get_by_role("button", name="Upload and check").click()
            page.wait_for_load_state("load")
            page.goto(f"{base}/organisation")
            snap("organisation")
        else:
            log("no spycatcher.web.organisation: organisation page skipped")
        ctx.close()
        browser.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--profiles", type=int, default=3_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-height", type=int, default=4_000, help="cut taller pages (pixels)")
    ap.add_argument("--keep", action="store_true", help="keep the demo store and network")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (make system-deps installs it)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="spycatcher-shots-"))
    t0 = time.perf_counter()
    try:
        now = datetime.now(UTC).replace(microsecond=0)
        info = build_store(work, args.profiles, args.seed, now)
        exports = staff_exports(info["url"], work)
        sys.path.insert(0, str(ROOT / "tests"))
        from web_support import live_server  # the tests' uvicorn-in-a-thread server

        with live_server(info["url"]) as live:
            shoot(live.base, info, exports, args.out, args.max_height)
    finally:
        if args.keep:
            log(f"demo store and network kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    log(f"done in {time.perf_counter() - t0:.0f} s; PNGs in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
