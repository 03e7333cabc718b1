"""MISP events in and out, through PyMISP's offline model (``MISPEvent().load`` / ``to_json``).

**In.** A MISP event (a file or JSON, as MISP exports it) is converted into STIX 2.1 objects and
imported through the same validation and store as any STIX bundle, so one matcher serves both:

* the event becomes a ``campaign`` named by its ``info``; a ``misp-galaxy:threat-actor="..."`` tag
  adds a ``threat-actor`` it is attributed to; the creating organisation is the ``identity`` that
  produced every indicator;
* ``tlp:*`` tags (on the event, an attribute or an object's attributes) become the official TLP 2.0
  markings (the most restrictive wins on each indicator);
* each MISP object describing an account becomes one indicator whose pattern ORs everything that
  identifies it: ``user-account`` (user-id, username, account-type, display-name, link, email,
  avatar), ``<platform>-account`` (twitter-account, facebook-account, ...; the platform is the
  account type), ``impersonation`` (the impersonating account only: ``impersonated-*`` fields
  name the *victim* and are never matched), ``person`` (names, handle, email, portrait),
  ``personification`` / ``persona`` (portrait), ``image`` and ``file`` (hashes, attachments);
* attached images (``attachment`` attributes with data) are hashed: SHA-256 of the bytes and, when
  they decode as a photo under the image limits, a PDQ hash; a ``pdq`` relation carries a PDQ hash
  directly (MISP has no PDQ type; spycatcher writes and reads the relation name ``pdq``);
* standalone attributes of mappable types (url, link, email*, domain, hostname, sha256,
  filename|sha256, attachment, full-name, github-username, twitter-id) become one indicator each.

Ids are the MISP uuids (``indicator--<object uuid>``) and timestamps MISP's own, so re-importing an
event is a no-op and an edited object is a new version. MISP's ``to_ids`` flag is about network
detection and is not used to decide what identifies an account.

**Out.** Confirmed fakes become one MISP event (a deterministic uuid per producer, so a re-export
updates it): a ``user-account`` object per account (user-id, username, account-type,
display-name, link, and ``pdq`` when the photo hash is known), a ``campaign-name`` attribute per
campaign, each attribute tagged with its TLP. As for STIX, anything marked TLP:RED is withheld.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from spycatcher.intel.markings import (
    TLP2_IDS,
    MarkingIndex,
    label,
    most_restrictive,
    normalise_level,
    tlp2_definition,
)
from spycatcher.intel.patterns import PDQ_HASH_NAME, quote
from spycatcher.intel.stix_export import (
    NAMESPACE,
    CampaignFinding,
    ExportOptions,
    Finding,
    _Builder,
    ts,
)
from spycatcher.intel.stix_import import MAX_BUNDLE_BYTES, ImportReport, StixImporter
from spycatcher.io.limits import Limits, UntrustedFileError, check_file
from spycatcher.store.db import Store

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

_USER_ID = {"user-id", "account-id", "id"}
_LOGIN = {"username", "handle", "screen-name"}
_DISPLAY = {"display-name", "displayed-name", "full-name", "alias"}
_URL = {"link", "url", "account-url", "profile-url"}
_PHOTO_URL = {"profile-image-url", "account-avatar-url"}
_PHOTO = {
    "user-avatar",
    "portrait",
    "profile-image",
    "profile-photo",
    "account-avatar",
    "attachment",
    "malware-sample",
}
_EMAIL_TYPES = {"email", "email-src", "email-dst", "target-email", "whois-registrant-email"}
_PDQ = {"pdq", "x-pdq", "x_pdq"}
#: relations that name someone other than the fake account (the impersonated victim, archives)
_NEVER = {
    "impersonated-account-name",
    "impersonated-account-url",
    "real-name",
    "archive",
    "embedded-link",
    "embedded-safe-link",
    "type-of-account",
    "objective",
}
ACCOUNT_OBJECTS = {
    "user-account",
    "impersonation",
    "person",
    "personification",
    "persona",
    "image",
    "file",
}


@contextmanager
def _quiet_pymisp() -> Iterator[None]:
    """PyMISP logs a warning for relations outside a template (our ``pdq``); that is intended."""
    log = logging.getLogger("pymisp")
    before = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(before)


def _tlp_of_tags(tags: Sequence[Any]) -> list[str]:
    out = []
    for t in tags or ():
        name = str(getattr(t, "name", t) or "")
        if name.lower().startswith("tlp:"):
            lv = normalise_level(name)
            if lv is not None:
                out.append("clear" if lv == "white" else lv)
    return out


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, (int, float)) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value.isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    return None


def _uuid(value: Any, *fallback: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError):
        return str(uuid.uuid5(NAMESPACE, "misp:" + "\x1f".join(fallback)))


def _photo_hashes(data: bytes) -> dict[str, str]:
    """SHA-256 of an attached file and, if it is a photo we can decode, its PDQ hash."""
    out = {"SHA-256": hashlib.sha256(data).hexdigest()}
    try:
        from spycatcher.photo.load import ImageRejected, decode_image
        from spycatcher.photo.pdq import MIN_QUALITY, hash_image
    except ModuleNotFoundError:  # photo support not installed: the exact hash still matches
        return out
    try:
        img = decode_image(data, "MISP attachment")
    except ImageRejected:
        return out
    h = hash_image(img.rgb)
    if h.quality >= MIN_QUALITY:
        out[PDQ_HASH_NAME] = h.hex
    return out


def _attachment_bytes(attr: Any) -> bytes | None:
    data = getattr(attr, "data", None)
    if data is None:
        return None
    if isinstance(data, io.BytesIO):
        return data.getvalue()
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if isinstance(data, str):
        try:
            return base64.b64decode(data, validate=False)
        except ValueError:
            return None
    return None


class _Terms:
    """What identifies one account, gathered from MISP attributes."""

    def __init__(self, account_type: str | None = None) -> None:
        self.account_type = account_type
        self.user_ids: list[str] = []
        self.logins: list[str] = []
        self.names: list[str] = []
        self.urls: list[str] = []
        self.emails: list[str] = []
        self.domains: list[str] = []
        self.sha256: list[str] = []
        self.pdq: list[str] = []
        self.photo_urls: list[str] = []
        self.first: list[str] = []
        self.last: list[str] = []

    @staticmethod
    def _add(bucket: list[str], value: Any) -> None:
        v = str(value or "").strip()
        if v and len(v) <= 1_000 and v not in bucket:
            bucket.append(v)

    def take(self, relation: str, mtype: str, value: Any, attr: Any, oname: str = "") -> None:
        rel = (relation or "").lower()
        if rel in _NEVER:
            return
        if oname == "image" and rel in ("url", "link"):  # where the picture is, not the account
            self._add(self.photo_urls, value)
            return
        if rel in ("account-type", "type") and value:
            self.account_type = str(value).strip().lower()[:100]
        elif rel in _USER_ID:
            self._add(self.user_ids, value)
        elif rel in _LOGIN or (rel in ("account-name", "name") and " " not in str(value).strip()):
            self._add(self.logins, value)
        elif rel in _DISPLAY or rel in ("account-name", "name"):
            self._add(self.names, value)
        elif rel in ("first-name", "first_name"):
            self._add(self.first, value)
        elif rel in ("last-name", "last_name"):
            self._add(self.last, value)
        elif rel in _PDQ:
            self._add(self.pdq, str(value).lower())
        elif rel in _PHOTO_URL:
            self._add(self.photo_urls, value)
        elif rel in _URL or mtype in ("url", "link", "uri"):
            self._add(self.urls, value)
        elif mtype in _EMAIL_TYPES or rel in ("email", "e-mail", "contact-e-mail"):
            self._add(self.emails, value)
        elif mtype in ("domain", "hostname"):
            self._add(self.domains, value)
        elif mtype == "sha256" or rel == "sha256":
            self._add(self.sha256, str(value).lower())
        elif mtype == "filename|sha256" and "|" in str(value):
            self._add(self.sha256, str(value).rsplit("|", 1)[1].lower())
        elif mtype == "github-username":
            self.account_type = self.account_type or "github"
            self._add(self.logins, value)
        elif mtype == "twitter-id":
            self.account_type = self.account_type or "twitter"
            self._add(self.user_ids, value)
        elif mtype == "full-name":
            self._add(self.names, value)
        if mtype in ("attachment", "malware-sample") or rel in _PHOTO:
            data = _attachment_bytes(attr)
            if data:
                hashes = _photo_hashes(data)
                self._add(self.sha256, hashes["SHA-256"])
                if PDQ_HASH_NAME in hashes:
                    self._add(self.pdq, hashes[PDQ_HASH_NAME])

    def pattern(self) -> str | None:
        if self.first or self.last:
            full = " ".join([*(self.first[:1]), *(self.last[:1])]).strip()
            self._add(self.names, full)
        typed = (
            f"user-account:account_type = {quote(self.account_type)} AND "
            if (self.account_type)
            else ""
        )
        obs: list[str] = []
        obs += [f"[{typed}user-account:user_id = {quote(v)}]" for v in self.user_ids]
        obs += [f"[{typed}user-account:account_login = {quote(v)}]" for v in self.logins]
        obs += [f"[url:value = {quote(v)}]" for v in self.urls]
        obs += [f"[email-addr:value = {quote(v)}]" for v in self.emails]
        obs += [f"[domain-name:value = {quote(v)}]" for v in self.domains]
        obs += [f"[file:hashes.'SHA-256' = {quote(v)}]" for v in self.sha256]
        obs += [f"[file:hashes.{PDQ_HASH_NAME} = {quote(v)}]" for v in self.pdq]
        obs += [f"[artifact:url = {quote(v)}]" for v in self.photo_urls]
        obs += [f"[user-account:display_name = {quote(v)}]" for v in self.names]
        return " OR ".join(obs[:200]) if obs else None

    def label(self) -> str:
        for bucket in (self.names, self.logins, self.user_ids, self.urls, self.emails):
            if bucket:
                return bucket[0][:200]
        return "account"


def load_event(doc: Any) -> list[Any]:
    """MISPEvents from JSON text, a dict, ``{"Event": ...}``, or a list / ``response`` of them."""
    from pymisp import MISPEvent

    if isinstance(doc, (bytes, str)):
        doc = orjson.loads(doc)
    items = doc.get("response") if isinstance(doc, dict) and "response" in doc else doc
    if not isinstance(items, list):
        items = [items]
    events = []
    for item in items:
        ev = MISPEvent()
        ev.load(item)
        events.append(ev)
    return events


def event_to_stix(event: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """STIX 2.1 objects (as dicts) for one MISPEvent, and notes on what was not mapped."""
    notes: list[str] = []
    ev_uuid = _uuid(getattr(event, "uuid", None), str(getattr(event, "info", "")))
    ev_time = _when(getattr(event, "timestamp", None)) or _when(getattr(event, "date", None))
    ev_time = ev_time or EPOCH
    ev_tlp = _tlp_of_tags(getattr(event, "tags", []))
    objects: list[dict[str, Any]] = []
    used_levels: set[str] = set()

    def refs(levels: list[str]) -> list[str]:
        lv = most_restrictive(levels)
        if lv is None:
            return []
        used_levels.add(lv)
        return [TLP2_IDS[lv]]

    orgc = getattr(event, "Orgc", None) or getattr(event, "Org", None)
    org_name = str(getattr(orgc, "name", "") or "").strip() if orgc is not None else ""
    producer: str | None = None
    if org_name:
        producer = f"identity--{_uuid(getattr(orgc, 'uuid', None), 'org', org_name)}"
        objects.append(
            {
                "type": "identity",
                "spec_version": "2.1",
                "id": producer,
                "created": ts(EPOCH),
                "modified": ts(EPOCH),
                "name": org_name[:200],
                "identity_class": "organization",
            }
        )
    campaign_id = f"campaign--{ev_uuid}"
    base = {"spec_version": "2.1", "created": ts(ev_time), "modified": ts(ev_time)}
    if producer:
        base["created_by_ref"] = producer
    ev_refs = refs(ev_tlp)
    objects.append(
        {
            "type": "campaign",
            "id": campaign_id,
            "name": str(getattr(event, "info", "") or "MISP event")[:300],
            **base,
            **({"object_marking_refs": ev_refs} if ev_refs else {}),
        }
    )
    for t in getattr(event, "tags", []) or []:
        name = str(getattr(t, "name", ""))
        if name.startswith("misp-galaxy:threat-actor="):
            actor = name.split("=", 1)[1].strip().strip('"')[:200]
            aid = f"threat-actor--{uuid.uuid5(NAMESPACE, 'misp-actor:' + actor)}"
            objects.append(
                {
                    "type": "threat-actor",
                    "id": aid,
                    "name": actor,
                    **base,
                    **({"object_marking_refs": ev_refs} if ev_refs else {}),
                }
            )
            objects.append(_relation(campaign_id, "attributed-to", aid, base, ev_refs))

    def add_indicator(
        key: str, name: str, terms: _Terms, when: datetime | None, levels: list[str], desc: str
    ) -> None:
        pattern = terms.pattern()
        if pattern is None:
            notes.append(f"{name}: nothing that identifies an account; skipped")
            return
        iid = f"indicator--{key}"
        mrefs = refs(ev_tlp + levels)
        stamp = ts(when or ev_time)
        ind: dict[str, Any] = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": iid,
            "created": stamp,
            "modified": stamp,
            "name": name[:300],
            "pattern": pattern,
            "pattern_type": "stix",
            "valid_from": stamp,
        }
        if desc:
            ind["description"] = desc[:2000]
        if producer:
            ind["created_by_ref"] = producer
        if mrefs:
            ind["object_marking_refs"] = mrefs
        objects.append(ind)
        objects.append(_relation(iid, "indicates", campaign_id, base, mrefs))

    for obj in getattr(event, "objects", []) or []:
        oname = str(getattr(obj, "name", "") or "")
        if oname not in ACCOUNT_OBJECTS and not oname.endswith("-account"):
            notes.append(f"MISP object {oname!r} is not about an account; skipped")
            continue
        if oname == "bank-account":
            continue
        terms = _Terms(
            oname.removesuffix("-account")
            if oname.endswith("-account") and oname != "user-account"
            else None
        )
        levels: list[str] = []
        stamps: list[datetime] = []
        for a in getattr(obj, "attributes", []) or []:
            terms.take(
                str(getattr(a, "object_relation", "") or ""),
                str(getattr(a, "type", "")),
                getattr(a, "value", None),
                a,
                oname,
            )
            levels += _tlp_of_tags(getattr(a, "tags", []))
            w = _when(getattr(a, "timestamp", None))
            if w:
                stamps.append(w)
        ouid = _uuid(getattr(obj, "uuid", None), ev_uuid, oname, terms.label())
        when = _when(getattr(obj, "timestamp", None)) or (max(stamps) if stamps else None)
        add_indicator(
            ouid,
            f"MISP {oname}: {terms.label()}",
            terms,
            when,
            levels,
            str(getattr(obj, "comment", "") or ""),
        )

    for a in getattr(event, "attributes", []) or []:
        terms = _Terms()
        mtype = str(getattr(a, "type", ""))
        terms.take("", mtype, getattr(a, "value", None), a)
        if terms.pattern() is None:
            notes.append(f"MISP attribute type {mtype!r} is not mapped; skipped")
            continue
        auid = _uuid(getattr(a, "uuid", None), ev_uuid, mtype, str(getattr(a, "value", "")))
        add_indicator(
            auid,
            f"MISP {mtype}: {terms.label()}",
            terms,
            _when(getattr(a, "timestamp", None)),
            _tlp_of_tags(getattr(a, "tags", [])),
            str(getattr(a, "comment", "") or ""),
        )
    objects[:0] = [tlp2_definition(lv) for lv in sorted(used_levels)]
    return objects, notes


def _relation(
    src: str, rel: str, dst: str, base: dict[str, Any], mrefs: list[str]
) -> dict[str, Any]:
    rid = f"relationship--{uuid.uuid5(NAMESPACE, f'misp-rel:{src}:{rel}:{dst}')}"
    out = {
        "type": "relationship",
        "id": rid,
        "relationship_type": rel,
        "source_ref": src,
        "target_ref": dst,
        **base,
    }
    if mrefs:
        out["object_marking_refs"] = mrefs
    return out


def read_misp_file(path: str | Path, max_bytes: int = MAX_BUNDLE_BYTES) -> bytes:
    p = Path(path)
    check_file(p, Limits(max_file_bytes=max_bytes))
    data = p.read_bytes()
    if len(data) > max_bytes:
        raise UntrustedFileError(p, f"file is over the limit of {max_bytes} bytes")
    return data


def import_misp(store: Store, doc: Any, source: str) -> ImportReport:
    """Import MISP event JSON (text, bytes or dict; one event or a list) into the store."""
    try:
        events = load_event(doc)
    except Exception as exc:  # PyMISP raises its own and JSON errors for malformed input
        raise UntrustedFileError(source, f"not a MISP event: {exc}"[:300]) from None
    report = ImportReport(source=source)
    importer = StixImporter(store)
    for ev in events:
        objs, notes = event_to_stix(ev)
        r = importer.import_objects(objs, f"{source}#{getattr(ev, 'uuid', '')}"[:1000])
        report.merge(r)
        for n in notes:
            report.note(n)
    return report


def import_misp_file(store: Store, path: str | Path) -> ImportReport:
    return import_misp(store, read_misp_file(path), f"misp:{Path(path).name}")


# -- export ------------------------------------------------------------------------------------


def build_event(
    findings: Sequence[Finding],
    campaigns: Sequence[CampaignFinding] = (),
    options: ExportOptions | None = None,
    *,
    now: datetime | None = None,
    markings: MarkingIndex | None = None,
) -> tuple[Any, list[tuple[str, str]]]:
    """A MISPEvent of the findings (TLP:RED withheld), and what was withheld and why."""
    from pymisp import MISPEvent, MISPObject

    opts = options or ExportOptions()
    now = now or datetime.now(UTC)
    gate = _Builder(opts, markings or MarkingIndex())  # the same marking rules as STIX export
    withheld: list[tuple[str, str]] = []
    ev = MISPEvent()
    ev.uuid = str(uuid.uuid5(NAMESPACE, "misp-event:" + opts.producer))
    ev.info = f"{opts.producer}: confirmed fake professional-network profiles"
    ev.date = now.date()
    ev.threat_level_id = 2
    ev.analysis = 2
    ev.distribution = 0
    levels: list[str | None] = []
    secret: list[str] = []
    kept: list[tuple[Finding, str | None]] = []
    for f in findings:
        refs = gate.refs_for(f.marking_refs)
        why = gate.blocked(refs)
        if why:
            withheld.append((f"profile {f.profile_id}", why))
            secret.append(f.profile_id)
            continue
        kept.append((f, gate.markings.summarise(refs).tlp))
    by_campaign: dict[str, list[str | None]] = {}
    for f, lv in kept:
        if f.campaign_id:
            by_campaign.setdefault(f.campaign_id, []).append(lv)
    with _quiet_pymisp():
        for c in campaigns:
            if any(m in secret for m in c.members):
                withheld.append((f"campaign {c.id}", "has a member marked TLP:RED"))
                continue
            lv = most_restrictive(by_campaign.get(c.id, [])) or normalise_level(opts.tlp)
            attr: Any = ev.add_attribute(
                "campaign-name",
                f"spycatcher {c.id}",
                category="Attribution",
                comment=f"{len(c.members)} accounts run together",
            )
            attr.uuid = str(uuid.uuid5(NAMESPACE, f"misp-campaign:{c.id}"))
            attr.add_tag(label(lv).lower())
            levels.append(lv)
        for f, lv in sorted(kept, key=lambda x: (x[0].platform, x[0].profile_id)):
            key = f"{f.platform}:{f.profile_id}"
            o = MISPObject("user-account", strict=False)
            o.uuid = str(uuid.uuid5(NAMESPACE, f"misp-object:{key}"))
            comment = f"Fake {f.platform} profile"
            if f.score is not None:
                comment += f", scored {f.score:.2f}"
            if f.campaign_id and f.campaign_id not in secret:
                comment += f", campaign {f.campaign_id}"
            comment += f"; seen {max(1, f.count)} times"
            o.comment = comment
            pairs = [("user-id", f.profile_id, "text"), ("account-type", f.platform, "text")]
            from spycatcher.intel.matching import handle_from_key, url_key

            handle = handle_from_key(url_key(f.url)) if f.url else None
            if handle:
                pairs.append(("username", handle, "text"))
            if f.name:
                pairs.append(("display-name", f.name, "text"))
            if f.url:
                pairs.append(("link", f.url, "link"))
            if f.photo_pdq:
                pairs.append(("pdq", f.photo_pdq.lower(), "text"))
            for rel, value, mtype in pairs:
                a: Any = o.add_attribute(rel, value=value, type=mtype)
                a.uuid = str(uuid.uuid5(NAMESPACE, f"misp-attr:{key}:{rel}"))
                a.add_tag(label(lv or normalise_level(opts.tlp)).lower())
            ev.add_object(o)
            levels.append(lv or normalise_level(opts.tlp))
    ev.add_tag(label(most_restrictive(levels) or normalise_level(opts.tlp)).lower())
    return ev, withheld


def export_misp_json(event: Any) -> str:
    with _quiet_pymisp():
        return str(event.to_json(sort_keys=True, indent=2))
