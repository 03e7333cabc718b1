"""Importing STIX 2.1: validate each object on its own, keep the good ones, say why others fail.

A partner's bundle is checked object by object with the ``stix2`` library (``stix2.parse`` with
custom content allowed, because a PDQ hash is a custom hash name and partners add ``x_``
properties). An object that fails (missing property, bad timestamp, a pattern that does not
parse, a PDQ hash that is not 64 hex characters) is rejected with its id and the reason; every
other object of the bundle still loads. Indicator patterns are compiled once here (see
:mod:`spycatcher.intel.patterns`) and kept beside the object.

Versions are upserted on (id, modified), so importing the same bundle twice, or overlapping TAXII
pages, changes nothing. Markings are recognised here too (the bundle's own marking-definitions and
those already stored), and each stored version records its governing TLP level.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from spycatcher.intel.markings import MarkingIndex, label, marking_refs
from spycatcher.intel.matching import bank_source
from spycatcher.intel.patterns import PatternError, compile_pattern
from spycatcher.io.limits import MIB, Limits, UntrustedFileError, check_file
from spycatcher.schema import parse_datetime
from spycatcher.store.db import Store, utcnow

#: the largest bundle file read (a bundle of 100k indicators is ~60 MiB)
MAX_BUNDLE_BYTES = 256 * MIB
#: the largest single object kept (a report with a long description; images belong elsewhere)
MAX_OBJECT_BYTES = 1 * MIB
#: objects per import
MAX_OBJECTS = 1_000_000


@dataclass
class Rejection:
    """An object that was not loaded: which one, and why."""

    id: str
    reason: str
    type: str | None = None

    def __str__(self) -> str:
        return f"{self.id}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did, for the CLI and the tests."""

    source: str
    read: int = 0
    accepted: int = 0
    new: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    types: Counter[str] = field(default_factory=Counter)
    #: indicators that are valid STIX but say nothing spycatcher can match on a profile
    not_applicable: int = 0
    notes: list[str] = field(default_factory=list)

    def reject(self, oid: str, reason: str, otype: str | None = None) -> None:
        self.rejected.append(Rejection(oid, reason[:500], otype))

    def note(self, text: str) -> None:
        if text not in self.notes and len(self.notes) < 100:
            self.notes.append(text)

    def merge(self, other: ImportReport) -> None:
        self.read += other.read
        self.accepted += other.accepted
        self.new += other.new
        self.unchanged += other.unchanged
        self.rejected.extend(other.rejected)
        self.types.update(other.types)
        self.not_applicable += other.not_applicable
        for n in other.notes:
            self.note(n)

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "read": self.read,
            "accepted": self.accepted,
            "new": self.new,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
            "types": dict(sorted(self.types.items())),
            "not_applicable": self.not_applicable,
        }


def version_key(value: Any) -> str:
    """A STIX timestamp as a fixed-width UTC string that sorts as time ('' when absent)."""
    dt = parse_datetime(value) if value else None
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if dt else ""


def read_bundle(path: str | Path, max_bytes: int = MAX_BUNDLE_BYTES) -> list[Any]:
    """The objects of a STIX bundle file (or of a JSON list of objects, or of one object)."""
    p = Path(path)
    check_file(p, Limits(max_file_bytes=max_bytes))
    with open(p, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UntrustedFileError(p, f"file is over the limit of {max_bytes} bytes")
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise UntrustedFileError(p, f"not JSON: {exc}") from None
    return objects_of(doc, str(p))


def objects_of(doc: Any, where: str = "input") -> list[Any]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, Mapping):
        if doc.get("type") == "bundle":
            objs = doc.get("objects", [])
            if not isinstance(objs, list):
                raise UntrustedFileError(where, "bundle 'objects' is not a list")
            return objs
        if "type" in doc:
            return [doc]
    raise UntrustedFileError(where, "expected a STIX bundle, a list of objects or one object")


