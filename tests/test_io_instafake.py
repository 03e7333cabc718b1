"""InstaFake JSON -> contract profiles, and the incremental JSON array reader under it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spycatcher.io.formats import convert_to_files
from spycatcher.io.instafake import convert, iter_json_values
from spycatcher.io.limits import UntrustedFileError
from spycatcher.io.records import LoadReport, read_profiles
from spycatcher.schema import Profile


def account(fake: int, **over: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "userFollowerCount": 25,
        "userFollowingCount": 1937,
        "userBiographyLength": 0,
        "userMediaCount": 3,
        "userHasProfilPic": 1,
        "userIsPrivate": 0,
        "usernameDigitCount": 2,
        "usernameLength": 10,
        "isFake": fake,
    }
    rec.update(over)
    return rec


def write(path: Path, records: list[object]) -> Path:
    # the published files are one long line: a JSON array with ", " between elements
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def run(src: Path) -> tuple[list[Profile], LoadReport]:
    report = LoadReport()
    return [p for p in convert(src, report) if isinstance(p, Profile)], report


def test_fake_and_real_files_map_onto_the_contract(tmp_path: Path) -> None:
    write(tmp_path / "fakeAccountData.json", [account(1), account(1, userHasProfilPic=0)])
    write(tmp_path / "realAccountData.json", [account(0, userIsPrivate=1)])
    (tmp_path / "SOURCE.txt").write_text("not data")
    profiles, report = run(tmp_path)
    assert report.summary() == {"read": 3, "accepted": 3, "rejected": 0}
    assert [p.id for p in profiles] == [
        "instafake:fakeAccountData:0",
        "instafake:fakeAccountData:1",
        "instafake:realAccountData:0",
    ]
    a, b, c = profiles
    assert a.platform == "instagram" and a.label == "fake" and c.label == "genuine"
    assert a.counts == {"followers": 25, "following": 1937, "posts": 3}
    assert a.features == {
        "userBiographyLength": 0,
        "userHasProfilPic": True,
        "userIsPrivate": False,
        "usernameDigitCount": 2,
        "usernameLength": 10,
    }
    assert c.features["userIsPrivate"] is True
    # no picture is information ("shows no photo"); a picture of unknown content is not None
    assert b.photo is None
    assert a.photo is not None and a.photo.url is None


def test_ids_are_stable_across_runs(tmp_path: Path) -> None:
    f = write(tmp_path / "realAccountData.json", [account(0), account(0, usernameLength=3)])
    first, _ = run(f)
    second, _ = run(f)
    assert [p.model_dump() for p in first] == [p.model_dump() for p in second]


def test_bad_records_are_reported_with_index_and_field(tmp_path: Path) -> None:
    f = write(
        tmp_path / "x.json",
        [
            account(1),
            account(2),
            "not an object",
            account(0, userFollowerCount=-4),
            account(0, userMediaCount="lots"),
            account(0, userHasProfilPic=True, userFollowerCount=12.0),
        ],
    )
    profiles, report = run(f)
    assert [p.id for p in profiles] == ["instafake:x:0", "instafake:x:5"]
    assert profiles[1].counts["followers"] == 12
    assert [(e.line, e.field) for e in report.errors] == [
        (1, "[1].isFake"),
        (1, "[2]"),
        (1, "[3].counts.followers"),
        (1, "[4].userMediaCount"),
    ]
    assert report.summary() == {"read": 6, "accepted": 2, "rejected": 4}


def test_json_lines_and_pretty_printed_arrays_give_line_numbers(tmp_path: Path) -> None:
    jl = tmp_path / "a.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in [account(1), account(7), account(0)]) + "\n")
    profiles, report = run(jl)
    assert len(profiles) == 2
    assert [(e.line, e.field) for e in report.errors] == [(2, "[1].isFake")]

    pretty = tmp_path / "b.json"
    pretty.write_text(json.dumps([account(1), account(9)], indent=2))
    profiles, report = run(pretty)
    assert len(profiles) == 1
    assert [(e.line, e.field) for e in report.errors] == [(13, "[1].isFake")]


def test_truncated_file_keeps_what_came_before(tmp_path: Path) -> None:
    f = tmp_path / "cut.json"
    f.write_text(json.dumps([account(1), account(0)])[:-40])
    profiles, report = run(f)
    assert len(profiles) == 1
    (err,) = report.errors
    assert "rest of the file skipped" in err.reason


def test_an_oversized_element_refuses_the_file(tmp_path: Path) -> None:
    with pytest.raises(UntrustedFileError, match="longer than 100"):
        list(iter_json_values(io.StringIO('[{"a": "' + "x" * 500 + '"}]'), "f", max_element=100))
    huge = tmp_path / "huge.json"
    huge.write_text('[{"a": "' + "x" * (1024 * 1024 + 10) + '"}]')
    profiles, report = run(huge)
    assert profiles == []
    assert "file refused" in report.errors[0].reason


@pytest.mark.parametrize("text", ["[1,]", "[1 2]", "[,1]", "[1] x", "[1"])
def test_malformed_arrays_are_errors(text: str) -> None:
    with pytest.raises(ValueError):
        list(iter_json_values(io.StringIO(text), "f"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(json_values, max_size=6),
    indent=st.sampled_from([None, 1, 4]),
    chunk=st.integers(min_value=1, max_value=17),
)
def test_incremental_reader_agrees_with_json_loads(
    values: list[object], indent: int | None, chunk: int
) -> None:
    text = json.dumps(values, indent=indent)
    got = [v for _, _, v in iter_json_values(io.StringIO(text), "f", chunk=chunk)]
    assert got == json.loads(text)


def test_convert_to_files_keeps_the_photo_distinction(tmp_path: Path) -> None:
    src = write(tmp_path / "fakeAccountData.json", [account(1), account(1, userHasProfilPic=0)])
    out = tmp_path / "insta.jsonl"
    summary = convert_to_files("instafake", src, out, LoadReport())
    assert summary.profiles == 2 and summary.labels == {"fake": 2}
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines[0]["photo"] == {} and "photo" not in lines[1]
    back = list(read_profiles(out))
    assert back[0].photo is not None and back[1].photo is None
