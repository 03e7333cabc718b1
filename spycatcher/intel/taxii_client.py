"""Pulling intelligence from a TAXII 2.1 collection (``taxii2-client``), paged and incremental.

Give it the server's discovery URL, an API root URL, or the collection's own URL, plus the
collection id. Objects are fetched in pages (``limit`` / ``next``), each page imported as it
arrives through the same validation as a file (a bad object is rejected with its reason; the rest
of the page still loads). The server's ``X-TAXII-Date-Added-Last`` header of the last page is
remembered per (URL, collection) in the store, and the next pull asks only for objects added
after it, so polling a feed every hour costs one short request when nothing is new. Re-pulling
overlapping pages is harmless: imports are idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from spycatcher.intel.stix_import import ImportReport, StixImporter
from spycatcher.store.db import Store

#: objects per page asked of the server (it may return fewer)
PAGE_SIZE = 500
#: pages fetched in one pull at most (a runaway server cannot keep us forever)
MAX_PAGES = 10_000


class TaxiiError(RuntimeError):
    """The TAXII server could not be used; the message says what went wrong."""


@dataclass
class PullResult:
    report: ImportReport
    pages: int
    collection_url: str
    added_after: str | None
    last_added: str | None


def _connection(user: str | None, password: str | None, verify: bool, auth: Any) -> Any:
    from taxii2client.common import _HTTPConnection

    return _HTTPConnection(user, password, verify, version="2.1", auth=auth)


def find_collection(
    url: str, collection_id: str, conn_factory: Callable[[], Any]
) -> tuple[str, str | None]:
    """The collection's URL (and its title) from a discovery, API root or collection URL."""
    from taxii2client.v21 import ApiRoot, Server

    if not url.endswith("/"):
        url += "/"
    if "/collections/" in url:
        return url, None
    roots: list[str] = []
    try:
        server = Server(url, conn=conn_factory())
        roots = [r.url for r in server.api_roots]
    except Exception:  # not a discovery endpoint: take the URL as an API root
        roots = [url]
    for root in roots:
        try:
            api = ApiRoot(root, conn=conn_factory())
            for c in api.collections:
                if c.id == collection_id:
                    return urljoin(api.url, f"collections/{collection_id}/"), c.title
        except Exception:
            continue
    raise TaxiiError(f"collection {collection_id} not found at {url}")


def pull(
    store: Store,
    url: str,
    collection_id: str,
    *,
    user: str | None = None,
    password: str | None = None,
    auth: Any = None,
    verify: bool = True,
    added_after: str | None = None,
    incremental: bool = True,
    per_request: int = PAGE_SIZE,
) -> PullResult:
    """Import every object of a TAXII 2.1 collection (newer than the last pull, by default)."""
    from taxii2client.v21 import Collection

    from spycatcher.store.intel import IntelRepository

    repo = IntelRepository(store)
    headers: list[dict[str, str]] = []

    def remember(resp: Any, *args: Any, **kwargs: Any) -> Any:
        headers.append({k.lower(): v for k, v in resp.headers.items()})
        return resp

    def conn() -> Any:
        c = _connection(user, password, verify, auth)
        c.session.hooks["response"].append(remember)
        return c

    try:
        coll_url, _title = find_collection(url, collection_id, conn)
        collection = Collection(coll_url, conn=conn())
        if not collection.can_read:
            raise TaxiiError(f"collection {collection_id} cannot be read with these credentials")
    except TaxiiError:
        raise
    except Exception as exc:
        raise TaxiiError(f"cannot use {url}: {exc}") from exc

    feed = repo.feed(url, collection_id)
    since = added_after or (feed.last_added if incremental and feed is not None else None)
    source = f"taxii:{url}#{collection_id}"
    report = ImportReport(source=source)
    importer = StixImporter(store)
    pages = 0
    last_added: str | None = None
    next_token: str | None = None
    while pages < MAX_PAGES:
        kwargs: dict[str, Any] = {"limit": per_request}
        if since:
            kwargs["added_after"] = since
        if next_token:
            kwargs["next"] = next_token
        headers.clear()
        try:
            envelope = collection.get_objects(**kwargs)
        except Exception as exc:
            raise TaxiiError(f"fetching objects from {coll_url} failed: {exc}") from exc
        pages += 1
        objs = envelope.get("objects", []) if isinstance(envelope, dict) else []
        if objs:
            report.merge(importer.import_objects(objs, source))
        if headers:
            # a one-object page may carry only -First (medallion does this)
            h = headers[-1]
            last_added = (
                h.get("x-taxii-date-added-last")
                or h.get("x-taxii-date-added-first")
                or (last_added)
            )
        next_token = envelope.get("next") if isinstance(envelope, dict) else None
        if not (isinstance(envelope, dict) and envelope.get("more")) or not objs:
            break
        if not next_token:
            # a server that says "more" but gives no token: continue after what we have
            if last_added is None:
                break
            since = last_added
    repo.save_feed(url, collection_id, last_added, report.accepted)
    return PullResult(report, pages, coll_url, since, last_added)
