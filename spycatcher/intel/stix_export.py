"""Exporting confirmed fakes and campaigns as STIX 2.1, for partners and for the TAXII feed.

For each fake account the bundle holds:

* a ``user-account`` observable (platform, id, LinkedIn handle, display name) and, when the photo
  hash is known, a ``file`` observable with its hashes (PDQ under the custom name ``x_pdq``);
* an ``indicator`` that matches the account (``[user-account:account_type = ... AND
  user-account:user_id = ...] OR [url:value = ...]``) and, for a known photo, one that matches
  the photo (``[file:hashes.x_pdq = ...]``), with the reasons in its description and the score as
  its confidence;
* ``observed-data`` and a ``sighting`` of the indicator: what was seen (the observables), where
  (sighted by the exporting organisation's identity), how often (``count``: invitations and
  messages the account sent, at least 1) and when (first and last seen);
* relationships: the indicator ``indicates`` the campaign's intrusion set and any threat actor the
  matched intelligence named.

Each campaign becomes an ``intrusion-set`` (a set of accounts run together by one adversary).

**Deterministic ids**: every id is a UUIDv5 of what the object is about (SCOs use STIX's own
id-contributing properties), so a re-export *updates* objects instead of duplicating them. With a
store, the previous export of each id is remembered: unchanged content keeps its ``created`` and
``modified``; changed content keeps ``created`` and gets a new ``modified``.

**Markings**: an object derived from imported intelligence carries the markings of that
intelligence (the original marking-definition ids, TLP 1.0 or 2.0 as received); an object with no
TLP of its own gets the exporter's default (TLP 2.0 AMBER unless told otherwise); relationships
carry the union of both ends. **TLP:RED never leaves**: any object whose markings include RED is
withheld, together with everything that refers to it, whatever the options say (a campaign with
a withheld member is withheld whole, and a reason that names a withheld account or campaign is
dropped from the descriptions of the others); an optional ceiling (``max_tlp``) withholds more.
Every bundle is validated with ``stix2`` before it is written.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from spycatcher.intel.markings import (
    MarkingIndex,
    allowed,
    label,
    normalise_level,
    tlp1_definition,
    tlp2_definition,
)
from spycatcher.intel.matching import handle_from_key, url_key
from spycatcher.intel.patterns import PDQ_HASH_NAME, quote

#: the namespace of spycatcher's deterministic STIX ids
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://spycatcher.invalid/stix/2.1")
#: created/modified of objects whose content is fixed by their id (the producer identity)
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_TIMESTAMPED_TYPES = (
    "identity",
    "indicator",
    "observed-data",
    "sighting",
    "relationship",
    "intrusion-set",
)


def stix_id(stix_type: str, *parts: str) -> str:
    """A deterministic id: the same subject always gets the same id."""
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, chr(31).join([stix_type, *parts]))}"


def ts(dt: datetime) -> str:
    """A STIX timestamp (UTC, millisecond precision)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


@dataclass
class Finding:
    """A fake account to share: what identifies it, why it was judged fake, how it was marked."""

    profile_id: str
    platform: str = "linkedin"
    name: str | None = None
    url: str | None = None
    photo_pdq: str | None = None
    photo_sha256: str | None = None
    score: float | None = None
    level: str | None = None
    campaign_id: str | None = None
    reasons: list[str] = field(default_factory=list)
    #: markings of the intelligence this finding was derived from
    marking_refs: list[str] = field(default_factory=list)
    #: threat actors / intrusion sets named by that intelligence
    actor_refs: list[str] = field(default_factory=list)
    count: int = 1
    first_seen: datetime | None = None
    last_seen: datetime | None = None


@dataclass
class CampaignFinding:
    """A campaign: accounts run together."""

    id: str
    members: list[str]
    targets: int = 0
    organisations: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    score: float | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None


@dataclass
class ExportOptions:
    #: the exporting organisation (the producer and sighter of everything exported)
    producer: str = "spycatcher"
    #: marking for objects that carry no TLP from the intelligence they came from
    tlp: str = "amber"
    #: write the default marking as TLP 1.0 or 2.0 (imported markings are passed on as received)
    tlp_version: int = 2
    #: withhold anything more restrictive than this (RED is always withheld)
    max_tlp: str | None = None


