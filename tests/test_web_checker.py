"""The public checker pages: one profile, a whole LinkedIn export, limits, reports, hostile text."""

from __future__ import annotations

import html
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
from PIL import Image
from review_helpers import running
from sqlalchemy import MetaData, func, select
from web_support import csrf_from, sign_in

import spycatcher.web.checker as web_checker
from spycatcher.store.review import ReportRow

ME = "https://www.linkedin.com/in/jane-doe-123"
RACHEL = "https://www.linkedin.com/in/rachel-li-risehr"
ALEX = "https://www.linkedin.com/in/alex-li-csed"
DAVE = "https://www.linkedin.com/in/dave-brown-77"
LURE = (
    "Dear {name}, your expertise in defence programmes is exactly what our client needs. We pay "
    "2,000 USD for a short report on your current projects, all expenses paid trip to Shanghai. "
    "Add me on WhatsApp please."
)
ORDINARY_NOTE = "Lunch tomorrow at the usual place? The project meeting moved to 3pm."

#: payloads placed in every field a member or an export can fill
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    "<iframe srcdoc='<script>alert(3)</script>'></iframe>",
    "{{7*7}}{% raw %}",
]

# -- LinkedIn's real export layout: Connections.csv starts with "Notes:" preamble lines ---------

CONNECTIONS_PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    'https://www.linkedin.com/psettings/privacy/email."\n'
    "\n"
)


def _csv(values: Iterable[object]) -> str:
    out = []
    for v in values:
        s = str(v)
        out.append('"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n\r') else s)
    return ",".join(out)


def export_files(
    me_name: str = "Jane Doe",
    me_url: str = ME,
    headline: str = "Systems engineer at BAE Systems",
    connections: Sequence[tuple[str, str, str, str, str, str]] = (),
    invitations: Sequence[tuple[str, str, str, str]] = (),
    messages: Sequence[tuple[str, str, str, str]] = (),
) -> dict[str, str]:
    """The CSVs of a LinkedIn export: connections (first, last, url, company, position, date),
    incoming invitations (from, url, sent at, note), incoming messages (from, url, date, text)."""
    conn = CONNECTIONS_PREAMBLE + "First Name,Last Name,URL,Email Address,Company,Position,"
    conn += "Connected On\n"
    for first, last, url, company, position, date in connections:
        conn += _csv([first, last, url, "", company, position, date]) + "\n"
    inv = "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
    for frm, url, at, note in invitations:
        inv += _csv([frm, me_name, at, note, "INCOMING", url, me_url]) + "\n"
    msg = (
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
        "DATE,SUBJECT,CONTENT,FOLDER\n"
    )
    for i, (frm, url, at, text) in enumerate(messages):
        msg += _csv([f"2-c{i}==", "", frm, url, me_name, me_url, at, "", text, "INBOX"]) + "\n"
    first, last = me_name.split(" ", 1)
    profile = (
        "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,"
        "Geo Location,Twitter Handles,Websites,Instant Messengers\n"
        + _csv([first, last, "", "1 High St, London", "Jan 1, 1980", headline, "", "Defense"])
        + ",,London,,,\n"
    )
    return {
        "Connections.csv": conn,
        "Invitations.csv": inv,
        "messages.csv": msg,
        "Profile.csv": profile,
    }


