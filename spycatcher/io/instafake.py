"""InstaFake (Akyon & Kalfaoglu 2019): Instagram accounts as a handful of numbers, labelled.

Each file is a JSON array (JSON Lines works too) of objects such as::

    {"userFollowerCount": 25, "userFollowingCount": 1937, "userBiographyLength": 0,
     "userMediaCount": 0, "userHasProfilPic": 1, "userIsPrivate": 1, "usernameDigitCount": 0,
     "usernameLength": 10, "isFake": 1}

``SRC`` is one such file or a folder of ``*.json`` / ``*.jsonl`` files. The records carry no
identifier, so one is made from the file and the position: ``instafake:<file stem>:<index>``
(0-based), stable as long as the file is. Mapping: counts ``followers`` (userFollowerCount),
``following`` (userFollowingCount), ``posts`` (userMediaCount); every other field under
``features`` with its raw name (flags as booleans); label from ``isFake`` (1 fake, 0 genuine);
platform ``"instagram"``.

The photo: the dataset only says *whether* an account has a profile picture, never which. A
profile with ``userHasProfilPic`` 0 gets ``photo: null``, which in the contract means "this
account shows no photo" -- real information, and one of the strongest fake-account cues in this
dataset -- not "unknown". A profile with a picture gets an empty photo object ``{}``: a photo
exists, but there is nothing to hash or compare.

The arrays are parsed incrementally (one element at a time, each bounded in size), so a large or
hostile file never has to fit in memory at once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from spycatcher.io.csvutil import note
from spycatcher.io.limits import DEFAULT_LIMITS, MIB, Limits, UntrustedFileError, check_file
from spycatcher.io.records import LoadReport, RecordError, parse_record
from spycatcher.schema import Event, Profile

PLATFORM = "instagram"

COUNT_FIELDS: dict[str, str] = {
    "userFollowerCount": "followers",
    "userFollowingCount": "following",
    "userMediaCount": "posts",
}
FLAG_FIELDS = frozenset({"userHasProfilPic", "userIsPrivate"})
LABEL_FIELD = "isFake"

#: one array element, as text
MAX_ELEMENT_CHARS = 1 * MIB
_CHUNK = 64 * 1024
_WS = " \t\r\n"


def iter_json_values(
    fh: IO[str], name: str, *, max_element: int = MAX_ELEMENT_CHARS, chunk: int = _CHUNK
) -> Iterator[tuple[int, int, Any]]:
    """Yield ``(index, line, value)`` per element of a top-level JSON array or per JSON Lines value.

    Parsing is incremental: the text is read in chunks and one element decoded at a time with
    ``json.JSONDecoder.raw_decode``, so memory is bounded by the largest element, which is itself
    bounded by ``max_element``. Malformed JSON raises ``ValueError`` with the line; an element
    over the bound raises :class:`UntrustedFileError` (there is no safe way to skip it).
    """
    decoder = json.JSONDecoder()
    buf = ""
    pos = 0
    line = 1  # line number of buf[pos]
    eof = False
    index = 0

    def fill() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        text = fh.read(chunk)
        if not text:
            eof = True
            return False
        buf = buf[pos:] + text
        pos = 0
        return True

    def skip(chars: str) -> None:
        nonlocal pos, line
        while True:
            while pos < len(buf) and buf[pos] in chars:
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf) or not fill():
                return

    skip(_WS)
    if pos >= len(buf):
        return
    in_array = buf[pos] == "["
    if in_array:
        pos += 1
    expect_value = True
    while True:
        skip(_WS)
        if pos >= len(buf):
            if in_array:
                raise ValueError(f"line {line}: the array is not closed")
            return
        ch = buf[pos]
        if in_array and ch == "]":
            if expect_value and index:
                raise ValueError(f"line {line}: ',' before ']'")
            pos += 1
            skip(_WS)
            if pos < len(buf):
                raise ValueError(f"line {line}: unexpected text after the array")
            return
        if in_array and ch == ",":
            if expect_value:
                raise ValueError(f"line {line}: unexpected ','")
            pos += 1
            expect_value = True
            continue
        if in_array and not expect_value:
            raise ValueError(f"line {line}: expected ',' or ']'")
        while True:
            try:
                value, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                # Perhaps the element is cut by the chunk boundary: read more and retry.
                if len(buf) - pos > max_element:
                    raise UntrustedFileError(
                        name, f"line {line}: a JSON value is longer than {max_element} characters"
                    ) from None
                if fill():
                    continue
                where = line + buf.count("\n", pos, max(exc.pos, pos))
                raise ValueError(f"line {where}: invalid JSON: {exc.msg}") from None
            # a number at the very end of the buffer may continue in the next chunk
            if end == len(buf) and not eof and fill():
                continue
            break
        if end - pos > max_element:
            raise UntrustedFileError(
                name, f"line {line}: a JSON value is longer than {max_element} characters"
            )
        yield index, line, value
        line += buf.count("\n", pos, end)
        pos = end
        index += 1
        expect_value = False


def find_json_files(src: Path) -> list[Path]:
    """SRC itself, or the ``*.json`` / ``*.jsonl`` files directly in the folder (no links)."""
    if src.is_file():
        return [src]
    out = []
    for entry in sorted(os.scandir(src), key=lambda e: e.name):
        is_json = entry.name.lower().endswith((".json", ".jsonl"))
        if is_json and entry.is_file(follow_symlinks=False):
            out.append(Path(entry.path))
    return out


def _as_bool(value: Any) -> Any:
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    raise ValueError(f"expected 0 or 1, got {str(value)[:20]!r}")


def _as_count(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError(f"expected a whole number, got {str(value)[:20]!r}")


def profile_data(obj: dict[str, Any], pid: str) -> tuple[dict[str, Any] | None, RecordError | None]:
    """Contract fields for one InstaFake object; the error names the offending field."""
    counts: dict[str, int] = {}
    features: dict[str, Any] = {}
    label = None
    try:
        for key, value in obj.items():
            field = str(key)
            if field in COUNT_FIELDS:
                if value is not None:
                    counts[COUNT_FIELDS[field]] = _as_count(value)
            elif field == LABEL_FIELD:
                if value is not None:
                    fake = _as_bool(value)
                    label = "fake" if fake else "genuine"
            elif field in FLAG_FIELDS:
                features[field] = None if value is None else _as_bool(value)
            elif value is None or isinstance(value, (bool, int, float, str)):
                features[field] = value
            else:
                features[field] = json.dumps(value, ensure_ascii=False)[:1000]
    except ValueError as exc:
        return None, RecordError("", 0, field, str(exc))
    has_pic = features.get("userHasProfilPic")
    return {
        "id": pid,
        "platform": PLATFORM,
        "photo": None if has_pic is False else {},
        "counts": counts,
        "features": features,
        "label": label,
    }, None


def _convert_file(path: Path, report: LoadReport, limits: Limits) -> Iterator[Profile]:
    check_file(path, limits)
    name = str(path)
    stem = path.name.split(".")[0]
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        try:
            for index, line, obj in iter_json_values(fh, name):
                report.read += 1
                where = f"[{index}]"
                if not isinstance(obj, dict):
                    report.add_error(RecordError(name, line, where, "expected a JSON object"))
                    continue
                data, err = profile_data(obj, f"instafake:{stem}:{index}")
                if err is not None:
                    report.add_error(RecordError(name, line, f"{where}.{err.field}", err.reason))
                    continue
                assert data is not None
                prof, perr = parse_record(Profile, data, name, line)
                if perr is not None:
                    report.add_error(
                        RecordError(name, line, f"{where}.{perr.field}".rstrip("."), perr.reason)
                    )
                    continue
                report.accepted += 1
                yield prof  # type: ignore[misc]
        except ValueError as exc:
            if isinstance(exc, UntrustedFileError):
                raise
            report.add_error(RecordError(name, 0, "", f"{exc}; rest of the file skipped"))


def convert(
    src: Path, report: LoadReport, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Profile | Event]:
    """Stream the profiles of an InstaFake file or folder (see the module docstring)."""
    src = Path(src)
    files = find_json_files(src)
    if not files:
        note(report, str(src), "", "no .json or .jsonl files found")
    for path in files:
        try:
            yield from _convert_file(path, report, limits)
        except UntrustedFileError as exc:
            note(report, str(path), "", f"file refused: {exc.reason}")