@dataclass
class ExportResult:
    bundle: dict[str, Any]
    withheld: list[tuple[str, str]] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def objects(self) -> list[dict[str, Any]]:
        return list(self.bundle["objects"])

    def summary(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for o in self.bundle["objects"]:
            counts[o["type"]] = counts.get(o["type"], 0) + 1
        return {
            "objects": len(self.bundle["objects"]),
            "types": dict(sorted(counts.items())),
            "withheld": len(self.withheld),
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
        }


def content_hash(obj: Mapping[str, Any]) -> str:
    body = {k: v for k, v in obj.items() if k not in ("created", "modified")}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


class _Builder:
    def __init__(self, options: ExportOptions, markings: MarkingIndex) -> None:
        self.o = options
        self.markings = markings
        lv = normalise_level(options.tlp)
        if lv is None:
            raise ValueError(f"unknown TLP level {options.tlp!r}")
        if lv == "red":
            raise ValueError("TLP:RED material is never exported; choose another default")
        self.default_def = tlp1_definition(lv) if options.tlp_version == 1 else tlp2_definition(lv)
        self.objects: dict[str, dict[str, Any]] = {}
        self.withheld: list[tuple[str, str]] = []
        self.producer_id = stix_id("identity", "producer", options.producer)
        self.times: dict[str, tuple[datetime, datetime]] = {}

    # markings ----------------------------------------------------------------------------

    def refs_for(self, refs: Iterable[str]) -> list[str]:
        out = [r for r in dict.fromkeys(refs)]
        if self.markings.summarise(out).tlp is None:
            out.append(self.default_def["id"])
        return out

    def blocked(self, refs: Sequence[str]) -> str | None:
        m = self.markings.summarise(refs)
        if m.red:
            return "marked TLP:RED, which never leaves"
        if not allowed(m.tlp, self.o.max_tlp):
            return f"marked {m.label}, above the ceiling {label(normalise_level(self.o.max_tlp))}"
        return None

    def add(self, obj: dict[str, Any], first: datetime, last: datetime) -> None:
        self.objects[obj["id"]] = obj
        self.times[obj["id"]] = (first, last)

    # objects -----------------------------------------------------------------------------

    def producer(self) -> None:
        self.add(
            {
                "type": "identity",
                "spec_version": "2.1",
                "id": self.producer_id,
                "name": self.o.producer[:200],
                "identity_class": "organization",
                "description": "Detects fake professional-network profiles and shares them.",
            },
            EPOCH,
            EPOCH,
        )

    def campaign(self, c: CampaignFinding, refs: list[str], now: datetime) -> str | None:
        why = self.blocked(refs)
        sid = stix_id("intrusion-set", "campaign", c.id)
        if why:
            self.withheld.append((f"campaign {c.id}", why))
            return None
        desc = [f"{len(c.members)} accounts run together, approaching {c.targets} people."]
        if c.organisations:
            desc.append("Organisations targeted: " + ", ".join(c.organisations[:20]) + ".")
        desc.extend(c.evidence[:10])
        obj: dict[str, Any] = {
            "type": "intrusion-set",
            "spec_version": "2.1",
            "id": sid,
            "created_by_ref": self.producer_id,
            "name": f"spycatcher {c.id}",
            "description": " ".join(desc)[:4000],
            "object_marking_refs": refs,
        }
        if c.first_seen:
            obj["first_seen"] = ts(c.first_seen)
        if c.last_seen:
            obj["last_seen"] = ts(c.last_seen)
        self.add(obj, c.first_seen or now, c.last_seen or now)
        return sid

    def finding(
        self, f: Finding, campaign_ref: str | None, now: datetime, secret: Sequence[str] = ()
    ) -> None:
        refs = self.refs_for(f.marking_refs)
        why = self.blocked(refs)
        if why:
            self.withheld.append((f"profile {f.profile_id}", why))
            return
        import stix2

        first = f.first_seen or now
        last = max(f.last_seen or now, first)
        key = f"{f.platform}:{f.profile_id}"
        li = url_key(f.url) if f.url else None
        handle = handle_from_key(li)
        ua_kwargs: dict[str, Any] = {"account_type": f.platform, "user_id": f.profile_id}
        if handle:
            ua_kwargs["account_login"] = handle
        if f.name:
            ua_kwargs["display_name"] = f.name[:300]
        ua = orjson.loads(stix2.UserAccount(**ua_kwargs).serialize())
        ua["object_marking_refs"] = refs
        self.add(ua, first, last)
        observed = [ua["id"]]

        comparisons = [
            f"user-account:account_type = {quote(f.platform)}",
            f"user-account:user_id = {quote(f.profile_id)}",
        ]
        pattern = "[" + " AND ".join(comparisons) + "]"
        if li and li.startswith("linkedin.com/"):
            pattern += f" OR [url:value = {quote('https://www.' + li)}]"
        ind_id = stix_id("indicator", "account", key)
        # a reason that names a withheld account or campaign would leak it: it is dropped
        kept = [r for r in f.reasons if r and not any(t in r for t in secret)]
        reasons = "; ".join(kept[:8])
        desc = f"Fake {f.platform} profile '{f.name or f.profile_id}'"
        if f.score is not None:
            desc += f", scored {f.score:.2f} ({f.level or 'n/a'})"
        desc += "." + (f" Reasons: {reasons}." if reasons else "")
        indicator: dict[str, Any] = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": ind_id,
            "created_by_ref": self.producer_id,
            "name": f"Fake profile: {(f.name or f.profile_id)[:200]} ({f.platform})",
            "description": desc[:4000],
            "indicator_types": ["malicious-activity"],
            "pattern": pattern,
            "pattern_type": "stix",
            "pattern_version": "2.1",
            "valid_from": ts(first),
            "object_marking_refs": refs,
        }
        if f.score is not None:
            indicator["confidence"] = max(0, min(100, round(f.score * 100)))
        self.add(indicator, first, last)
        indicators = [ind_id]

        hashes: dict[str, str] = {}
        if f.photo_pdq:
            hashes[PDQ_HASH_NAME] = f.photo_pdq.lower()
        if f.photo_sha256:
            hashes["SHA-256"] = f.photo_sha256.lower()
        if hashes:
            file_obj = orjson.loads(stix2.File(hashes=hashes, allow_custom=True).serialize())
            file_obj["object_marking_refs"] = refs
            self.add(file_obj, first, last)
            observed.append(file_obj["id"])
            if f.photo_pdq:
                photo_id = stix_id("indicator", "photo", f.photo_pdq.lower())
                self.add(
                    {
                        "type": "indicator",
                        "spec_version": "2.1",
                        "id": photo_id,
                        "created_by_ref": self.producer_id,
                        "name": f"Photo used by fake profile {(f.name or f.profile_id)[:200]}",
                        "description": f"PDQ hash (custom STIX hash name {PDQ_HASH_NAME}) of the "
                        "profile photo; match within 31 bits.",
                        "indicator_types": ["malicious-activity"],
                        "pattern": f"[file:hashes.{PDQ_HASH_NAME} = {quote(f.photo_pdq.lower())}]",
                        "pattern_type": "stix",
                        "pattern_version": "2.1",
                        "valid_from": ts(first),
                        "object_marking_refs": refs,
                    },
                    first,
                    last,
                )
                indicators.append(photo_id)

        od_id = stix_id("observed-data", key)
        self.add(
            {
                "type": "observed-data",
                "spec_version": "2.1",
                "id": od_id,
                "created_by_ref": self.producer_id,
                "first_observed": ts(first),
                "last_observed": ts(last),
                "number_observed": max(1, f.count),
                "object_refs": observed,
                "object_marking_refs": refs,
            },
            first,
            last,
        )
        self.add(
            {
                "type": "sighting",
                "spec_version": "2.1",
                "id": stix_id("sighting", key),
                "created_by_ref": self.producer_id,
                "sighting_of_ref": ind_id,
                "observed_data_refs": [od_id],
                "where_sighted_refs": [self.producer_id],
                "count": max(1, f.count),
                "first_seen": ts(first),
                "last_seen": ts(last),
                "object_marking_refs": refs,
            },
            first,
            last,
        )
        targets = ([campaign_ref] if campaign_ref else []) + list(dict.fromkeys(f.actor_refs))
        for ind in indicators:
            for target in targets:
                self.relationship(ind, "indicates", target, refs, first, last)
        if len(indicators) > 1:
            self.relationship(indicators[1], "related-to", ind_id, refs, first, last)

    def relationship(
        self,
        source: str,
        rel_type: str,
        target: str,
        refs: list[str],
        first: datetime,
        last: datetime,
    ) -> None:
        target_obj = self.objects.get(target)
        all_refs = list(dict.fromkeys([*refs, *(target_obj or {}).get("object_marking_refs", [])]))
        if self.blocked(all_refs):
            return
        self.add(
            {
                "type": "relationship",
                "spec_version": "2.1",
                "id": stix_id("relationship", source, rel_type, target),
                "created_by_ref": self.producer_id,
                "relationship_type": rel_type,
                "source_ref": source,
                "target_ref": target,
                "object_marking_refs": all_refs,
            },
            first,
            last,
        )

    def marking_definitions(self) -> list[dict[str, Any]]:
        used: list[str] = []
        for o in self.objects.values():
            for r in o.get("object_marking_refs", ()):
                if r not in used:
                    used.append(r)
        out = []
        for r in used:
            d = self.default_def if r == self.default_def["id"] else self.markings.definition(r)
            if d is not None and not self.markings.summarise([r]).red:
                out.append(dict(d))
        return out