def write_zip(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def staff_export(
    path: Path, name: str, url: str, approached_by: Sequence[tuple[str, str, str]] = ()
) -> Path:
    """A staff member's export: an ordinary colleague's message plus the given invitations."""
    first = name.split()[0]
    return write_zip(
        path,
        export_files(
            me_name=name,
            me_url=url,
            connections=[("Dave", "Brown", DAVE, "BAE Systems", "Engineer", "03 Feb 2020")],
            invitations=[(frm, u, at, LURE.format(name=first)) for frm, u, at in approached_by],
            messages=[("Dave Brown", DAVE, "2024-05-01 10:00:00 UTC", ORDINARY_NOTE)],
        ),
    )


# -- helpers ---------------------------------------------------------------------------------

LURE_PROFILE = {
    "name": "Rachel Li",
    "headline": "Senior Headhunter at RiseHR",
    "job_title": "Senior Director",
    "employer": "RiseHR Consulting",
    "job_since": "2008",
    "joined": "2026-10",
    "connections": "500+",
    "location": "",
    "profile_url": RACHEL,
    "has_photo": "yes",
    "summary": "",
    "message": LURE.format(name="Jane"),
}
ORDINARY_PROFILE = {
    "name": "Sam Roe",
    "headline": "Maths teacher at Hull College",
    "job_title": "Teacher",
    "employer": "Hull College",
    "job_since": "2012-09",
    "joined": "2011",
    "connections": "230",
    "location": "Hull, United Kingdom",
    "profile_url": "https://uk.linkedin.com/in/sam-roe-teacher",
    "has_photo": "yes",
    "summary": "I teach A-level maths and run the school's chess club.",
    "message": "Great to meet you at the open day, see you next term.",
}


def text_of(page: str) -> str:
    """The page's visible text, unescaped, on one line."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def table_counts(store) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Rows in every table of the store (reflected, so tables added later are counted too)."""
    meta = MetaData()
    meta.reflect(store.engine)
    with store.engine.connect() as c:
        return {
            name: c.execute(select(func.count()).select_from(t)).scalar_one()
            for name, t in meta.tables.items()
            if name != "alembic_version"
        }


def leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("spycatcher-upload-*")}


