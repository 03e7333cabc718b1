"""The data contract v1: profiles and events as JSON Lines.

Other tools depend on this contract, so it only ever grows by optional fields. Everything a profile
says was written by whoever made it (often an attacker): the models bound string lengths and list
sizes so one hostile record cannot exhaust memory, and they never interpret text.

Unknown profile fields are moved under ``features`` (scalars as-is, anything else as its JSON text)
so that a newer exporter never crashes an older reader; unknown event fields are kept as extras.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    StringConstraints,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = "1"

# Bounds: generous for real profiles, small enough that a hostile line cannot blow up memory.
MAX_SHORT = 1_000
MAX_LONG = 50_000
MAX_LIST = 500

ShortStr = Annotated[str, StringConstraints(max_length=MAX_SHORT)]
LongStr = Annotated[str, StringConstraints(max_length=MAX_LONG)]

_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ].*)?)?)?$")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_fromisoformat = datetime.fromisoformat


def parse_datetime(value: Any) -> datetime | None:
    """Parse an ISO 8601 date or datetime into an aware UTC datetime (naive means UTC).

    One function for every place that reads a timestamp, so that dates compare consistently.
    """
    if type(value) is str:
        # Fast path for what exporters write ("2011-02-07T02:18:13Z"): Python parses "Z" itself
        # and returns the UTC singleton, exactly what the general rules below give for it (they
        # differ only for text that this call rejects: surrounding blanks, a lower-case "z").
        try:
            dt = _fromisoformat(value)
        except ValueError:
            pass
        else:
            if dt.tzinfo is UTC:
                return dt
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith("Z") or text.endswith("z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"not an ISO 8601 date or datetime: {value[:40]!r}") from exc
    else:
        raise ValueError(f"expected an ISO 8601 string, got {type(value).__name__}")
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _check_partial_date(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not _PARTIAL_DATE.match(value.strip()):
        raise ValueError("expected a date as YYYY, YYYY-MM or ISO 8601")
    return value.strip()


PartialDate = Annotated[str | None, BeforeValidator(_check_partial_date)]


def partial_date_to_months(value: str | None) -> int | None:
    """Months since year 0 of a contract date ("YYYY" counts as January), for date arithmetic."""
    if not value:
        return None
    year = int(value[:4])
    month = int(value[5:7]) if len(value) >= 7 else 1
    return year * 12 + (month - 1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Photo(_Strict):
    """Where the profile photo is: a file beside the JSONL, a URL, or precomputed hashes."""

    path: ShortStr | None = None
    url: ShortStr | None = None
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")
    pdq: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")

    @field_validator("path")
    @classmethod
    def _relative_path(cls, v: str | None) -> str | None:
        # A photo path comes from an untrusted file: it may only point below that file's folder.
        if v is None:
            return v
        if v.startswith(("/", "\\")) or ".." in re.split(r"[\\/]", v) or ":" in v:
            raise ValueError("photo.path must be relative to the file and stay inside its folder")
        return v


class Experience(_Strict):
    title: ShortStr | None = None
    company: ShortStr | None = None
    start: PartialDate = None
    end: PartialDate = None
    location: ShortStr | None = None
    description: LongStr | None = None


class Education(_Strict):
    school: ShortStr | None = None
    degree: ShortStr | None = None
    field: ShortStr | None = None
    start: PartialDate = None
    end: PartialDate = None


class Contact(_Strict):
    email: ShortStr | None = None
    phone: ShortStr | None = None
    websites: list[ShortStr] = Field(default_factory=list, max_length=MAX_LIST)


FeatureValue = float | int | bool | str | None
Label = Literal["fake", "genuine"]

_PROFILE_FIELDS: frozenset[str] = frozenset()  # filled in after the class is defined


class Profile(BaseModel):
    """One member profile (data contract v1)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SHORT)]
    platform: ShortStr = "linkedin"
    url: ShortStr | None = None
    name: ShortStr | None = None
    headline: ShortStr | None = None
    summary: LongStr | None = None
    location: ShortStr | None = None
    industry: ShortStr | None = None
    created_at: datetime | None = None
    photo: Photo | None = None
    experience: list[Experience] = Field(default_factory=list, max_length=MAX_LIST)
    education: list[Education] = Field(default_factory=list, max_length=MAX_LIST)
    skills: list[ShortStr] = Field(default_factory=list, max_length=MAX_LIST)
    counts: dict[ShortStr, NonNegativeInt] = Field(default_factory=dict, max_length=MAX_LIST)
    contact: Contact | None = None
    verified: bool | None = None
    features: dict[ShortStr, FeatureValue] = Field(default_factory=dict, max_length=MAX_LIST)
    label: Label | None = None
    campaign: ShortStr | None = None

    @field_validator("created_at", mode="before")
    @classmethod
    def _created(cls, v: Any) -> datetime | None:
        return parse_datetime(v)

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, v: Any) -> Any:
        return v.lower() if isinstance(v, str) else v

    @model_validator(mode="before")
    @classmethod
    def _keep_unknown(cls, data: Any) -> Any:
        """Move unknown top-level fields under ``features`` instead of dropping them."""
        if not isinstance(data, dict):
            raise ValueError("a profile must be a JSON object")
        unknown = [k for k in data if k not in _PROFILE_FIELDS]
        if not unknown:
            return data
        data = dict(data)
        feats = data.get("features")
        feats = dict(feats) if isinstance(feats, dict) else {}
        for key in unknown:
            value = data.pop(key)
            if value is None or isinstance(value, (bool, int, float, str)):
                feats.setdefault(str(key), value)
            else:
                feats.setdefault(str(key), json.dumps(value, ensure_ascii=False)[:MAX_SHORT])
        data["features"] = feats
        return data

    def current_positions(self) -> list[Experience]:
        return [e for e in self.experience if e.end is None]

    def display_name(self) -> str:
        return self.name or self.id


