"""spycatcher's own read-only TAXII 2.1 collection, as a FastAPI router.

Mount it where the service wants it (``app.include_router(make_taxii_router(...),
prefix="/taxii2")``) and partners' TAXII clients can discover and poll what spycatcher exported
(``spycatcher intel export`` records every exported object in the store's ``intel_exports``):

| endpoint                                           | TAXII 2.1 section            |
|----------------------------------------------------|------------------------------|
| ``GET /``                                          | server discovery             |
| ``GET /{root}/``                                   | API root information         |
| ``GET /{root}/collections/``                       | collections                  |
| ``GET /{root}/collections/{id}/``                  | one collection               |
| ``GET /{root}/collections/{id}/objects/``          | objects (filters, paginated) |
| ``GET /{root}/collections/{id}/objects/{oid}/``    | one object                   |
| ``GET /{root}/collections/{id}/objects/{oid}/versions/`` | its versions           |
| ``GET /{root}/collections/{id}/manifest/``         | manifest                     |

Filters: ``added_after``, ``match[id]``, ``match[type]``, ``match[version]`` (``last``,
``first``, ``all`` or a timestamp; spycatcher keeps only the latest version of each object) and
``match[spec_version]``. Pagination: ``limit`` (at most :data:`MAX_PAGE`) and an opaque ``next``
token that encodes where the page ended (date added, then id), so it needs no server-side
session and stays valid while objects are added. Each page carries ``X-TAXII-Date-Added-First``
and ``-Last``. Responses are ``application/taxii+json;version=2.1``; a request that does not
accept that media type gets 406, writes get 405 (the collection is read-only), errors are TAXII
error messages. TLP:RED material is never in the collection, because export never writes it.

Access control is the caller's: pass ``auth_dependency`` (a FastAPI dependency that raises 401 /
403, e.g. "API key with the intel-partner role") and every endpoint requires it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from spycatcher.schema import parse_datetime

MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
#: the collection spycatcher serves (a fixed id, so partners can configure it once)
COLLECTION_ID = "7d8f3a2e-5b1c-4e6a-9c0d-2f4b6a8e1c35"
API_ROOT = "spycatcher"
DEFAULT_PAGE = 100
MAX_PAGE = 1_000


class TaxiiHTTPError(Exception):
    def __init__(self, status: int, title: str, description: str = "") -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.description = description


def taxii_response(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        content=orjson.dumps(body),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def error_response(exc: TaxiiHTTPError) -> Response:
    body = {"title": exc.title, "http_status": str(exc.status)}
    if exc.description:
        body["description"] = exc.description
    return taxii_response(body, exc.status)


def _date(dt: datetime) -> str:
    if dt.tzinfo is None:  # SQLite hands back naive UTC
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def encode_next(date_added: datetime, stix_id: str) -> str:
    raw = orjson.dumps([_date(date_added), stix_id])
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_next(token: str) -> tuple[datetime, str]:
    try:
        pad = "=" * (-len(token) % 4)
        when, sid = orjson.loads(base64.urlsafe_b64decode(token + pad))
        dt = parse_datetime(when)
        if dt is None or not isinstance(sid, str):
            raise ValueError
        return dt, sid
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise TaxiiHTTPError(
            400, "Bad next token", "the 'next' value is not one we issued"
        ) from None


def _accepts_taxii(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return True
    for part in accept.split(","):
        tokens = [t.strip().lower() for t in part.split(";")]
        media = tokens[0]
        version = next((t.split("=", 1)[1] for t in tokens[1:] if t.startswith("version=")), None)
        if media in ("*/*", "application/*"):
            return True
        if media == "application/taxii+json" and version in (None, "2.1"):
            return True
    return False


def _split(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def make_taxii_router(
    store_factory: Callable[[], Any],
    auth_dependency: Callable[..., Any] | None = None,
    *,
    title: str = "spycatcher",
    api_root: str = API_ROOT,
    collection_id: str = COLLECTION_ID,
    collection_title: str = "spycatcher: confirmed fake profiles and campaigns",
) -> APIRouter:
    """A read-only TAXII 2.1 server over the store's exported objects.

    ``store_factory`` returns the :class:`~spycatcher.store.Store` to read (it should return a
    long-lived one; the router does not close it).
    """
    deps = [Depends(auth_dependency)] if auth_dependency is not None else []
    router = APIRouter(dependencies=deps)

    def repo() -> Any:
        from spycatcher.store.intel import IntelRepository

        return IntelRepository(store_factory())

    def collection_info() -> dict[str, Any]:
        return {
            "id": collection_id,
            "title": collection_title,
            "description": "Fake professional-network accounts and campaigns spycatcher "
            "confirmed, as STIX 2.1 (user accounts, indicators, sightings, intrusion sets). "
            "Markings are carried from the intelligence they derive from; TLP:RED never leaves.",
            "can_read": True,
            "can_write": False,
            "media_types": [STIX_MEDIA_TYPE],
        }

    def check(request: Request, root: str, coll: str | None = None) -> None:
        if not _accepts_taxii(request):
            raise TaxiiHTTPError(406, "Not Acceptable", f"this server speaks {MEDIA_TYPE}")
        if root != api_root:
            raise TaxiiHTTPError(404, "Unknown API root", f"there is no API root {root!r}")
        if coll is not None and coll != collection_id:
            raise TaxiiHTTPError(404, "Unknown collection", f"there is no collection {coll!r}")

    def guarded(fn: Callable[..., Response]) -> Callable[..., Response]:
        def run(*args: Any, **kwargs: Any) -> Response:
            try:
                return fn(*args, **kwargs)
            except TaxiiHTTPError as exc:
                return error_response(exc)

        return run

    @router.get("/", response_class=Response)
    def discovery(request: Request) -> Response:
        if not _accepts_taxii(request):
            return error_response(TaxiiHTTPError(406, "Not Acceptable", MEDIA_TYPE))
        root_url = str(request.url.replace(query="", fragment="")).rstrip("/") + f"/{api_root}/"
        return taxii_response(
            {
                "title": title,
                "description": "spycatcher's read-only TAXII 2.1 server.",
                "default": root_url,
                "api_roots": [root_url],
            }
        )

    @router.get("/{root}/", response_class=Response)
    def root_info(request: Request, root: str) -> Response:
        def go() -> Response:
            check(request, root)
            return taxii_response(
                {
                    "title": f"{title} API root",
                    "versions": [MEDIA_TYPE],
                    "max_content_length": 0,
                }
            )

        return guarded(go)()

    @router.get("/{root}/collections/", response_class=Response)
    def collections(request: Request, root: str) -> Response:
        def go() -> Response:
            check(request, root)
            return taxii_response({"collections": [collection_info()]})

        return guarded(go)()

    @router.get("/{root}/collections/{coll}/", response_class=Response)
    def collection(request: Request, root: str, coll: str) -> Response:
        def go() -> Response:
            check(request, root, coll)
            return taxii_response(collection_info())

        return guarded(go)()

    def page(request: Request, ids: list[str] | None = None) -> tuple[list[Any], bool]:
        q = request.query_params
        try:
            limit = int(q.get("limit", DEFAULT_PAGE))
        except ValueError:
            raise TaxiiHTTPError(400, "Bad limit", "limit must be a positive integer") from None
        if limit < 1:
            raise TaxiiHTTPError(400, "Bad limit", "limit must be a positive integer")
        limit = min(limit, MAX_PAGE)
        added_after = None
        if q.get("added_after"):
            try:
                added_after = parse_datetime(q["added_after"])
            except ValueError as exc:
                raise TaxiiHTTPError(400, "Bad added_after", str(exc)) from None
        after_key = decode_next(q["next"]) if q.get("next") else None
        match_ids = _split(q.getlist("match[id]"))
        if ids is not None:
            match_ids = ids
        types = _split(q.getlist("match[type]"))
        spec = _split(q.getlist("match[spec_version]"))
        if spec and "2.1" not in spec:
            return [], False
        rows = repo().page_exports(
            added_after=added_after,
            after_key=after_key,
            ids=match_ids or None,
            types=types or None,
            limit=limit + 1,
        )
        versions = _split(q.getlist("match[version]"))
        if versions and not any(v in ("last", "first", "all") for v in versions):
            rows = [r for r in rows if r.version in versions]
        more = len(rows) > limit
        return rows[:limit], more

    def paged_response(rows: list[Any], more: bool, body: dict[str, Any]) -> Response:
        headers: dict[str, str] = {}
        if rows:
            headers["X-TAXII-Date-Added-First"] = _date(rows[0].date_added)
            headers["X-TAXII-Date-Added-Last"] = _date(rows[-1].date_added)
        body["more"] = more
        if more and rows:
            body["next"] = encode_next(_aware(rows[-1].date_added), rows[-1].stix_id)
        return taxii_response(body, headers=headers)

    @router.get("/{root}/collections/{coll}/objects/", response_class=Response)
    def objects(request: Request, root: str, coll: str) -> Response:
        def go() -> Response:
            check(request, root, coll)
            rows, more = page(request)
            body: dict[str, Any] = {}
            if rows:
                body["objects"] = [r.raw for r in rows]
            return paged_response(rows, more, body)

        return guarded(go)()

    @router.get("/{root}/collections/{coll}/manifest/", response_class=Response)
    def manifest(request: Request, root: str, coll: str) -> Response:
        def go() -> Response:
            check(request, root, coll)
            rows, more = page(request)
            body: dict[str, Any] = {}
            if rows:
                body["objects"] = [
                    {
                        "id": r.stix_id,
                        "date_added": _date(r.date_added),
                        "version": r.version or _date(r.date_added),
                        "media_type": STIX_MEDIA_TYPE,
                    }
                    for r in rows
                ]
            return paged_response(rows, more, body)

        return guarded(go)()

    @router.get("/{root}/collections/{coll}/objects/{oid}/", response_class=Response)
    def one_object(request: Request, root: str, coll: str, oid: str) -> Response:
        def go() -> Response:
            check(request, root, coll)
            rows, more = page(request, ids=[oid])
            if not rows:
                raise TaxiiHTTPError(404, "Unknown object", f"there is no object {oid!r}")
            return paged_response(rows, more, {"objects": [r.raw for r in rows]})

        return guarded(go)()

    @router.get("/{root}/collections/{coll}/objects/{oid}/versions/", response_class=Response)
    def versions(request: Request, root: str, coll: str, oid: str) -> Response:
        def go() -> Response:
            check(request, root, coll)
            rows, more = page(request, ids=[oid])
            if not rows:
                raise TaxiiHTTPError(404, "Unknown object", f"there is no object {oid!r}")
            body = {"versions": [r.version or _date(r.date_added) for r in rows]}
            return paged_response(rows, more, body)

        return guarded(go)()

    return router