_TYPE_ORDER = {
    "marking-definition": 0,
    "identity": 1,
    "intrusion-set": 2,
    "user-account": 3,
    "file": 4,
    "indicator": 5,
    "observed-data": 6,
    "sighting": 7,
    "relationship": 8,
}


def build_bundle(
    findings: Sequence[Finding],
    campaigns: Sequence[CampaignFinding] = (),
    options: ExportOptions | None = None,
    *,
    now: datetime | None = None,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    markings: MarkingIndex | None = None,
) -> ExportResult:
    """Build and validate a STIX 2.1 bundle; ``previous`` maps ids to their last exported form."""
    opts = options or ExportOptions()
    now = now or datetime.now(UTC)
    b = _Builder(opts, markings or MarkingIndex())
    b.producer()
    by_campaign: dict[str, list[Finding]] = {}
    for f in findings:
        if f.campaign_id:
            by_campaign.setdefault(f.campaign_id, []).append(f)
    campaign_refs: dict[str, str | None] = {}
    secret: list[str] = []
    for c in campaigns:
        members = by_campaign.get(c.id, [])
        refs = b.refs_for(r for f in members for r in f.marking_refs)
        campaign_refs[c.id] = b.campaign(c, refs, now)
        if campaign_refs[c.id] is None:
            secret.append(c.id)
    for f in findings:
        if b.blocked(b.refs_for(f.marking_refs)):
            secret.append(f.profile_id)
            if f.name and len(f.name) >= 4:
                secret.append(f.name)
    for f in sorted(findings, key=lambda f: (f.platform, f.profile_id)):
        b.finding(f, campaign_refs.get(f.campaign_id or ""), now, secret)

    result = ExportResult(bundle={}, withheld=b.withheld)
    prev = previous or {}
    objects: list[dict[str, Any]] = []
    for sid, obj in b.objects.items():
        if obj["type"] in _TIMESTAMPED_TYPES:
            _stamp(obj, prev.get(sid), now, result)
        else:
            old = prev.get(sid)
            if old is None:
                result.new += 1
            elif content_hash(old) == content_hash(obj):
                result.unchanged += 1
            else:
                result.changed += 1
        objects.append(obj)
    objects.extend(b.marking_definitions())
    objects.sort(key=lambda o: (_TYPE_ORDER.get(o["type"], 9), o["id"]))
    digest = hashlib.sha256(
        "\n".join(f"{o['id']}|{o.get('modified', '')}" for o in objects).encode()
    ).hexdigest()
    result.bundle = {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid5(NAMESPACE, digest)}",
        "objects": objects,
    }
    validate_bundle(result.bundle)
    return result