_PROFILE_FIELDS = frozenset(Profile.model_fields)

EventType = Literal["invitation", "message", "connection", "report", "endorsement", "view"]


class Event(BaseModel):
    """Something one profile did to another (data contract v1)."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    id: ShortStr | None = None
    type: EventType
    actor: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SHORT)]
    target: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SHORT)]
    at: datetime
    text: LongStr | None = None
    accepted: bool | None = None
    reason: ShortStr | None = None

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, v: Any) -> datetime | None:
        return parse_datetime(v)


# -- the fast path for well-formed records ---------------------------------------------------
# A scan validates tens of millions of events; pydantic spends ~6 us on each, mostly calling back
# into Python for the timestamp. For a record whose every value already has the exact type and
# form the model would produce (strings without surrounding blanks and within their bounds, a
# known event type, a UTC timestamp, a real bool), the functions below build the same model
# object directly. They return None as soon as anything differs; the caller then validates with
# pydantic, which gives the same object or the precise error (file, line, field, reason). Tests
# compare both on good and hostile records.

_EVENT_TYPES: frozenset[str] = frozenset(
    ("invitation", "message", "connection", "report", "endorsement", "view")
)
_EVENT_FIELDS = frozenset(Event.model_fields)
#: the fields quick_event fills; a field added to Event turns the fast path off until it is added
_EVENT_FAST = tuple(Event.model_fields) == (
    "id",
    "type",
    "actor",
    "target",
    "at",
    "text",
    "accepted",
    "reason",
)
_new_event = Event.__new__
_set = object.__setattr__


def _plain(value: Any, limit: int) -> bool:
    """A string pydantic keeps as it is: no surrounding blanks to strip, within ``limit``."""
    return type(value) is str and len(value) <= limit and value.strip() is value


def quick_event(obj: dict[str, Any]) -> Event | None:
    """The :class:`Event` pydantic would build from ``obj``, or None to let pydantic decide."""
    if not _EVENT_FAST:
        return None
    get = obj.get
    kind = get("type")
    actor = get("actor")
    target = get("target")
    at = get("at")
    # (the string checks are _plain's, written out: this runs for every event of a scan)
    if (
        type(kind) is not str
        or kind not in _EVENT_TYPES
        or type(actor) is not str
        or type(target) is not str
        or type(at) is not str
        or not 0 < len(actor) <= MAX_SHORT
        or not 0 < len(target) <= MAX_SHORT
        or actor.strip() is not actor
        or target.strip() is not target
    ):
        return None
    try:
        when = _fromisoformat(at)
    except ValueError:
        return None
    if when.tzinfo is not UTC:
        return None
    eid = get("id")
    text = get("text")
    accepted = get("accepted")
    reason = get("reason")
    if (
        (eid is not None and not _plain(eid, MAX_SHORT))
        or (text is not None and not _plain(text, MAX_LONG))
        or (accepted is not None and type(accepted) is not bool)
        or (reason is not None and not _plain(reason, MAX_SHORT))
    ):
        return None
    if _EVENT_FIELDS.issuperset(obj):
        extra = {}
    else:
        extra = {k: v for k, v in obj.items() if k not in _EVENT_FIELDS}
    ev = _new_event(Event)
    _set(
        ev,
        "__dict__",
        {
            "id": eid,
            "type": kind,
            "actor": actor,
            "target": target,
            "at": when,
            "text": text,
            "accepted": accepted,
            "reason": reason,
        },
    )
    _set(ev, "__pydantic_fields_set__", set(obj))
    _set(ev, "__pydantic_extra__", extra)
    _set(ev, "__pydantic_private__", None)
    return ev


def json_schema(kind: Literal["profile", "event"]) -> dict[str, Any]:
    """The JSON Schema of a record kind, for other tools that produce or consume the contract."""
    model: type[BaseModel] = Profile if kind == "profile" else Event
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://spycatcher.invalid/schema/v{SCHEMA_VERSION}/{kind}.json"
    return schema
