"""The public "Think Before You Link" checker: one profile, or a member's whole data export.

No sign-in. ``/checker`` takes what a member can see of a profile (name, headline, employer,
summary, dates, connections, address) and the message it sent, and optionally its photo; the
answer comes from :func:`spycatcher.checker.check_profile`, the same function as ``spycatcher
check`` and ``POST /check``. ``/checker/export`` takes their LinkedIn data export (a zip) and ranks
everyone in it who sent them an invitation or a message (:mod:`spycatcher.export_check`).

**Nothing uploaded is kept.** Form fields live only for the request. The server's form parser
holds an uploaded file in memory, or past 1 MiB in a temporary file it deletes when the request
ends. A photo is decoded in memory (:func:`spycatcher.photo.load.decode_image`, size and pixel
limits) and never written anywhere else. An export is copied into a private temporary folder (the
zip reader needs a path), read under :data:`~spycatcher.export_check.UPLOAD_LIMITS` and deleted
before the answer is sent. Every
request is size-limited by its ``Content-Length`` before the body is read (a request without one
is refused), and at most :data:`MAX_CONCURRENT` uploads are analysed at once.

**Reporting** is the one thing that keeps data, and only when the member asks: the "report this
profile" form files a report on the profile's LinkedIn address with the reason, and the note and
message the member chose to leave in the form. A member signed in with their member key reports
through :meth:`ReviewService.submit_report` (their track record counts). Anyone else reports
anonymously through :func:`spycatcher.review.public.submit_public_report`: see there how such a
report is recorded, rate-limited and weighted.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from spycatcher.checker import check_profile
from spycatcher.export_check import UPLOAD_LIMITS, ExportRanking, display_errors, rank_export
from spycatcher.io.limits import MIB, UntrustedFileError
from spycatcher.io.linkedin_export import normalise_profile_url, parse_export_datetime
from spycatcher.review.base import ReviewError
from spycatcher.review.reports import REASONS
from spycatcher.schema import Profile
from spycatcher.web.deps import check_csrf
from spycatcher.web.render import current_user, page, signer

router = APIRouter(include_in_schema=False)

#: a photo upload (the image loader's own limits apply after this)
MAX_PHOTO_BYTES = 10 * MIB
#: pixels of an uploaded photo (about 5000 x 5000)
MAX_PHOTO_PIXELS = 25_000_000
#: the profile form with its photo, multipart overhead included
MAX_CHECK_REQUEST = MAX_PHOTO_BYTES + 2 * MIB
#: one export upload, multipart overhead included
MAX_EXPORT_REQUEST = UPLOAD_LIMITS.max_file_bytes + 1 * MIB
#: uploads analysed at once (the machine's cores); more get "busy, try again"
MAX_CONCURRENT = 2
_BUSY = threading.BoundedSemaphore(MAX_CONCURRENT)

FIELD_LIMITS = {
    "name": 200,
    "headline": 300,
    "employer": 200,
    "job_title": 200,
    "location": 200,
    "summary": 10_000,
    "message": 20_000,
    "profile_url": 500,
    "joined": 20,
    "job_since": 20,
    "connections": 10,
    "has_photo": 3,
}
REPORT_NOTE_CHARS = 5_000


class PageError(Exception):
    """A request the checker refuses, shown as a page with this title, sentence and status."""

    def __init__(self, status: int, title: str, message: str):
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


def error_page(request: Request, err: PageError) -> HTMLResponse:
    return page(request, "error.html", status_code=err.status, title=err.title, message=err.message)


# ----------------------------------------------------------------------------- uploads


def same_origin(request: Request) -> None:
    """Refuse a form posted from another site.

    Visitors who are not signed in all share one CSRF token (there is no session to bind it to),
    so a hostile site could make its visitors' browsers post reports here. Browsers say where a
    post comes from (``Sec-Fetch-Site``, ``Origin``); a post that says another site is refused.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site in ("cross-site", "same-site"):
        raise PageError(403, "Form refused", "This form can only be sent from this site.")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = urlsplit(origin).netloc.lower()
        if host != (request.headers.get("host") or "").lower():
            raise PageError(403, "Form refused", "This form can only be sent from this site.")


