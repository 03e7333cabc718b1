"""Source formats that ``spycatcher convert --from FORMAT`` turns into the data contract.

Each converter is a function ``(src, report) -> Iterator[Profile | Event]`` that streams records
and puts every problem into the :class:`LoadReport` instead of stopping (see
:mod:`spycatcher.io.records`). :func:`convert_to_files` writes what a converter yields: profiles
to ``OUT`` and events, when there are any, to ``<OUT without .jsonl>.events.jsonl`` beside it,
each gzip-compressed when ``OUT`` ends in ``.gz``. Files are written under a temporary name and
renamed at the end, so an interrupted conversion never leaves a half-written file in place.
"""

from __future__ import annotations

import gzip
import os
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson

from spycatcher.io import cresci2015, instafake, linkedin_export
from spycatcher.io.records import LoadReport
from spycatcher.schema import Event, Profile

Converter = Callable[[Path, LoadReport], Iterator[Profile | Event]]

FORMATS: dict[str, Converter] = {
    "cresci2015": cresci2015.convert,
    "instafake": instafake.convert,
    "linkedin-export": linkedin_export.convert,
}

#: one line each, for ``--help`` and error messages
DESCRIPTIONS: dict[str, str] = {
    "cresci2015": "Cresci et al. 2015 Twitter users CSV (a file or a folder of them); labelled",
    "instafake": "InstaFake Instagram accounts JSON (a file or a folder of them); labelled",
    "linkedin-export": "a member's LinkedIn data export (zip or folder): people, invitations, "
    "messages",
}


@dataclass(slots=True)
class ConvertSummary:
    """What a conversion wrote: counts, the files, and how long it took."""

    format: str
    profiles: int
    events: int
    profiles_path: Path
    events_path: Path | None
    labels: dict[str, int] = field(default_factory=dict)
    event_types: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        labels = ", ".join(f"{k} {v}" for k, v in sorted(self.labels.items()))
        text = (
            f"{self.profiles} profiles ({labels}) to {self.profiles_path}"
            if labels
            else (f"{self.profiles} profiles to {self.profiles_path}")
        )
        if self.events_path is not None:
            types = ", ".join(f"{k} {v}" for k, v in sorted(self.event_types.items()))
            text += f"; {self.events} events ({types}) to {self.events_path}"
        return f"{text}; {self.seconds:.1f} s"

    def as_dict(self) -> dict[str, object]:
        return {
            "format": self.format,
            "profiles": self.profiles,
            "events": self.events,
            "profiles_path": str(self.profiles_path),
            "events_path": str(self.events_path) if self.events_path else None,
            "labels": self.labels,
            "event_types": self.event_types,
            "seconds": round(self.seconds, 3),
        }


def events_path_for(out: Path) -> Path:
    """The events file beside OUT: ``a.jsonl`` -> ``a.events.jsonl``, ``a.jsonl.gz`` ->
    ``a.events.jsonl.gz``, any other name gets ``.events.jsonl`` appended."""
    name = out.name
    gz = name.endswith(".gz")
    if gz:
        name = name[: -len(".gz")]
    if name.endswith(".jsonl"):
        name = name[: -len(".jsonl")]
    return out.with_name(name + ".events.jsonl" + (".gz" if gz else ""))


def record_line(rec: Profile | Event) -> bytes:
    """One JSON line, nulls and empty lists/objects left out to keep files small.

    A profile's ``photo: {}`` is kept: it says "there is a photo, of unknown content", which is
    not the same as no photo (``null``, left out).
    """
    data = rec.model_dump(mode="json", exclude_none=True)
    keep_photo = isinstance(rec, Profile) and rec.photo is not None
    data = {k: v for k, v in data.items() if v not in ([], {}) or (k == "photo" and keep_photo)}
    return orjson.dumps(data) + b"\n"


class _Writer:
    """A JSONL file written under a temporary name in the same folder, renamed on commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # "x" mode: a fresh file that honours the umask (mkstemp would make it private)
        self.tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        raw = open(self.tmp, "xb")  # noqa: SIM115 - closed in commit() or abort()
        self.fh: IO[bytes] = (
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)  # type: ignore[assignment]
            if path.name.endswith(".gz")
            else raw
        )
        self._raw = raw
        self.count = 0

    def write(self, line: bytes) -> None:
        self.fh.write(line)
        self.count += 1

    def commit(self) -> None:
        self.fh.close()
        self._raw.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self.fh.close()
            self._raw.close()
        finally:
            self.tmp.unlink(missing_ok=True)


def convert_to_files(fmt: str, src: Path, out: Path, report: LoadReport) -> ConvertSummary:
    """Convert SRC in format FMT into contract JSONL files; problems go into ``report``.

    Raises ``ValueError`` for an unknown format, ``FileNotFoundError`` when SRC does not exist,
    and :class:`~spycatcher.io.limits.UntrustedFileError` when SRC as a whole is refused (a zip
    over the limits); bad records and unusable files inside SRC only go into the report.
    """
    converter = FORMATS.get(fmt)
    if converter is None:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"unknown format {fmt!r}; known formats: {known}")
    src, out = Path(src), Path(out)
    if not src.exists():
        raise FileNotFoundError(f"{src}: no such file or folder")
    ev_path = events_path_for(out)
    if ev_path == out:
        raise ValueError(f"{out}: the output name leaves no room for an events file beside it")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    labels: Counter[str] = Counter()
    types: Counter[str] = Counter()
    profiles = _Writer(out)
    events: _Writer | None = None
    try:
        for rec in converter(src, report):
            if isinstance(rec, Profile):
                profiles.write(record_line(rec))
                labels[rec.label or "unlabelled"] += 1
            else:
                if events is None:
                    events = _Writer(ev_path)
                events.write(record_line(rec))
                types[rec.type] += 1
    except BaseException:
        profiles.abort()
        if events is not None:
            events.abort()
        raise
    profiles.commit()
    if events is not None:
        events.commit()
    return ConvertSummary(
        format=fmt,
        profiles=profiles.count,
        events=events.count if events else 0,
        profiles_path=out,
        events_path=ev_path if events else None,
        labels=dict(labels),
        event_types=dict(types),
        seconds=time.perf_counter() - started,
    )
