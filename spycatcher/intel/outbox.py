"""The outbox: export from the store, remember what was exported, serve it over TAXII.

``export_from_store`` gathers findings (:mod:`spycatcher.intel.findings`), builds a bundle against
the previous export of every id (so unchanged objects keep their timestamps and changed ones get a
new ``modified``), and records the result in ``intel_exports``. That table is the collection
spycatcher serves read-only over TAXII 2.1: its ``date_added`` moves only when an object's
content changed, which is what a partner's ``added_after`` poll needs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from spycatcher.intel.markings import MarkingIndex
from spycatcher.intel.stix_export import ExportOptions, ExportResult, build_bundle, content_hash
from spycatcher.store.db import Store


def store_markings(store: Store) -> MarkingIndex:
    """Marking-definitions known from imports (statement markings, partners' TLP objects)."""
    from spycatcher.store.intel import IntelRepository

    idx = MarkingIndex()
    for row in IntelRepository(store).latest_objects(["marking-definition"]):
        idx.add(row.raw)
    return idx


def export_from_store(
    store: Store,
    options: ExportOptions | None = None,
    *,
    run_id: str | None = None,
    min_level: str = "high",
    confirmed_only: bool = False,
    now: datetime | None = None,
    publish: bool = True,
) -> ExportResult:
    """Build the bundle of confirmed fakes and campaigns; record it in the served collection."""
    from spycatcher.intel.findings import collect
    from spycatcher.store.intel import IntelRepository

    repo = IntelRepository(store)
    findings, campaigns = collect(
        store, run_id=run_id, min_level=min_level, confirmed_only=confirmed_only
    )
    now = now or datetime.now(UTC)
    # a first pass with no history tells which ids the bundle holds; their history is then read
    draft = build_bundle(findings, campaigns, options, now=now, markings=store_markings(store))
    ids = [o["id"] for o in draft.bundle["objects"]]
    previous = {sid: row.raw for sid, row in repo.export_rows(ids).items()}
    result = build_bundle(
        findings,
        campaigns,
        options,
        now=now,
        previous=previous,
        markings=store_markings(store),
    )
    if publish:
        record(store, result.bundle["objects"], previous, now)
    return result


def record(
    store: Store,
    objects: list[dict[str, Any]],
    previous: dict[str, dict[str, Any]],
    now: datetime,
) -> None:
    """Upsert exported objects into ``intel_exports``; unchanged ones keep their date_added."""
    from spycatcher.intel.markings import marking_refs
    from spycatcher.store.intel import IntelRepository

    repo = IntelRepository(store)
    markings = store_markings(store)
    rows = []
    for o in objects:
        old = previous.get(o["id"])
        if old is not None and content_hash(old) == content_hash(o) and old == o:
            continue
        rows.append(
            {
                "stix_id": o["id"],
                "type": o["type"],
                "version": str(o.get("modified", "")),
                "spec_version": "2.1",
                "content_hash": content_hash(o),
                "date_added": now,
                "tlp": markings.summarise(marking_refs(o)).tlp,
                "raw": o,
            }
        )
    repo.upsert_exports(rows)