def check(client, fields: dict[str, str], photo: tuple[str, bytes, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/checker").text)
    files = {"photo": photo} if photo else None
    return client.post("/checker", data={**fields, "csrf_token": token}, files=files)


def upload_export(client, path: Path, name: str = "Basic_LinkedInDataExport.zip"):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/checker/export").text)
    with open(path, "rb") as fh:
        return client.post(
            "/checker/export",
            data={"csrf_token": token},
            files={"export": (name, fh, "application/zip")},
        )


def png_bytes(size: tuple[int, int] = (64, 64)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buf, format="PNG")
    return buf.getvalue()


# -- one profile -------------------------------------------------------------------------------


def test_a_lure_profile_is_high_risk_with_reasons_and_the_four_rs(tmp_path: Path) -> None:
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        r = check(svc.client, LURE_PROFILE)
        assert r.status_code == 200, r.text
        page = text_of(r.text)
        assert "This profile looks HIGH RISK" in page
        assert "New account claiming a long career" in page  # 58 days old, 18 years of career
        assert "Offers money for reports" in page and "WhatsApp" in page
        steps = re.findall(r"<li><strong>(\w+)</strong>:", r.text.split("the 4 Rs")[1])
        assert steps[:4] == ["Recognise", "Realise", "Report", "Remove"]
        assert "Reduce your own exposure" in page and "security clearance" in page
        assert 'action="/checker/report"' in r.text and f'value="{RACHEL}"' in r.text
        assert "No profile photo" not in page  # the member said the profile shows one


def test_an_ordinary_profile_is_low_risk(tmp_path: Path) -> None:
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        r = check(svc.client, ORDINARY_PROFILE)
        assert r.status_code == 200, r.text
        page = text_of(r.text)
        assert "This profile looks LOW RISK" in page
        assert "A low score is not proof the profile is genuine" in page
        # saying the profile has no photo is itself a (weak) warning sign
        r = check(svc.client, {**ORDINARY_PROFILE, "has_photo": "no"})
        assert "No profile photo" in text_of(r.text)


def test_ordinary_cues_are_shown_apart_and_escaped(tmp_path: Path) -> None:
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        msg = "<b>Hi</b>, what's your personal email? <script>alert(1)</script>"
        r = check(svc.client, {**ORDINARY_PROFILE, "message": msg})
        assert r.status_code == 200, r.text
        page = text_of(r.text)
        assert "Worth knowing" in page and "your personal email" in page
        assert "not a warning sign on its own" in page
        _assert_inert(r.text, "<script>alert(1)</script>")


def test_bad_details_are_named_per_field_and_kept_in_the_form(tmp_path: Path) -> None:
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        bad = {
            **ORDINARY_PROFILE,
            "joined": "last Tuesday",
            "connections": "lots",
            "profile_url": "https://example.org/in/sam",
            "name": "x" * 201,
        }
        r = check(svc.client, bad)
        assert r.status_code == 400
        page = text_of(r.text)
        assert "Member since: write a date like 2019, 2019-03 or March 2019" in page
        assert "A number, like 250 or 500+." in page
        assert "Paste the address of a LinkedIn profile" in page
        assert "At most 200 characters" in page
        assert 'aria-invalid="true"' in r.text
        assert "I teach A-level maths" in r.text  # what was typed is not lost
        ok = check(svc.client, {**ORDINARY_PROFILE, "joined": "March 2011", "job_since": "9/2012"})
        assert ok.status_code == 200


def test_a_photo_is_analysed_in_memory_and_hostile_photos_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        before = leftovers()
        r = check(svc.client, ORDINARY_PROFILE, ("face.png", png_bytes(), "image/png"))
        assert r.status_code == 200, r.text
        assert "Photo: 64×64 PNG" in text_of(r.text) and "discarded" in r.text
        # a file that is not an image
        r = check(svc.client, ORDINARY_PROFILE, ("face.png", b"<svg onload=alert(1)>", "image/png"))
        assert r.status_code == 400 and "Photo refused" in r.text
        assert "not a JPEG, PNG or WebP image" in text_of(r.text)
        # a decompression bomb: a small PNG whose header claims 30 million pixels
        bomb = png_bytes((6000, 5000))
        assert len(bomb) < 1_000_000
        r = check(svc.client, ORDINARY_PROFILE, ("bomb.png", bomb, "image/png"))
        assert r.status_code == 413 and "decompression bomb" in text_of(r.text)
        # over the request limit: refused from its Content-Length, before the body is read
        monkeypatch.setattr(web_checker, "MAX_CHECK_REQUEST", 200_000)
        r = check(svc.client, ORDINARY_PROFILE, ("big.png", b"\x89PNG" + b"\0" * 300_000, "x"))
        assert r.status_code == 413 and "File too large" in r.text
        assert "Nothing was kept" in r.text
        assert leftovers() == before


# -- a whole export ------------------------------------------------------------------------------


def test_an_export_is_ranked_with_reasons_and_unreadable_rows_are_named(tmp_path: Path) -> None:
    files = export_files(
        connections=[("Dave", "Brown", DAVE, "BAE Systems", "Engineer", "03 Feb 2020")],
        invitations=[
            ("Rachel Li", RACHEL, "1/15/24, 3:04 PM", LURE.format(name="Jane")),
            ("Alex Li", ALEX, "not a date", "Hello"),
        ],
        messages=[("Dave Brown", DAVE, "2024-05-01 10:00:00 UTC", ORDINARY_NOTE)],
    )
    assert files["Connections.csv"].startswith("Notes:\n")
    path = write_zip(tmp_path / "export.zip", files)
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        before = leftovers()
        r = upload_export(svc.client, path, "Basic_LinkedInDataExport_11-28-2026.zip")
        assert r.status_code == 200, r.text
        page = text_of(r.text)
        assert "Export of Jane Doe" in page and "2 people approached you" in page
        ranked = re.findall(r'<h3><span class="lvl (\w+)">\w+</span> ([^<]+)</h3>', r.text)
        assert [name for _, name in ranked] == ["Rachel Li", "Dave Brown"]
        assert ranked[0][0] in ("medium", "high") and ranked[1][0] == "low"
        assert "Offers money for reports" in page and "Tries to move the conversation" in page
        # what an export cannot show is never held against a sender
        assert "No profile photo" not in page and "Most of the profile is empty" not in page
        # the member's own exposure
        assert "your home address and your date of birth" in page
        # the unreadable invitation is named by the uploaded file, line and field
        assert "Basic_LinkedInDataExport_11-28-2026.zip!Invitations.csv" in page
        assert "not a date LinkedIn writes" in page and "Sent At" in page
        assert "spycatcher-upload-" not in r.text  # the temporary path never shows
        assert leftovers() == before


def test_oversized_exports_and_zip_bombs_are_refused_and_nothing_is_stored(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running(db_url) as svc:
        before, temp_before = table_counts(svc.store), leftovers()
        # a zip bomb: 30 MiB of zeros in a member that compresses to about 30 KiB
        bomb = write_zip(
            tmp_path / "bomb.zip",
            {**export_files(), "messages.csv": b"\0" * (30 * 1024 * 1024)},
        )
        assert bomb.stat().st_size < 100_000
        r = upload_export(svc.client, bomb)
        assert r.status_code == 413
        page = text_of(r.text)
        assert "File refused" in page and "zip bomb" in page and "Nothing was kept" in page
        # not a zip at all
        notzip = tmp_path / "export.zip"
        notzip.write_text("First Name,Last Name\nRachel,Li\n")
        r = upload_export(svc.client, notzip)
        assert r.status_code == 400 and "is not a zip file" in text_of(r.text)
        # larger than the limit: refused from Content-Length, the body is never read
        monkeypatch.setattr(web_checker, "MAX_EXPORT_REQUEST", 100_000)
        big = write_zip(tmp_path / "big.zip", {"x.bin": __import__("os").urandom(200_000)})
        r = upload_export(svc.client, big)
        assert r.status_code == 413 and "File too large" in text_of(r.text)
        # and no file uploaded at all
        token = csrf_from(svc.client.get("/checker/export").text)
        r = svc.client.post("/checker/export", data={"csrf_token": token}, files={"x": ("", b"")})
        assert r.status_code == 400 and "Choose your LinkedIn export" in r.text
        assert table_counts(svc.store) == before
        assert leftovers() == temp_before


def test_without_a_csrf_token_nothing_is_checked(tmp_path: Path) -> None:
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        r = svc.client.post("/checker", data=LURE_PROFILE)
        assert r.status_code == 403 and "expired" in r.text


# -- nothing kept until a member reports ---------------------------------------------------------


def test_nothing_is_kept_until_the_member_chooses_to_report(db_url: str, tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "e.zip",
        export_files(
            invitations=[("Rachel Li", RACHEL, "1/15/24, 3:04 PM", LURE.format(name="J"))]
        ),
    )
    with running(db_url) as svc:
        before = table_counts(svc.store)
        assert check(svc.client, LURE_PROFILE).status_code == 200
        assert upload_export(svc.client, path).status_code == 200
        assert table_counts(svc.store) == before  # checking keeps nothing at all

        page = check(svc.client, LURE_PROFILE).text
        token = csrf_from(page)
        form = {
            "csrf_token": token,
            "profile_url": RACHEL,
            "reason": "suspicious_approach",
            "note": "Offered money for a report and asked me to move to WhatsApp.",
        }
        r = svc.client.post("/checker/report", data=form)
        assert r.status_code == 201, r.text
        assert "your report has been received" in text_of(r.text)
        assert "You reported anonymously" in r.text
        with svc.store.session() as s:
            rows = list(s.scalars(select(ReportRow)))
        assert len(rows) == 1
        (rep,) = rows
        assert (rep.profile_id, rep.reason, rep.source) == (
            "linkedin.com/in/rachel-li-risehr",
            "suspicious_approach",
            "public",
        )
        assert rep.reporter.startswith("public:") and "testclient" not in rep.reporter
        assert rep.text == form["note"]
        after = table_counts(svc.store)
        changed = {t for t in after if after[t] != before[t]}
        # the report, its audit entry (and the chain head), the profile's audit pseudonym
        assert changed <= {"reports", "audit_log", "audit_head", "pseudonyms"}
        actions = [e["action"] for e in svc.service.audit_entries(limit=1000)]
        assert actions.count("report.filed") == 1

        # the same visitor reporting the same profile again changes nothing
        r = svc.client.post("/checker/report", data=form)
        assert r.status_code == 200 and "was already with us" in r.text
        # anonymous reports are rate-limited per visitor: 3 an hour
        for i in range(2):
            ok = {**form, "profile_url": f"https://www.linkedin.com/in/other-{i}"}
            assert svc.client.post("/checker/report", data=ok).status_code == 201
        r = svc.client.post("/checker/report", data={**form, "profile_url": ALEX})
        assert r.status_code == 429 and "Too many reports" in r.text
        with svc.store.session() as s:
            assert s.scalar(select(func.count()).select_from(ReportRow)) == 3


def test_a_report_needs_a_profile_address_and_a_known_reason(tmp_path: Path) -> None:
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        token = csrf_from(svc.client.get("/checker").text)
        base = {"csrf_token": token, "reason": "fake_profile", "profile_url": RACHEL}
        r = svc.client.post("/checker/report", data={**base, "profile_url": "https://x.org/a"})
        assert r.status_code == 400 and "LinkedIn address" in r.text
        r = svc.client.post("/checker/report", data={**base, "reason": "because"})
        assert r.status_code == 400 and "Choose why" in r.text
        with svc.store.session() as s:
            assert s.scalar(select(func.count()).select_from(ReportRow)) == 0


def test_a_signed_in_member_reports_under_their_own_account(tmp_path: Path) -> None:
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        sign_in(svc.client, svc.keys["member"])
        page = check(svc.client, LURE_PROFILE).text
        assert "filed under your member account" in page
        r = svc.client.post(
            "/checker/report",
            data={"csrf_token": csrf_from(page), "profile_url": RACHEL, "reason": "fake_profile"},
        )
        assert r.status_code == 201 and "You reported anonymously" not in r.text
        with svc.store.session() as s:
            (rep,) = s.scalars(select(ReportRow))
        assert (rep.reporter, rep.source) == ("alice", "api")


# -- attacker-written text, everywhere ----------------------------------------------------------


def _assert_inert(page: str, payload: str) -> None:
    """The payload appears only escaped: no tag it carries reached the page as markup."""
    if any(c in payload for c in "<>\"'"):
        assert payload not in page
    for tag in ("<script>alert", "<img src=x", "<svg/onload", "<iframe srcdoc"):
        assert tag not in page
    if "{{7*7}}" in payload:  # never evaluated as a template
        assert "{{7*7}}" in text_of(page)


@pytest.mark.parametrize("payload", XSS)
def test_hostile_text_in_every_field_is_escaped(tmp_path: Path, payload: str) -> None:
    fields = {
        k: payload
        for k in ("name", "headline", "job_title", "employer", "location", "summary", "message")
    }
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        r = check(svc.client, {**LURE_PROFILE, **fields})
        assert r.status_code == 200, r.text
        _assert_inert(r.text, payload)
        assert payload in text_of(r.text)  # shown, as text
        # rejected values are echoed back into the form, escaped too
        bad = {**fields, "profile_url": payload, "joined": payload[:20], "connections": "x"}
        r = check(svc.client, {**LURE_PROFILE, **bad})
        assert r.status_code == 400
        _assert_inert(r.text, payload)

        # an export whose names, headlines, notes and messages carry the payload
        files = export_files(
            connections=[(payload, "Li", RACHEL, payload, payload, "15 Jan 2024")],
            invitations=[(payload, ALEX, "1/15/24, 3:04 PM", payload + " " + LURE)],
            messages=[(f"{payload} Li", RACHEL, "2024-05-01 10:00:00 UTC", payload)],
        )
        path = write_zip(tmp_path / "x.zip", files)
        r = upload_export(svc.client, path, name=f"{payload}.zip")
        assert r.status_code == 200, r.text
        _assert_inert(r.text, payload)


def test_a_form_posted_from_another_site_is_refused(tmp_path: Path) -> None:
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        token = csrf_from(svc.client.get("/checker").text)
        form = {"csrf_token": token, "profile_url": RACHEL, "reason": "fake_profile"}
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            r = svc.client.post("/checker/report", data=form, headers=headers)
            assert r.status_code == 403 and "only be sent from this site" in r.text
        with svc.store.session() as s:
            assert s.scalar(select(func.count()).select_from(ReportRow)) == 0
        same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
        assert svc.client.post("/checker/report", data=form, headers=same).status_code == 201
