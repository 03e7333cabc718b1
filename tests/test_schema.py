"""The data contract: what loads, what is rejected and why, and what is kept."""

import gzip
import json

import pytest
from pydantic import ValidationError

from spycatcher.io.records import LoadReport, StrictModeError, read_events, read_profiles
from spycatcher.schema import Event, Profile, json_schema, partial_date_to_months


def test_unknown_fields_are_kept_under_features():
    p = Profile.model_validate({"id": "x", "lang": "en", "nested": {"a": [1, 2]}})
    assert p.features["lang"] == "en"
    assert json.loads(p.features["nested"]) == {"a": [1, 2]}


def test_dates_normalise_to_utc():
    p = Profile.model_validate({"id": "x", "created_at": "2020-05-01"})
    assert p.created_at.isoformat() == "2020-05-01T00:00:00+00:00"
    e = Event.model_validate(
        {"type": "message", "actor": "a", "target": "b", "at": "2024-01-01T10:00:00+02:00"}
    )
    assert e.at.isoformat() == "2024-01-01T08:00:00+00:00"


def test_partial_dates():
    assert partial_date_to_months("2020") == 2020 * 12
    assert partial_date_to_months("2020-03") == 2020 * 12 + 2
    with pytest.raises(ValidationError):
        Profile.model_validate({"id": "x", "experience": [{"start": "March 2020"}]})


def test_photo_path_cannot_escape_its_folder():
    for bad in ["/etc/passwd", "../x.jpg", "a/../../b.jpg", "C:\\x.jpg"]:
        with pytest.raises(ValidationError):
            Profile.model_validate({"id": "x", "photo": {"path": bad}})
    assert Profile.model_validate({"id": "x", "photo": {"path": "img/a.jpg"}}).photo.path


def test_pdq_must_be_64_hex():
    with pytest.raises(ValidationError):
        Profile.model_validate({"id": "x", "photo": {"pdq": "zz"}})


def test_hostile_sizes_are_bounded():
    with pytest.raises(ValidationError):
        Profile.model_validate({"id": "x", "name": "A" * 5000})
    with pytest.raises(ValidationError):
        Profile.model_validate({"id": "x", "skills": ["s"] * 10_000})


def test_bad_lines_are_reported_and_the_rest_loads(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text(
        '{"id": "a"}\n'
        "{broken\n"
        "\n"
        '{"id": "b", "counts": {"connections": -3}}\n'
        '["not", "an", "object"]\n'
        '{"id": "c", "label": "FAKE"}\n'
    )
    rep = LoadReport()
    ids = [p.id for p in read_profiles(f, rep)]
    assert ids == ["a", "c"]
    assert rep.summary() == {"read": 5, "accepted": 2, "rejected": 3}
    lines = {e.line: e for e in rep.errors}
    assert set(lines) == {2, 4, 5}
    assert lines[4].field == "counts.connections"
    assert "greater than or equal to 0" in lines[4].reason
    assert str(lines[2]).startswith(f"{f}:2:")


def test_strict_stops_at_first_bad_record(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text('{"id": "a"}\n{"id": ""}\n{"id": "c"}\n')
    with pytest.raises(StrictModeError) as exc:
        list(read_profiles(f, strict=True))
    assert exc.value.error.line == 2


def test_gzip_input_is_detected_by_content(tmp_path):
    f = tmp_path / "events.data"
    with gzip.open(f, "wt") as fh:
        fh.write('{"type": "invitation", "actor": "a", "target": "b", "at": "2024-01-01"}\n')
        fh.write('{"type": "teleport", "actor": "a", "target": "b", "at": "2024-01-01"}\n')
    rep = LoadReport()
    events = list(read_events(f, rep))
    assert len(events) == 1 and rep.rejected == 1 and rep.errors[0].field == "type"


def test_json_schema_export():
    s = json_schema("profile")
    assert s["properties"]["id"]["type"] == "string"
    assert "id" in s["required"]
    assert "type" in json_schema("event")["required"]
