"""Organisation mode's pages: staff exports in, campaigns across staff out, STIX to share.

Who sees what:

* **Staff** (no sign-in): ``/organisation/submit`` takes the organisation's code, a label (their
  name or staff number) and their LinkedIn export; they see their own ranking, what was kept for
  their security team, and an erasure code (``/organisation/erase``).
* **Security officers** (an ``org-officer`` key attached to one organisation): ``/organisation``
  shows their organisation's campaigns (which staff were approached, by whom, the evidence), every
  sender ranked, and the submissions with their expiry; they upload several staff exports at once,
  erase one submission or all, rotate the staff code and download the STIX 2.1 bundle.
* **Admins**: list and create organisations, issue officer keys, and open any organisation.

What is kept, for how long and how it is erased is decided in :mod:`spycatcher.organisation`;
uploads are handled exactly as on the public checker (:mod:`spycatcher.web.checker`): size-limited
before they are read, read under the export limits in a private temporary folder, deleted after.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from spycatcher import organisation as orgs
from spycatcher.export_check import UPLOAD_LIMITS, display_errors
from spycatcher.io.limits import MIB, UntrustedFileError
from spycatcher.organisation import Organisation, OrganisationError
from spycatcher.review.reports import REASONS
from spycatcher.store import Store
from spycatcher.web.checker import (
    PageError,
    error_page,
    is_zip,
    one_of_few,
    read_form,
    saved_upload,
    shown_name,
    text_field,
    upload_field,
)
from spycatcher.web.deps import PageForbidden, check_csrf, require_role
from spycatcher.web.render import current_user, page
from spycatcher.web.security import WebUser

router = APIRouter(include_in_schema=False)

#: exports an officer uploads in one go
MAX_FILES = 20
#: one officer upload request (all files), multipart overhead included
MAX_OFFICER_REQUEST = 256 * MIB
MAX_STAFF_REQUEST = UPLOAD_LIMITS.max_file_bytes + 1 * MIB

_officer_or_admin = require_role("org-officer", "admin")
_admin = require_role("admin")


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _org_for(request: Request, user: WebUser, org_id: str | None) -> Organisation:
    """The organisation this officer may see (theirs), or the one an admin asked for."""
    store = _store(request)
    if user.role == "org-officer":
        org = orgs.organisation_for_key(store, user.key_id)
        if org is None:
            raise PageForbidden(
                "This officer key is not attached to an organisation; ask an administrator."
            )
        return org
    org = orgs.get_organisation(store, org_id) if org_id else None
    if org is None:
        raise PageError(404, "No such organisation", "Choose an organisation from the list.")
    return org


def _submit_upload(
    store: Store, org: Organisation, upload: UploadFile, label: str, source: str, actor: str
) -> tuple[orgs.Submitted, list[dict[str, Any]]]:
    """Keep what the officer needs of one uploaded export (raises PageError); returns the
    submission and the parts of the file that could not be read."""
    name = shown_name(upload)
    with saved_upload(upload, UPLOAD_LIMITS.max_file_bytes) as path:
        if not is_zip(path):
            raise PageError(400, "Not a LinkedIn export", f"{name} is not a zip file.")
        try:
            sub = orgs.submit_export(store, org, path, label, source=source, actor=actor)
        except UntrustedFileError as exc:
            raise PageError(
                413, "File refused", f"{name} was refused: {exc.reason}. Nothing was kept."
            ) from None
        except OrganisationError as exc:
            raise PageError(400, "Cannot accept this export", str(exc)) from None
        remarks = list(display_errors(sub.ranking.report, str(path), name))
    return sub, remarks


def _dashboard(
    request: Request,
    org: Organisation,
    status: int = 200,
    notices: list[str] | None = None,
    problems: list[str] | None = None,
    new_code: str | None = None,
) -> HTMLResponse:
    store = _store(request)
    orgs.purge_expired(store)
    items = orgs.approaches(store, org.id)
    senders = orgs.senders_of(items)
    campaigns = orgs.group_campaigns(items)
    subs = orgs.submissions(store, org.id)
    return page(
        request,
        "org_dashboard.html",
        status_code=status,
        org=org,
        senders=senders,
        campaigns=campaigns,
        submissions=subs,
        staff_count=len({s["staff"] for s in subs}),
        notices=notices or [],
        problems=problems or [],
        new_code=new_code,
        max_files=MAX_FILES,
        exportable=sum(1 for c in campaigns if c.level != "low"),
    )


# ----------------------------------------------------------------- officers and admins


@router.get("/organisation", response_class=HTMLResponse)
def organisation_home(request: Request, org: str | None = None) -> Response:
    user = current_user(request)
    if user is None or user.role not in ("org-officer", "admin"):
        return page(request, "org_landing.html")
    try:
        if user.role == "admin" and not org:
            orgs.purge_expired(_store(request))
            return page(
                request, "org_admin.html", organisations=orgs.organisations(_store(request))
            )
        return _dashboard(request, _org_for(request, user, org))
    except PageError as err:
        return error_page(request, err)


@router.post("/organisation/upload", response_class=HTMLResponse)
async def officer_upload(request: Request) -> Response:
    user = _officer_or_admin(request)
    try:
        form = await read_form(request, MAX_OFFICER_REQUEST, max_files=MAX_FILES)
        check_csrf(request, text_field(form, "csrf_token"))
        org = _org_for(request, user, text_field(form, "org"))
        uploads = [u for u in form.getlist("exports") if isinstance(u, UploadFile) and u.filename]
        if not uploads:
            raise PageError(400, "No files", "Choose one or more staff exports (.zip) to upload.")
        notices: list[str] = []
        problems: list[str] = []
        async with one_of_few():
            for up in uploads:
                label = shown_name(up).removesuffix(".zip").removesuffix(".ZIP")
                try:
                    sub, _ = await run_in_threadpool(
                        _submit_upload, _store(request), org, up, label, "officer", user.actor.id
                    )
                except PageError as err:  # one bad file never stops the others
                    problems.append(err.message)
                    continue
                notices.append(
                    f"{label}: {sub.checked} senders checked, {sub.kept} approaches kept "
                    f"({sub.levels['high']} high, {sub.levels['medium']} medium risk)."
                )
    except PageError as err:
        return error_page(request, err)
    return _dashboard(request, org, 200 if notices else 400, notices, problems)


@router.post("/organisation/erase-submission", response_class=HTMLResponse)
async def officer_erase(request: Request) -> Response:
    user = _officer_or_admin(request)
    try:
        form = await read_form(request, 64 * 1024, max_files=0)
        check_csrf(request, text_field(form, "csrf_token"))
        org = _org_for(request, user, text_field(form, "org"))
        sub_id = text_field(form, "submission")
        done = await run_in_threadpool(
            orgs.erase_submission, _store(request), org.id, sub_id, user.actor.id
        )
    except PageError as err:
        return error_page(request, err)
    if not done:
        return _dashboard(request, org, 404, problems=["That submission was already gone."])
    return _dashboard(
        request, org, notices=["The submission and everything kept from it are erased."]
    )


@router.post("/organisation/erase-all", response_class=HTMLResponse)
async def officer_erase_all(request: Request) -> Response:
    user = _officer_or_admin(request)
    try:
        form = await read_form(request, 64 * 1024, max_files=0)
        check_csrf(request, text_field(form, "csrf_token"))
        org = _org_for(request, user, text_field(form, "org"))
        n = await run_in_threadpool(orgs.erase_all, _store(request), org.id, user.actor.id)
    except PageError as err:
        return error_page(request, err)
    return _dashboard(
        request, org, notices=[f"{n} submissions erased, with everything kept from them."]
    )


@router.post("/organisation/rotate-code", response_class=HTMLResponse)
async def officer_rotate(request: Request) -> Response:
    user = _officer_or_admin(request)
    try:
        form = await read_form(request, 64 * 1024, max_files=0)
        check_csrf(request, text_field(form, "csrf_token"))
        org = _org_for(request, user, text_field(form, "org"))
        code = await run_in_threadpool(orgs.rotate_code, _store(request), org.id, user.actor.id)
    except PageError as err:
        return error_page(request, err)
    return _dashboard(request, org, new_code=code)


@router.get("/organisation/stix.json")
def officer_stix(request: Request, org: str | None = None) -> Response:
    user = _officer_or_admin(request)
    try:
        o = _org_for(request, user, org)
    except PageError as err:
        return error_page(request, err)
    store = _store(request)
    orgs.purge_expired(store)
    bundle = orgs.stix_bundle(o, orgs.group_campaigns(orgs.approaches(store, o.id)))
    return Response(
        orjson.dumps(bundle, option=orjson.OPT_INDENT_2),
        media_type="application/stix+json;version=2.1",
        headers={"Content-Disposition": 'attachment; filename="spycatcher-campaigns.stix.json"'},
    )


@router.post("/organisation/new", response_class=HTMLResponse)
async def admin_new(request: Request) -> Response:
    user = _admin(request)
    try:
        form = await read_form(request, 64 * 1024, max_files=0)
        check_csrf(request, text_field(form, "csrf_token"))
        raw_days = text_field(form, "retention_days") or str(orgs.DEFAULT_RETENTION_DAYS)
        if not raw_days.isdigit():
            raise PageError(400, "Cannot create", "Retention is a number of days.")
        try:
            org, code = orgs.create_organisation(
                _store(request), text_field(form, "name"), user.actor.id, int(raw_days)
            )
            key = orgs.create_officer_key(
                _store(request), org.id, text_field(form, "officer") or None, user.actor.id
            )
        except OrganisationError as exc:
            raise PageError(400, "Cannot create", str(exc)) from None
    except PageError as err:
        return error_page(request, err)
    return page(request, "org_created.html", status_code=201, org=org, code=code, key=key)


@router.post("/organisation/officer-key", response_class=HTMLResponse)
async def admin_officer_key(request: Request) -> Response:
    user = _admin(request)
    try:
        form = await read_form(request, 64 * 1024, max_files=0)
        check_csrf(request, text_field(form, "csrf_token"))
        org = _org_for(request, user, text_field(form, "org"))
        key = orgs.create_officer_key(
            _store(request), org.id, text_field(form, "officer") or None, user.actor.id
        )
    except PageError as err:
        return error_page(request, err)
    return page(request, "org_created.html", status_code=201, org=org, code=None, key=key)


# ------------------------------------------------------------------------------- staff


@router.get("/organisation/submit", response_class=HTMLResponse)
def staff_form(request: Request) -> Response:
    return page(request, "org_submit.html", values={}, error=None)


@router.post("/organisation/submit", response_class=HTMLResponse)
async def staff_submit(request: Request) -> Response:
    try:
        form = await read_form(request, MAX_STAFF_REQUEST, max_files=1)
        check_csrf(request, text_field(form, "csrf_token"))
        values = {"code": text_field(form, "code"), "label": text_field(form, "label")}
        upload = upload_field(form, "export")
        store = _store(request)
        org = orgs.organisation_by_code(store, values["code"])
        error = None
        if org is None:
            error = "That organisation code was not recognised. Check it with your security team."
        elif not values["label"]:
            error = (
                "Give your name or staff number, so your security team knows whose export it is."
            )
        elif upload is None:
            error = "Choose your LinkedIn export (a .zip file)."
        if error or org is None or upload is None:
            return page(request, "org_submit.html", status_code=400, values=values, error=error)
        async with one_of_few():
            sub, remarks = await run_in_threadpool(
                _submit_upload, store, org, upload, values["label"], "staff", "staff:org-code"
            )
    except PageError as err:
        return error_page(request, err)
    return page(
        request,
        "org_submitted.html",
        status_code=201,
        org=org,
        sub=sub,
        ranking=sub.ranking,
        counts=sub.ranking.counts(),
        remarks=remarks,
        reasons=REASONS,
    )


@router.get("/organisation/erase", response_class=HTMLResponse)
def staff_erase_form(request: Request) -> Response:
    return page(request, "org_erase.html", done=None)


@router.post("/organisation/erase", response_class=HTMLResponse)
async def staff_erase(request: Request) -> Response:
    try:
        form = await read_form(request, 64 * 1024, max_files=0)
        check_csrf(request, text_field(form, "csrf_token"))
        done = await run_in_threadpool(
            orgs.erase_with_code, _store(request), text_field(form, "code")
        )
    except PageError as err:
        return error_page(request, err)
    return page(request, "org_erase.html", status_code=200 if done else 404, done=done)
