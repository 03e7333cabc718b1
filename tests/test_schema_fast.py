"""The fast path for well-formed records builds exactly what pydantic builds, and steps aside
(so that pydantic reports the precise error) whenever a record is not plainly well formed."""

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from spycatcher.io.records import LoadReport, parse_record, read_events
from spycatcher.schema import Event, parse_datetime, quick_event


def _reference_datetime(value: Any) -> datetime | None:
    """parse_datetime's general rules, without its fast path (the behaviour to preserve)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError("bad") from exc
    else:
        raise ValueError("bad")
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


DATES = [
    "2011-02-07T02:18:13Z",
    "2011-02-07T02:18:13z",
    " 2011-02-07T02:18:13Z ",
    "2011-02-07T02:18:13.123456Z",
    "2011-02-07T02:18:13.1234567Z",
    "2011-02-07T02:18:13+00:00",
    "2011-02-07T02:18:13-00:00",
    "2011-02-07T02:18:13+0000",
    "2011-02-07T02:18:13+02:00",
    "2011-02-07T02:18:13-05:30",
    "2011-02-07T02:18:13",
    "2011-02-07 02:18Z",
    "2011-02-07",
    "2011-02-07Z",
    "20110207T021813Z",
    "2011-W06-1T00:00Z",
    "2011-02-07T24:00:00Z",
    "2011-02-30T00:00:00Z",
    "not a date",
    "Z",
    "",
]


@pytest.mark.parametrize("text", DATES)
def test_parse_datetime_fast_path_matches_the_general_rules(text):
    try:
        want = _reference_datetime(text)
    except ValueError:
        with pytest.raises(ValueError):
            parse_datetime(text)
        return
    got = parse_datetime(text)
    assert got == want
    if want is not None:
        assert got.tzinfo is UTC and got.utcoffset() == timedelta(0)


def _same(a: BaseModel, b: BaseModel) -> bool:
    return (
        type(a) is type(b)
        and a == b
        and list(a.__dict__) == list(b.__dict__)
        and a.model_fields_set == b.model_fields_set
        and a.__pydantic_extra__ == b.__pydantic_extra__
        and all(
            type(x) is type(y)
            for x, y in zip(a.__dict__.values(), b.__dict__.values(), strict=True)
        )
        and (a.__dict__["at"].tzinfo is b.__dict__["at"].tzinfo)
    )


BASE = {"id": "e1", "type": "message", "actor": "p1", "target": "p2", "at": "2020-01-01T10:00Z"}
VARIANTS: dict[str, list[Any]] = {
    "id": [None, "", " e1", "e1\x1c", 7, "x" * 1000, "x" * 1001],
    "type": ["invitation", "view", "Message", " message", "other", 3, None],
    "actor": ["", " p1", "p1\u00a0", "p\u00e9", "x" * 1001, 1, None],
    "target": ["\u3000p2", "p2", ["p2"]],
    "at": DATES + [1600000000, None, "2020-01-01T10:00:00+01:00"],
    "text": [None, "", "hi", " hi", "hi\n", "x" * 50_000, "x" * 50_001, 5, {"a": 1}],
    "accepted": [None, True, False, 1, 0, "true", "yes"],
    "reason": [None, "spam", " spam", 2],
    "conversation": ["c1", {"nested": [1]}, None],
}


def _events() -> list[dict[str, Any]]:
    out = [dict(BASE)]
    for key, values in VARIANTS.items():
        for v in values:
            out.append({**BASE, key: v})
        out.append({k: v for k, v in BASE.items() if k != key})  # the field missing
    # pairs of unusual values, so that one odd field cannot hide another
    keys = list(VARIANTS)
    for k1, k2 in itertools.combinations(keys, 2):
        for v1, v2 in itertools.product(VARIANTS[k1][:3], VARIANTS[k2][:3]):
            out.append({**BASE, k1: v1, k2: v2})
    return out


def test_quick_event_builds_what_pydantic_builds_or_steps_aside():
    built = 0
    for obj in _events():
        try:
            want = Event.model_validate(obj)
        except ValidationError:
            assert quick_event(obj) is None, obj
            continue
        got = quick_event(obj)
        if got is not None:
            built += 1
            assert _same(got, want), obj
    assert built > 50  # the fast path is taken for the ordinary records


def test_quick_event_keeps_unknown_fields_as_extras():
    obj = {**BASE, "conversation": "c9", "meta": {"k": [1]}}
    ev = quick_event(obj)
    assert ev is not None
    assert ev.model_extra == {"conversation": "c9", "meta": {"k": [1]}}
    assert ev.model_dump(mode="json") == Event.model_validate(obj).model_dump(mode="json")


def test_quick_event_passes_other_time_zones_to_pydantic():
    obj = {**BASE, "at": "2020-01-01T10:00:00+02:00"}
    assert quick_event(obj) is None
    rec, err = parse_record(Event, obj, "f", 1)
    assert err is None and rec.at == datetime(2020, 1, 1, 8, tzinfo=UTC)


def test_bad_events_still_name_file_line_field_and_reason(tmp_path):
    path = tmp_path / "e.jsonl"
    lines = [
        BASE,
        {**BASE, "type": "hug"},
        {**BASE, "actor": ""},
        {**BASE, "at": "yesterday"},
        {**BASE, "accepted": "maybe"},
        {**BASE, "id": "e6"},
    ]

    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    report = LoadReport()
    got = list(read_events(path, report))
    assert [e.id for e in got] == ["e1", "e6"]
    assert [(e.line, e.field) for e in report.errors] == [
        (2, "type"),
        (3, "actor"),
        (4, "at"),
        (5, "accepted"),
    ]
    assert all(e.file == str(path) and e.reason for e in report.errors)
