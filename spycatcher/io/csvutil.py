"""Reading CSV files written by other people's software, loosely and safely.

Exports change between versions: headers change case and spacing, a few "Notes:" lines may come
before the header, optional columns come and go, and text is sometimes double-encoded (UTF-8 read
as Latin-1 and written again as UTF-8, so that ``é`` arrives as ``Ã©``). :func:`read_table` copes
with all of these and reports what it could not use as :class:`RecordError` s instead of failing:

* headers are matched case-insensitively, ignoring spaces and punctuation, against a list of
  :class:`Column` specs with aliases;
* the header is the first row (within a preamble allowance) that holds every required column;
* a missing optional column is noted once per file (line 0), a missing required one skips the file;
* bytes that are not UTF-8 are decoded as Windows-1252 (what spreadsheet programs write), and
  double-encoded text is repaired by :func:`fix_mojibake`;
* physical lines and fields are bounded by :mod:`spycatcher.io.limits`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from spycatcher.io.limits import DEFAULT_LIMITS, Limits, UntrustedFileError, bounded_lines
from spycatcher.io.records import MAX_KEPT_ERRORS, LoadReport, RecordError

# --------------------------------------------------------------------------------------- encoding

_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def _byte_as_cp1252(b: int) -> str:
    return chr(b) if b in _CP1252_UNDEFINED else bytes([b]).decode("cp1252")


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode bytes that are not valid UTF-8 as Windows-1252."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(_byte_as_cp1252(b) for b in bad), exc.end


CP1252_FALLBACK = "spycatcher-cp1252-fallback"
codecs.register_error(CP1252_FALLBACK, _cp1252_fallback)


def text_stream(binary: IO[bytes]) -> IO[str]:
    """Wrap a binary stream as text: UTF-8 (a BOM is dropped), with a Windows-1252 fallback."""
    return io.TextIOWrapper(
        binary,  # type: ignore[arg-type]
        encoding="utf-8-sig",
        errors=CP1252_FALLBACK,
        newline="",
    )


def _build_mojibake_pattern() -> tuple[re.Pattern[str], dict[str, int]]:
    # A UTF-8 continuation byte (0x80-0xBF) read as Latin-1 or as Windows-1252 becomes one of these.
    to_byte: dict[str, int] = {}
    for b in range(0x80, 0xC0):
        to_byte[chr(b)] = b
        as_cp = bytes([b]).decode("cp1252", errors="ignore")
        if as_cp:
            to_byte[as_cp] = b
    for b in range(0xC2, 0xF5):  # lead bytes are Latin-1 letters, identical in both code pages
        to_byte[chr(b)] = b
    cont = "[" + "".join(re.escape(c) for c in sorted(to_byte) if 0x80 <= to_byte[c] < 0xC0) + "]"
    two, three, four = "[\u00c2-\u00df]", "[\u00e0-\u00ef]", "[\u00f0-\u00f4]"
    pattern = re.compile(f"{two}{cont}|{three}{cont}{{2}}|{four}{cont}{{3}}")
    return pattern, to_byte


_MOJIBAKE, _MOJIBAKE_BYTES = _build_mojibake_pattern()


def _repair(match: re.Match[str]) -> str:
    seq = match.group(0)
    try:
        return bytes(_MOJIBAKE_BYTES[c] for c in seq).decode("utf-8")
    except UnicodeDecodeError:
        return seq


def fix_mojibake(text: str) -> str:
    """Repair UTF-8 that was decoded as Latin-1/Windows-1252 and encoded again (``Ã©`` -> ``é``).

    Only sequences that form a valid UTF-8 character are repaired, one at a time, so genuine
    text such as Portuguese ``SÃO`` (``Ã`` followed by a letter) is left alone. Text encoded
    twice over is repaired by repeating, at most three times.
    """
    for _ in range(3):
        if not _MOJIBAKE.search(text):
            break
        text = _MOJIBAKE.sub(_repair, text)
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str | None:
    """Text from an untrusted cell: control characters removed, mojibake repaired, blank -> None.

    Line breaks and tabs are kept (they are part of a message); NUL and other control characters
    are dropped because they only ever confuse terminals, databases and people.
    """
    if value is None:
        return None
    if value.isascii() and value.isprintable():  # the common case, checked in C
        return value.strip() or None
    text = _CONTROL.sub("", value)
    text = fix_mojibake(text).strip()
    return text or None


# ---------------------------------------------------------------------------------------- headers


def header_key(name: str) -> str:
    """Loose header: lower-case letters and digits only (``Connected On`` -> ``connectedon``)."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class Column:
    """A column an adapter wants: canonical key, accepted header spellings, whether required."""

    key: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    #: worth a note when absent (False for columns that only some versions of a format have)
    expected: bool = True

    def keys(self) -> set[str]:
        return {header_key(self.key), *(header_key(a) for a in self.aliases)}