def _validate(obj: dict[str, Any]) -> None:
    """Raise with a readable reason unless ``obj`` is a valid STIX 2.1 object."""
    import stix2
    from stix2.exceptions import STIXError

    try:
        stix2.parse(obj, allow_custom=True, version="2.1")
    except (STIXError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(str(exc).strip() or type(exc).__name__) from None


class StixImporter:
    """Validates and stores STIX objects; one instance per store (it caches known markings)."""

    def __init__(self, store: Store) -> None:
        from spycatcher.store.intel import IntelObjectRow, IntelRepository

        self.store = store
        self.repo = IntelRepository(store)
        self.markings = MarkingIndex()
        for row in self.repo.latest_objects(["marking-definition"]):
            self.markings.add(row.raw)
        self._row_type = IntelObjectRow

    def import_objects(
        self, objects: Iterable[Any], source: str, now: datetime | None = None
    ) -> ImportReport:
        report = ImportReport(source=source)
        now = now or utcnow()
        accepted: list[dict[str, Any]] = []
        objs = list(objects)
        if len(objs) > MAX_OBJECTS:
            report.reject("(bundle)", f"more than {MAX_OBJECTS} objects; nothing imported")
            return report
        # marking-definitions first, so that markings refer to definitions of the same bundle
        order = sorted(
            range(len(objs)),
            key=lambda i: 0 if isinstance(objs[i], Mapping) and _is_marking(objs[i]) else 1,
        )
        for i in order:
            report.read += 1
            row = self._one(objs[i], i, source, now, report)
            if row is not None:
                accepted.append(row)
        counts = self.repo.upsert_objects(accepted)
        report.accepted = len(accepted)
        report.new, report.unchanged = counts.new, counts.unchanged
        banked = bank_photo_hashes(self.store, accepted)
        if banked:
            report.note(f"{banked} photo hash(es) added to the photo hash bank")
        return report

    def _one(
        self, obj: Any, index: int, source: str, now: datetime, report: ImportReport
    ) -> dict[str, Any] | None:
        if not isinstance(obj, Mapping):
            report.reject(f"object #{index}", "not a JSON object")
            return None
        oid = obj.get("id")
        otype = obj.get("type")
        label = oid if isinstance(oid, str) and oid else f"object #{index}"
        label = label[:300]
        if not isinstance(otype, str) or not isinstance(oid, str):
            report.reject(label, "missing 'type' or 'id'")
            return None
        if otype == "bundle":
            report.reject(label, "nested bundles are not accepted", otype)
            return None
        spec = obj.get("spec_version")
        if spec is not None and spec != "2.1":
            report.reject(label, f"spec_version {str(spec)[:20]!r} is not STIX 2.1", otype)
            return None
        raw = dict(obj)
        size = len(orjson.dumps(raw))
        if size > MAX_OBJECT_BYTES:
            report.reject(label, f"object is {size} bytes, over {MAX_OBJECT_BYTES}", otype)
            return None
        try:
            _validate(raw)
        except ValueError as exc:
            report.reject(label, f"invalid STIX 2.1: {exc}", otype)
            return None
        compiled: dict[str, Any] | None = None
        if otype == "indicator" and raw.get("pattern_type") == "stix":
            try:
                compiled = compile_pattern(str(raw.get("pattern", "")), validated=True)
            except PatternError as exc:
                report.reject(label, f"invalid pattern: {exc}", otype)
                return None
            if not compiled["facets"]:
                report.not_applicable += 1
            for n in compiled["notes"]:
                report.note(f"{label}: {n}")
        elif otype == "indicator":
            report.not_applicable += 1
            report.note(f"{label}: pattern_type {raw.get('pattern_type')!r} kept, not matched")
        if otype == "marking-definition":
            self.markings.add(raw)
        refs = marking_refs(raw)
        for r in refs:
            if r not in self.markings.levels and r not in self.markings.definitions:
                report.note(f"{label}: marking {r} is not defined; kept as a label")
        try:
            created = parse_datetime(raw.get("created")) if raw.get("created") else None
            modified = parse_datetime(raw.get("modified")) if raw.get("modified") else None
        except ValueError as exc:
            report.reject(label, f"bad timestamp: {exc}", otype)
            return None
        report.types[otype] += 1
        return {
            "stix_id": oid,
            "version": version_key(raw.get("modified")),
            "type": otype,
            "spec_version": "2.1",
            "created": created,
            "modified": modified,
            "revoked": bool(raw.get("revoked", False)),
            "tlp": self.markings.summarise(refs).tlp,
            "markings": refs,
            "source": source[:1000],
            "added_at": now,
            "raw": raw,
            "compiled": compiled,
        }


def _pdq_values(node: Mapping[str, Any]) -> list[str]:
    if "cmp" in node:
        ok = node.get("facet") == "pdq" and not node.get("neg") and node.get("cmp") in ("=", "IN")
        return list(node.get("values", [])) if ok else []
    out: list[str] = []
    for child in node.get("and", node.get("or", [])):
        out.extend(_pdq_values(child))
    return out


def bank_photo_hashes(store: Store, rows: Iterable[Mapping[str, Any]]) -> int:
    """Put imported PDQ indicators into the photo hash bank, so the photo stage (which also tries
    a photo's rotations and mirror images) matches them; returns how many entries were new.

    TLP:RED indicators are not banked: the bank is shared with other areas (review, photo
    exports), and RED material must stay with the intelligence stage, which matches it itself.
    Revoked indicators are not banked either.
    """
    try:
        from spycatcher.store.hashbank import add_known_bad
    except ModuleNotFoundError:  # photo area not installed: the intelligence stage matches alone
        return 0
    rows = list(rows)
    # an indicator tied (in the same import) to RED relationships or actors counts as RED
    red_ids = {str(r["stix_id"]) for r in rows if r.get("tlp") == "red"}
    for r in rows:
        raw = r["raw"]
        if r.get("type") == "relationship" and (
            r.get("tlp") == "red" or raw.get("target_ref") in red_ids
        ):
            red_ids.add(str(raw.get("source_ref")))
    entries: list[tuple[str, str, str]] = []
    for r in rows:
        compiled = r.get("compiled")
        if r.get("type") != "indicator" or not compiled or r.get("revoked"):
            continue
        if r["stix_id"] in red_ids:
            continue
        values = _pdq_values(compiled["tree"])
        if not values:
            continue
        raw = r["raw"]
        name = str(raw.get("name") or "photo named in threat intelligence")[:300]
        reason = f"{name} [{label(r.get('tlp'))}]"
        for v in values:
            entries.append((v, bank_source(str(r["source"]), str(r["stix_id"])), reason))
    return add_known_bad(store, entries) if entries else 0


def _is_marking(obj: Mapping[str, Any]) -> bool:
    return obj.get("type") == "marking-definition"


def import_file(store: Store, path: str | Path, source: str | None = None) -> ImportReport:
    """Import a STIX 2.1 bundle file into the store (idempotent)."""
    objs = read_bundle(path)
    return StixImporter(store).import_objects(objs, source or f"file:{Path(path).name}")


def import_bundle(store: Store, bundle: Any, source: str) -> ImportReport:
    """Import a bundle given as a dict or JSON text."""
    doc = orjson.loads(bundle) if isinstance(bundle, (str, bytes)) else bundle
    return StixImporter(store).import_objects(objects_of(doc, source), source)
