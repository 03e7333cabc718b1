"""Cresci et al. 2015 ("Fame for sale", the MIB fake-follower dataset): Twitter users as CSV.

Each row is a Twitter API v1.1 user object flattened to columns (``id, name, screen_name,
statuses_count, followers_count, friends_count, favourites_count, listed_count, created_at, url,
lang, time_zone, location, default_profile, default_profile_image, geo_enabled, profile_image_url,
profile_banner_url, ..., protected, verified, description, updated, dataset``). ``SRC`` is one CSV
file or a folder: every ``*.csv`` in it, and ``*/users.csv`` as in the original archives (whose
folders are themselves named ``E13.csv`` and so on); tables that are not user tables (tweets,
followers) are skipped with a note.

Mapping to the contract:

* ``id`` -> ``"twitter:<id>"``, platform ``"twitter"``, ``url`` the account's Twitter address;
* ``name``, ``description`` -> summary, ``location``,
  ``created_at`` (``Fri Apr 06 10:58:22 +0000 2012``);
* counts: followers, following (``friends_count``), posts (``statuses_count``), favourites, listed;
* ``verified``; photo ``null`` when ``default_profile_image`` is set (the egg avatar: no photo of
  anyone), else ``{"url": profile_image_url}``;
* the label from ``dataset`` (E13, TFP -> genuine; INT, FSF, TWT -> fake; the 2017 group names
  such as ``social_spambots_1`` are understood too), or from the file's name when that column is
  absent;
* every other column under ``features`` with its raw column name (so ``--exclude-features
  lang,time_zone`` works) and its type: integers as numbers, Twitter's flags as booleans, the rest
  as strings, empty cells as null. Two derived flags are added: ``has_url`` and ``has_banner``.

Two deliberate departures from "empty is null": Twitter's boolean flags are written ``1`` or left
empty (the MySQL dump wrote ``false`` as NULL, and no ``0`` ever appears), so an empty flag is
``false``; and the literal ``NULL`` in URL and number columns means empty. The crawl-time columns
(``updated``, ``crawled_at``, ``timestamp``) are *not* kept: they are identical within each group,
so a model would learn the label from when the crawler ran rather than from the accounts.

Text is cleaned (control characters such as the NUL runs in a few descriptions are dropped) and
double-encoded UTF-8 (``PerchÃ¨``) is repaired.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from spycatcher.io.csvutil import Column, Row, note, open_table, text_stream
from spycatcher.io.limits import DEFAULT_LIMITS, Limits, UntrustedFileError, check_file
from spycatcher.io.records import LoadReport, RecordError, parse_record
from spycatcher.schema import Event, Profile

PLATFORM = "twitter"

#: CSV column -> contract ``counts`` key
COUNT_COLUMNS: dict[str, str] = {
    "followers_count": "followers",
    "friends_count": "following",
    "statuses_count": "posts",
    "favourites_count": "favourites",
    "listed_count": "listed",
}

#: Twitter API booleans that may appear as columns (the 2015 and 2017 dumps)
BOOL_COLUMNS = frozenset(
    {
        "default_profile",
        "default_profile_image",
        "geo_enabled",
        "profile_use_background_image",
        "profile_background_tile",
        "protected",
        "verified",
        "contributors_enabled",
        "is_translator",
        "is_translation_enabled",
        "has_extended_profile",
        "following",
        "follow_request_sent",
        "notifications",
    }
)

#: integer columns kept as numeric features
INT_FEATURE_COLUMNS = frozenset({"utc_offset"})

#: free text written by the account holder: ``NULL`` there may be what they wrote
TEXT_COLUMNS = frozenset({"name", "screen_name", "description", "location"})

#: columns consumed into contract fields, not repeated under features
CONSUMED = frozenset(
    {
        "id",
        "name",
        "description",
        "location",
        "created_at",
        "verified",
        "dataset",
        "profile_image_url",
        "profile_image_url_https",
        *COUNT_COLUMNS,
    }
)

#: crawl metadata: constant within a group, so it would leak the label into a model
LEAKY = frozenset({"updated", "crawled_at", "timestamp", "test_set_1", "test_set_2"})

GENUINE_TOKENS = frozenset({"e13", "tfp", "genuine", "human", "humans"})
FAKE_TOKENS = frozenset({"int", "fsf", "twt", "fake", "fakes", "spambots", "spambot", "bots"})

_KNOWN = sorted(
    CONSUMED
    | BOOL_COLUMNS
    | INT_FEATURE_COLUMNS
    | TEXT_COLUMNS
    | LEAKY
    | {"url", "lang", "time_zone", "profile_banner_url"}
)
COLUMNS: list[Column] = [Column(name, required=name in {"id", "screen_name"}) for name in _KNOWN]
#: optional columns whose absence is worth a note
IMPORTANT = ("name", "created_at", "followers_count", "friends_count", "statuses_count")

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_TWITTER_DATE = re.compile(
    r"^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$"
)


def parse_twitter_datetime(text: str) -> datetime:
    """Parse Twitter's ``Fri Apr 06 10:58:22 +0000 2012`` (or ISO 8601) into an aware UTC datetime.

    Done by hand rather than with ``strptime("%a %b ...")``, whose month names follow the locale.
    """
    m = _TWITTER_DATE.match(text.strip())
    if m is None:
        try:
            dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not a Twitter date: {text[:40]!r}") from None
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    mon, day, hh, mm, ss, sign, oh, om, year = m.groups()
    month = _MONTHS.get(mon.lower())
    if month is None:
        raise ValueError(f"unknown month {mon!r}")
    offset = (int(oh) * 60 + int(om)) * (1 if sign == "+" else -1)
    naive = datetime(int(year), month, int(day), int(hh), int(mm), int(ss))
    return naive.replace(tzinfo=timezone(timedelta(minutes=offset))).astimezone(UTC)


def label_from_tokens(text: str) -> str | None:
    """``genuine``/``fake`` from a group code or name (``E13``, ``INT``, ``social_spambots_1``)."""
    tokens = set(re.split(r"[^a-z0-9]+", text.lower())) - {""}
    genuine, fake = bool(tokens & GENUINE_TOKENS), bool(tokens & FAKE_TOKENS)
    if genuine == fake:
        return None
    return "genuine" if genuine else "fake"


def _is_null(value: str | None) -> bool:
    return value is None or value == "" or value.upper() == "NULL"


def _parse_bool(value: str | None) -> bool:
    if _is_null(value):
        return False
    v = value.strip().lower()  # type: ignore[union-attr]
    if v in {"1", "true", "t", "yes", "y"}:
        return True
    if v in {"0", "false", "f", "no", "n"}:
        return False
    raise ValueError(f"not a boolean: {v[:20]!r}")


def _parse_int(value: str | None) -> int | None:
    if _is_null(value):
        return None
    text = value.strip()  # type: ignore[union-attr]
    try:
        return int(text)
    except ValueError:
        f = float(text)  # "12.0" from a spreadsheet; raises for anything else
        if not f.is_integer():
            raise ValueError(f"not a whole number: {text[:20]!r}") from None
        return int(f)


def find_csv_files(src: Path) -> list[Path]:
    """The CSV files of SRC: the file itself, or ``*.csv`` and ``*/*.csv`` in a folder.

    Symbolic links are not followed, so a crafted folder cannot point the reader elsewhere.
    """
    if src.is_file():
        return [src]
    found: list[Path] = []
    for root, dirs, files in os.walk(src, followlinks=False):
        depth = len(Path(root).relative_to(src).parts)
        if depth >= 1:
            dirs[:] = []
        else:
            dirs.sort()
        for f in sorted(files):
            p = Path(root) / f
            if f.lower().endswith(".csv") and not p.is_symlink():
                found.append(p)
    return sorted(found)


class _Converter:
    def __init__(self, src: Path, report: LoadReport, limits: Limits) -> None:
        self.src = src
        self.report = report
        self.limits = limits
        self.seen: dict[str, str] = {}
        self.unknown_groups: set[str] = set()

    def run(self) -> Iterator[Profile]:
        files = find_csv_files(self.src)
        if not files:
            note(self.report, str(self.src), "", "no CSV files found")
        for path in files:
            try:
                yield from self._file(path)
            except UntrustedFileError as exc:
                note(self.report, str(path), "", f"file refused: {exc.reason}")

    def _file(self, path: Path) -> Iterator[Profile]:
        check_file(path, self.limits)
        name = str(path)
        rel = str(path.relative_to(self.src)) if path != self.src else path.name
        file_label = label_from_tokens(rel)
        with open(path, "rb") as raw, text_stream(raw) as text:
            table = open_table(
                text, name, COLUMNS, self.report, limits=self.limits, note_missing_optional=False
            )
            if table is None:
                return
            missing = {c.key for c in table.missing}
            for key in IMPORTANT:
                if key in missing:
                    note(self.report, name, key, "column not found; left empty")
            if "dataset" in missing:
                how = f"labelled {file_label!r} from the file name" if file_label else "no labels"
                note(self.report, name, "dataset", f"column not found; {how}")
            for row in table.rows:
                prof = self._row(name, row, file_label)
                if prof is not None:
                    self.report.accepted += 1
                    yield prof

    def _row(self, name: str, row: Row, file_label: str | None) -> Profile | None:
        prof, err = self._parse_row(name, row, file_label)
        if err is not None:
            self.report.add_error(err)
            return None
        assert prof is not None
        self.seen[prof.id] = f"{name}:{row.line}"
        return prof

    def _parse_row(
        self, name: str, row: Row, file_label: str | None
    ) -> tuple[Profile | None, RecordError | None]:
        raw_id = row.get("id")
        if raw_id is None or _is_null(raw_id):
            return None, RecordError(name, row.line, "id", "missing id")
        pid = f"{PLATFORM}:{raw_id.strip()}"
        if pid in self.seen:
            return None, RecordError(
                name, row.line, "id", f"duplicate id, first seen at {self.seen[pid]}"
            )
        try:
            data = self._build(row, pid, name, file_label)
        except _FieldError as exc:
            return None, RecordError(name, row.line, exc.field, exc.reason)
        return parse_record(Profile, data, name, row.line)

    def _build(self, row: Row, pid: str, name: str, file_label: str | None) -> dict[str, Any]:
        v = row.values
        counts: dict[str, int] = {}
        for col, key in COUNT_COLUMNS.items():
            n = _field(col, _parse_int, v.get(col))
            if n is not None:
                counts[key] = n
        created = None
        if not _is_null(v.get("created_at")):
            created = _field("created_at", parse_twitter_datetime, v["created_at"])
        features: dict[str, Any] = {}
        for col, value in v.items():
            if col in CONSUMED or col in LEAKY:
                continue
            if col in BOOL_COLUMNS:
                features[col] = _field(col, _parse_bool, value)
            elif col in INT_FEATURE_COLUMNS:
                features[col] = _field(col, _parse_int, value)
            elif col in TEXT_COLUMNS:
                features[col] = value
            else:
                features[col] = None if _is_null(value) else value
        for col, value in row.extra.items():
            if col not in features and col not in LEAKY:
                features[col] = None if _is_null(value) else value
        website = None if _is_null(v.get("url")) else v.get("url")
        features["has_url"] = website is not None
        features["has_banner"] = not _is_null(v.get("profile_banner_url"))
        default_image = _field("default_profile_image", _parse_bool, v.get("default_profile_image"))
        image_url = next(
            (
                u
                for u in (v.get("profile_image_url_https"), v.get("profile_image_url"))
                if not _is_null(u)
            ),
            None,
        )
        if image_url and "default_profile_images/" in image_url:
            default_image = True
        screen_name = v.get("screen_name")
        label = file_label
        group = v.get("dataset")
        if not _is_null(group):
            assert group is not None
            label = label_from_tokens(group)
            if label is None and group not in self.unknown_groups:
                self.unknown_groups.add(group)
                note(self.report, name, "dataset", f"unknown group {group[:40]!r}: left unlabelled")
        return {
            "id": pid,
            "platform": PLATFORM,
            "url": f"https://twitter.com/{screen_name}" if screen_name else None,
            "name": v.get("name"),
            "summary": v.get("description"),
            "location": v.get("location"),
            "created_at": created,
            "photo": None if default_image or not image_url else {"url": image_url},
            "counts": counts,
            "contact": {"websites": [website]} if website else None,
            "verified": _field("verified", _parse_bool, v.get("verified")),
            "features": features,
            "label": label,
        }


class _FieldError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _field(col: str, parse: Any, value: str | None) -> Any:
    try:
        return parse(value)
    except ValueError as exc:
        raise _FieldError(col, str(exc)) from None


def convert(
    src: Path, report: LoadReport, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Profile | Event]:
    """Stream the profiles of a cresci-2015 file or folder (see the module docstring)."""
    yield from _Converter(Path(src), report, limits).run()