def _stamp(
    obj: dict[str, Any], old: Mapping[str, Any] | None, now: datetime, result: ExportResult
) -> None:
    """created/modified: kept when the content is unchanged, modified moves on when it changed."""
    if obj["type"] == "identity" and old is None:
        obj["created"] = obj["modified"] = ts(EPOCH)
        result.new += 1
        return
    if old is None:
        obj["created"] = obj["modified"] = ts(now)
        result.new += 1
        return
    obj["created"] = old.get("created", ts(now))
    if content_hash(old) == content_hash(obj):
        obj["modified"] = old.get("modified", obj["created"])
        result.unchanged += 1
        return
    from spycatcher.schema import parse_datetime

    before = parse_datetime(old.get("modified")) or now
    obj["modified"] = ts(max(now, before + timedelta(milliseconds=1)))
    result.changed += 1


def validate_bundle(bundle: Mapping[str, Any]) -> None:
    """Raise ValueError naming the object unless every object is valid STIX 2.1 (stix2)."""
    import stix2
    from stix2.exceptions import STIXError

    for obj in bundle.get("objects", []):
        try:
            stix2.parse(dict(obj), allow_custom=True, version="2.1")
        except (STIXError, ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"exported object {obj.get('id')} is invalid: {exc}") from exc
    try:
        stix2.parse(dict(bundle), allow_custom=True, version="2.1")
    except (STIXError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"exported bundle is invalid: {exc}") from exc


def write_bundle(bundle: Mapping[str, Any], path: str | Path) -> None:
    Path(path).write_bytes(orjson.dumps(bundle, option=orjson.OPT_INDENT_2) + b"\n")