def match_header(
    header: Sequence[str], columns: Sequence[Column]
) -> tuple[dict[str, int], list[Column]]:
    """Map canonical keys to column positions; returns (positions, missing columns)."""
    loose = [header_key(h) for h in header]
    positions: dict[str, int] = {}
    missing: list[Column] = []
    for col in columns:
        wanted = col.keys()
        idx = next((i for i, k in enumerate(loose) if k in wanted), None)
        if idx is None:
            missing.append(col)
        else:
            positions[col.key] = idx
    return positions, missing


# ------------------------------------------------------------------------------------------ table


def note(report: LoadReport, file: str, field_name: str, reason: str) -> None:
    """Record a file-level remark (line 0): a missing file or column, a skipped file.

    It goes into ``report.errors`` so that it is shown with the record errors, but is not counted
    as a rejected record: nothing was rejected, something was absent.
    """
    if len(report.errors) < MAX_KEPT_ERRORS:
        report.errors.append(RecordError(file, 0, field_name, reason))


@dataclass(slots=True)
class Row:
    """One data row: its first physical line, the wanted columns by key, and the other columns."""

    line: int
    values: dict[str, str | None]
    extra: dict[str, str | None] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.values.get(key)


@dataclass(slots=True)
class Table:
    """What :func:`open_table` found: the header, where each column is, and what is missing."""

    name: str
    header: list[str]
    header_line: int
    positions: dict[str, int]
    missing: list[Column]
    rows: Iterator[Row]


def open_table(
    text: IO[str],
    name: str,
    columns: Sequence[Column],
    report: LoadReport,
    *,
    limits: Limits = DEFAULT_LIMITS,
    max_preamble_rows: int = 30,
    clean: bool = True,
    note_missing_optional: bool = True,
) -> Table | None:
    """Find the header of a CSV stream and return a :class:`Table` whose rows stream lazily.

    Returns None (after noting why in the report) when no row within ``max_preamble_rows`` holds
    every required column. Cells are passed through :func:`clean_text` unless ``clean`` is False.
    """
    reader = csv.reader(bounded_lines(text, name, limits))
    required = [c for c in columns if c.required]
    header: list[str] | None = None
    header_line = 0
    try:
        for _ in range(max_preamble_rows):
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue
            positions, missing = match_header(row, columns)
            if positions and not any(c.required for c in missing):
                header = [h.lstrip("\ufeff").strip() for h in row]
                header_line = reader.line_num
                break
    except csv.Error as exc:
        note(report, name, "", f"not a readable CSV file: {exc}")
        return None
    if header is None:
        wanted = ", ".join(c.key for c in required) or ", ".join(c.key for c in columns)
        note(report, name, "", f"no header row with the columns {wanted} was found; file skipped")
        return None
    positions, missing = match_header(header, columns)
    if note_missing_optional:
        for col in missing:
            if col.expected:
                note(report, name, col.key, "column not found in the header; treated as empty")
    return Table(
        name=name,
        header=header,
        header_line=header_line,
        positions=positions,
        missing=missing,
        rows=_rows(reader, name, header, positions, report, limits, clean),
    )


def _rows(
    reader: Iterator[list[str]],
    name: str,
    header: list[str],
    positions: dict[str, int],
    report: LoadReport,
    limits: Limits,
    clean: bool,
) -> Iterator[Row]:
    used = set(positions.values())
    extras = [(i, h) for i, h in enumerate(header) if i not in used and h]
    width = len(header)
    prev = getattr(reader, "line_num", 0)
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            # The parser's position inside a quoted field is now unknown: resynchronising could
            # turn the rest of the file into wrong records, so this file stops here.
            report.read += 1
            report.add_error(
                RecordError(name, prev + 1, "", f"CSV error, rest of the file skipped: {exc}")
            )
            return
        if cells is None:
            return
        start = prev + 1
        prev = getattr(reader, "line_num", prev)
        if not any(c.strip() for c in cells):
            continue
        report.read += 1
        if len(cells) > limits.max_csv_columns:
            report.add_error(RecordError(name, start, "", f"row has {len(cells)} fields"))
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            report.add_error(
                RecordError(
                    name, start, "", f"row has {len(cells)} fields but the header has {width}"
                )
            )
            continue

        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        tidy = clean_text if clean else _or_none
        values = {key: tidy(cells[i]) for key, i in positions.items()}
        extra = {h: tidy(cells[i]) for i, h in extras}
        yield Row(start, values, extra)


def _or_none(value: str) -> str | None:
    return value or None


def iter_table_rows(
    binary: IO[bytes],
    name: str,
    columns: Sequence[Column],
    report: LoadReport,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Row]:
    """Convenience: the rows of a binary CSV stream (nothing when its header is not found)."""
    table = open_table(text_stream(binary), name, columns, report, limits=limits)
    if table is not None:
        yield from table.rows


__all__ = [
    "CP1252_FALLBACK",
    "Column",
    "Row",
    "Table",
    "UntrustedFileError",
    "clean_text",
    "fix_mojibake",
    "header_key",
    "iter_table_rows",
    "match_header",
    "note",
    "open_table",
    "text_stream",
]