async def read_form(request: Request, max_bytes: int, max_files: int) -> FormData:
    """The request's form, after refusing a body larger than ``max_bytes`` unread.

    The size is judged from ``Content-Length`` (the server never reads past it); a request without
    one is refused, since its size cannot be known before it has been spooled to disk.
    """
    same_origin(request)
    raw = request.headers.get("content-length")
    if raw is None or not raw.isdigit():
        raise PageError(411, "Upload refused", "The upload did not say how large it is.")
    if int(raw) > max_bytes:
        raise PageError(
            413,
            "File too large",
            f"That upload is {int(raw) / MIB:.1f} MiB; the limit is {max_bytes / MIB:.0f} MiB. "
            "Nothing was kept.",
        )
    try:
        return await request.form(max_files=max_files, max_fields=40, max_part_size=1 * MIB)
    except StarletteHTTPException as exc:
        raise PageError(
            400, "Upload refused", f"The form could not be read: {exc.detail}"
        ) from None


def text_field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def upload_field(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename:
        return value
    return None


_UNSAFE_NAME = re.compile(r"[^\w .()+-]")


def shown_name(upload: UploadFile) -> str:
    """The uploaded file's name for messages: the last path part, tame characters, bounded."""
    base = (upload.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    return _UNSAFE_NAME.sub("_", base)[:100] or "upload"


@contextmanager
def saved_upload(upload: UploadFile, max_bytes: int) -> Iterator[Path]:
    """The upload copied into a private temporary folder, deleted (with the folder) on exit."""
    folder = Path(tempfile.mkdtemp(prefix="spycatcher-upload-"))
    try:
        os.chmod(folder, 0o700)
        path = folder / "export.zip"
        size = 0
        upload.file.seek(0)
        with open(path, "wb") as out:
            while chunk := upload.file.read(1 * MIB):
                size += len(chunk)
                if size > max_bytes:
                    raise PageError(
                        413,
                        "File too large",
                        f"{shown_name(upload)} is larger than {max_bytes / MIB:.0f} MiB. "
                        "Nothing was kept.",
                    )
                out.write(chunk)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@asynccontextmanager
async def one_of_few() -> AsyncIterator[None]:
    """At most MAX_CONCURRENT analyses at once; beyond that the member is asked to retry."""
    if not _BUSY.acquire(blocking=False):
        raise PageError(503, "Busy", "Many people are checking files right now. Try again soon.")
    try:
        yield
    finally:
        _BUSY.release()


def is_zip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


def rank_upload(upload: UploadFile) -> tuple[ExportRanking, list[dict[str, Any]]]:
    """Rank one uploaded export (raises PageError); returns the ranking and readable remarks."""
    name = shown_name(upload)
    with saved_upload(upload, UPLOAD_LIMITS.max_file_bytes) as path:
        if not is_zip(path):
            raise PageError(
                400,
                "Not a LinkedIn export",
                f"{name} is not a zip file. Upload the zip LinkedIn sent you, as it is.",
            )
        try:
            ranking = rank_export(path, UPLOAD_LIMITS)
        except UntrustedFileError as exc:
            raise PageError(
                413,
                "File refused",
                f"{name} was refused: {exc.reason}. Nothing was kept.",
            ) from None
        remarks = list(display_errors(ranking.report, str(path), name))
    return ranking, remarks


# ----------------------------------------------------------------------- the profile form


def _partial_date(text: str, field: str) -> str | None:
    """A date as the contract wants it (YYYY, YYYY-MM or YYYY-MM-DD) from what a member types."""
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if m and (m.group(2) is None or 1 <= int(m.group(2)) <= 12):
        if m.group(3):
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        return f"{m.group(1)}-{int(m.group(2)):02d}" if m.group(2) else m.group(1)
    m = re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    try:
        parsed = parse_export_datetime(text if any(c.isdigit() for c in text[:2]) else "1 " + text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(f"{field}: write a date like 2019, 2019-03 or March 2019")
    return f"{parsed.year:04d}-{parsed.month:02d}"


def _whole_date(partial: str | None) -> str | None:
    """An account creation date from a partial one (a month means its first day)."""
    if not partial:
        return None
    parts = partial.split("-") + ["01", "01"]
    return "-".join(parts[:3])


def profile_from_form(form: FormData) -> tuple[Profile | None, dict[str, str], dict[str, str]]:
    """(profile, the values as typed, errors by field). Blank fields are what the profile lacks."""
    values = {k: text_field(form, k) for k in FIELD_LIMITS}
    errors: dict[str, str] = {}
    for k, limit in FIELD_LIMITS.items():
        if len(values[k]) > limit:
            errors[k] = f"At most {limit} characters, please."
        if "\x00" in values[k]:
            errors[k] = "This field contains a NUL character."
    dates: dict[str, str | None] = {}
    for k, label in (("joined", "Member since"), ("job_since", "In this job since")):
        try:
            dates[k] = _partial_date(values[k], label)
        except ValueError as exc:
            errors[k] = str(exc)
    connections = None
    raw = values["connections"].rstrip("+").replace(",", "")
    if raw:
        if raw.isdigit() and int(raw) <= 1_000_000:
            connections = int(raw)
        else:
            errors["connections"] = "A number, like 250 or 500+."
    url = values["profile_url"]
    pid = normalise_profile_url(url) if url else None
    if url and pid is None:
        errors["profile_url"] = "Paste the address of a LinkedIn profile (linkedin.com/in/...)."
    if values["has_photo"] not in ("", "yes", "no"):
        errors["has_photo"] = "Choose yes or no."
    if errors:
        return None, values, errors
    data: dict[str, Any] = {
        "id": pid or "checked-profile",
        "platform": "linkedin",
        "url": f"https://www.{pid}" if pid else None,
        "name": values["name"] or None,
        "headline": values["headline"] or None,
        "summary": values["summary"] or None,
        "location": values["location"] or None,
        "created_at": _whole_date(dates["joined"]),
    }
    if values["employer"] or values["job_title"] or dates["job_since"]:
        data["experience"] = [
            {
                "title": values["job_title"] or None,
                "company": values["employer"] or None,
                "start": dates["job_since"],
            }
        ]
    if connections is not None:
        data["counts"] = {"connections": connections}
    if values["has_photo"] != "no":
        # the member says the profile shows a photo: "no photo" must not be said of it
        data["photo"] = {"url": "shown-on-profile"}
    try:
        return Profile.model_validate(data), values, {}
    except ValueError as exc:
        return None, values, {"form": f"The details could not be read: {exc}"}


def analyse_photo(upload: UploadFile) -> dict[str, Any]:
    """Decode the photo in memory under the limits and analyse it (raises PageError)."""
    from spycatcher.photo.analyse import analyse_image, resolve_model
    from spycatcher.photo.load import ImageLimits, ImageRejected, decode_image

    name = shown_name(upload)
    upload.file.seek(0)
    data = upload.file.read(MAX_PHOTO_BYTES + 1)
    limits = ImageLimits(max_bytes=MAX_PHOTO_BYTES, max_pixels=MAX_PHOTO_PIXELS)
    try:
        img = decode_image(data, name, limits)
    except ImageRejected as exc:
        status = 413 if exc.code in ("too_large", "too_many_pixels") else 400
        raise PageError(
            status, "Photo refused", f"{name} was refused: {exc.reason}. Nothing was kept."
        ) from None
    finally:
        del data
    out = analyse_image(img.rgb, resolve_model())
    out["format"] = img.format
    return out


def _form_page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "checker_form.html",
        status_code=status,
        values=values or {},
        errors=errors or {},
        max_photo_mib=MAX_PHOTO_BYTES // MIB,
    )


@router.get("/checker", response_class=HTMLResponse)
def checker_form(request: Request) -> Response:
    return _form_page(request)


@router.post("/checker", response_class=HTMLResponse)
async def checker_submit(request: Request) -> Response:
    try:
        form = await read_form(request, MAX_CHECK_REQUEST, max_files=1)
        check_csrf(request, text_field(form, "csrf_token"))
        profile, values, errors = profile_from_form(form)
        if profile is None:
            return _form_page(request, values, errors, status=400)
        photo = upload_field(form, "photo")
        async with one_of_few():
            analysis = await run_in_threadpool(analyse_photo, photo) if photo else None
            verdict = await run_in_threadpool(
                check_profile, profile, values["message"] or None, photo_analysis=analysis
            )
    except PageError as err:
        return error_page(request, err)
    return page(
        request,
        "checker_result.html",
        verdict=verdict,
        values=values,
        photo=analysis,
        reportable=profile.id if profile.url else None,
        reasons=REASONS,
    )


# --------------------------------------------------------------------------- the export


@router.get("/checker/export", response_class=HTMLResponse)
def export_form(request: Request) -> Response:
    return page(
        request, "checker_export.html", max_mib=UPLOAD_LIMITS.max_file_bytes // MIB, error=None
    )


@router.post("/checker/export", response_class=HTMLResponse)
async def export_submit(request: Request) -> Response:
    try:
        form = await read_form(request, MAX_EXPORT_REQUEST, max_files=1)
        check_csrf(request, text_field(form, "csrf_token"))
        upload = upload_field(form, "export")
        if upload is None:
            raise PageError(400, "No file", "Choose your LinkedIn export (a .zip file) to upload.")
        async with one_of_few():
            ranking, remarks = await run_in_threadpool(rank_upload, upload)
    except PageError as err:
        return error_page(request, err)
    return page(
        request,
        "checker_export_result.html",
        ranking=ranking,
        remarks=remarks,
        counts=ranking.counts(),
        reasons=REASONS,
    )


# -------------------------------------------------------------------------- reporting


def public_reporter(request: Request, now: datetime) -> str:
    """An anonymous reporter's pseudonym: a keyed hash of their address and the day.

    Keyed with the deployment's session secret (so it cannot be reversed by trying addresses)
    and changing daily (so it cannot follow anyone). Behind a proxy, run uvicorn with
    ``--proxy-headers`` so that the address is the visitor's, not the proxy's.
    """
    host = request.client.host if request.client else "unknown"
    mac = signer(request).csrf_token(f"public-reporter|{now:%Y-%m-%d}|{host}")
    return "public:" + mac[:22]


@router.post("/checker/report", response_class=HTMLResponse)
async def report_submit(request: Request) -> Response:
    from spycatcher.review.public import submit_public_report

    try:
        form = await read_form(request, 1 * MIB, max_files=0)
        check_csrf(request, text_field(form, "csrf_token"))
        pid = normalise_profile_url(text_field(form, "profile_url"))
        reason = text_field(form, "reason")
        note = text_field(form, "note")[:REPORT_NOTE_CHARS] or None
        if pid is None:
            raise PageError(400, "Cannot report", "A report needs the profile's LinkedIn address.")
        if reason not in REASONS:
            raise PageError(400, "Cannot report", "Choose why you are reporting the profile.")
        if note and "\x00" in note:
            raise PageError(400, "Cannot report", "The note contains a NUL character.")
        user = current_user(request)
        svc = request.app.state.service
        now = datetime.now(UTC)
        try:
            if user is not None and user.role == "member" and user.actor.subject_id:
                result = await run_in_threadpool(
                    svc.submit_report, user.actor, "linkedin", pid, reason, note
                )
                anonymous = False
            else:
                result = await run_in_threadpool(
                    submit_public_report,
                    svc,
                    public_reporter(request, now),
                    "linkedin",
                    pid,
                    reason,
                    note,
                )
                anonymous = True
        except ReviewError as exc:
            title = "Too many reports" if exc.status == 429 else "Cannot report"
            raise PageError(exc.status, title, str(exc)) from None
    except PageError as err:
        return error_page(request, err)
    return page(
        request,
        "checker_reported.html",
        status_code=201 if not result.get("duplicate") else 200,
        result=result,
        profile_id=pid,
        anonymous=anonymous,
    )
