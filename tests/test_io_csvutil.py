"""Loose CSV reading: header matching, preambles, encodings, mojibake repair, bad rows."""

from __future__ import annotations

import io

import pytest

from spycatcher.io.csvutil import (
    Column,
    clean_text,
    fix_mojibake,
    header_key,
    match_header,
    open_table,
    text_stream,
)
from spycatcher.io.records import LoadReport


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("JosÃ© GarcÃ­a", "José García"),
        ("PerchÃ¨ no", "Perchè no"),
        ("libertÃ\u00a0", "libertà"),  # à's second byte is a no-break space in Latin-1
        ("Ã‰mile", "Émile"),  # Windows-1252 punctuation stands for continuation bytes
        ("itâ€™s", "it’s"),
        ("JosÃƒÂ©", "José"),  # encoded twice over
        ("ZÃ¼rich â€“ MÃ¼nchen", "Zürich – München"),
        ("æ—¥æœ¬", "日本"),
        ("ðŸ˜€", "😀"),
    ],
)
def test_fix_mojibake_repairs_double_encoded_utf8(broken: str, fixed: str) -> None:
    assert fix_mojibake(broken) == fixed


@pytest.mark.parametrize("text", ["SÃO PAULO", "José", "naïve café", "Ãx", "plain ascii", ""])
def test_fix_mojibake_leaves_genuine_text_alone(text: str) -> None:
    assert fix_mojibake(text) == text


def test_clean_text_drops_controls_keeps_line_breaks() -> None:
    assert clean_text(" a\x00b\x07c\n d\te ") == "abc\n d\te"
    assert clean_text("\x00\x00  ") is None
    assert clean_text(None) is None
    assert clean_text("JosÃ©") == "José"


def test_header_matching_is_loose_and_reports_missing_columns() -> None:
    assert header_key(" Connected On ") == header_key("connected_on") == "connectedon"
    cols = [Column("First Name", required=True), Column("Email Address", ("Email",)), Column("X")]
    positions, missing = match_header(["EMAIL", "first name"], cols)
    assert positions == {"First Name": 1, "Email Address": 0}
    assert [c.key for c in missing] == ["X"]


def table_rows(data: bytes, cols: list[Column]) -> tuple[list, LoadReport]:
    report = LoadReport()
    table = open_table(text_stream(io.BytesIO(data)), "f.csv", cols, report)
    return ([] if table is None else list(table.rows)), report


def test_preamble_lines_are_skipped_and_line_numbers_are_physical() -> None:
    data = (
        b'Notes:\n"When exporting, some, emails\nmay be missing"\n\n'
        b'First Name,Last Name\nAda,Lovelace\n\nAlan,"Tur\ning"\nGrace,Hopper\n'
    )
    rows, report = table_rows(data, [Column("First Name", required=True), Column("Last Name")])
    assert [(r.line, r.get("First Name"), r.get("Last Name")) for r in rows] == [
        (6, "Ada", "Lovelace"),
        (8, "Alan", "Tur\ning"),
        (10, "Grace", "Hopper"),
    ]
    assert report.errors == [] and report.read == 3


def test_missing_required_column_skips_the_file_with_a_note() -> None:
    rows, report = table_rows(b"a,b\n1,2\n", [Column("First Name", required=True)])
    assert rows == []
    assert report.rejected == 0
    (err,) = report.errors
    assert err.line == 0 and "First Name" in err.reason and "skipped" in err.reason


def test_missing_optional_column_is_noted_once_and_reads_as_empty() -> None:
    rows, report = table_rows(b"A\n1\n2\n", [Column("a", required=True), Column("b")])
    assert [(r.get("a"), r.get("b")) for r in rows] == [("1", None), ("2", None)]
    assert [(e.line, e.field) for e in report.errors] == [(0, "b")]
    assert report.rejected == 0


def test_rows_with_too_many_fields_are_rejected_and_short_rows_padded() -> None:
    rows, report = table_rows(b"a,b\n1,2,3\n4\n5,6,\n", [Column("a"), Column("b")])
    assert [(r.get("a"), r.get("b")) for r in rows] == [("4", None), ("5", "6")]
    (err,) = report.errors
    assert err.line == 2 and "3 fields" in err.reason


def test_unknown_columns_are_kept_as_extra() -> None:
    rows, _ = table_rows(b"a,zz\n1,2\n", [Column("a")])
    assert rows[0].extra == {"zz": "2"}


def test_bom_and_windows_1252_bytes_are_decoded() -> None:
    data = "\ufeffName\n".encode() + b"Caf\xe9 \x93quoted\x94\n" + "José\n".encode()
    rows, _ = table_rows(data, [Column("Name", required=True)])
    assert [r.get("Name") for r in rows] == ["Café “quoted”", "José"]
