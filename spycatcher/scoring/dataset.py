"""Labelled data for training and evaluation, computed by the scan itself.

A model must learn from exactly what a scan computes, so this module runs the real scan
(:func:`spycatcher.engine.local.scan`: every population stage, every detector, campaign detection
and the re-scoring of campaign members) with a recording scorer that keeps, for each labelled
profile, its features (:func:`spycatcher.scoring.features.extract`) and the score the wrapped
scorer gave. Nothing about a profile's label is visible to the scan.

``exclude`` removes fields from the data before the scan sees it (a copy of the file is made
with those fields blanked), so that a shortcut such as ``lang`` or ``created_at`` cannot leak
through a detector either; :meth:`FeatureTable.build_manifest` then drops the columns computed
from them. Names are contract fields (``created_at``, ``summary``), ``features`` keys (``lang``
or ``features.lang``) and ``counts`` keys (``counts.posts``).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from spycatcher.engine.core import Scorer
from spycatcher.io.records import MAX_LINE_BYTES, LoadReport, open_text
from spycatcher.schema import Profile
from spycatcher.scoring.assessment import Assessment
from spycatcher.scoring.features import FeatureTable, extract
from spycatcher.scoring.splits import group_ids
from spycatcher.signals.base import ProfileContext, Signal

Progress = Callable[[str, int], None]

#: contract fields that may be blanked (never ``id``, ``label`` or ``campaign``)
_BLANKABLE = frozenset(Profile.model_fields) - {"id", "label", "campaign", "platform"}
#: what a blanked field becomes: the contract's empty value (null for the rest; note that a null
#: ``photo`` reads as "no photo", so excluding ``photo`` also raises ``photo.missing``)
_EMPTY: dict[str, Any] = {
    "experience": [],
    "education": [],
    "skills": [],
    "counts": {},
    "features": {},
}


@dataclass
class LabelledSet:
    """Features, labels and scores of the labelled profiles of one or more files."""

    table: FeatureTable = field(default_factory=FeatureTable)
    ids: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    campaigns: list[str | None] = field(default_factory=list)
    #: the score the scorer used during collection gave each profile
    scores: list[float] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    unlabelled: int = 0

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def y(self) -> np.ndarray:
        return np.asarray(self.labels, dtype=np.int64)

    @property
    def groups(self) -> np.ndarray:
        return group_ids(self.campaigns, self.ids)

    @property
    def positives(self) -> int:
        return int(sum(self.labels))

    def fingerprint(self) -> str:
        """One hash of the data files' contents and what was excluded."""
        h = hashlib.sha256()
        for s in self.sources:
            h.update(orjson.dumps(s, option=orjson.OPT_SORT_KEYS))
        return h.hexdigest()


class _Recorder:
    """A Scorer that delegates to another and keeps each labelled profile's features."""

    def __init__(self, inner: Scorer, out: LabelledSet, file_no: int, features: bool) -> None:
        self.inner = inner
        self.name = inner.name
        self.out = out
        self.file_no = file_no
        self.features = features
        self.row_of: dict[str, int] = {}

    def score(
        self, profile: Profile, signals: list[Signal], ctx: ProfileContext | None = None
    ) -> Assessment:
        a = self.inner.score(profile, signals, ctx)
        if profile.label is None:
            if profile.id not in self.row_of:
                self.out.unlabelled += 1
                self.row_of[profile.id] = -1
            return a
        raw = extract(profile, signals, ctx or ProfileContext()) if self.features else None
        i = self.row_of.get(profile.id)
        if i is not None and i >= 0:  # re-scored with its campaign's evidence: replace
            self.out.scores[i] = a.score
            if raw is not None:
                self.out.table.replace(i, raw)
            return a
        self.row_of[profile.id] = len(self.out.ids)
        self.out.ids.append(f"{self.file_no}:{profile.id}" if self.file_no else profile.id)
        self.out.labels.append(1 if profile.label == "fake" else 0)
        self.out.campaigns.append(profile.campaign)
        self.out.scores.append(a.score)
        if raw is not None:
            self.out.table.add(raw)
        return a


def events_beside(path: Path) -> Path | None:
    """The events file that goes with a profiles file, by the names convert and synth write.

    ``x.jsonl`` -> ``x.events.jsonl``; ``profiles.jsonl`` -> ``events.jsonl`` in the same folder.
    """
    name = path.name
    for suffix in (".jsonl.gz", ".jsonl", ".json"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            break
    else:
        stem = path.stem
    candidates = [path.with_name(f"{stem}.events.jsonl"), path.with_name(f"{stem}.events.jsonl.gz")]
    if stem == "profiles":
        candidates += [path.with_name("events.jsonl"), path.with_name("events.jsonl.gz")]
    return next((c for c in candidates if c.is_file()), None)


def file_fingerprint(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _blank(record: Any, names: set[str]) -> Any:
    if not isinstance(record, dict):
        return record
    for name in names:
        if name in _BLANKABLE and name in record:
            record[name] = _EMPTY.get(name)
        key = name.removeprefix("features.")
        feats = record.get("features")
        if isinstance(feats, dict):
            feats.pop(key, None)
        if key not in _BLANKABLE and key not in ("id", "label", "campaign", "platform", "features"):
            record.pop(key, None)  # an unknown top-level field the contract moves into features
        if name.startswith("counts."):
            counts = record.get("counts")
            if isinstance(counts, dict):
                counts.pop(name[len("counts.") :], None)
    return record


def blank_fields(src: Path, names: Sequence[str], out_dir: Path) -> Path:
    """A copy of a profiles file with the named fields removed from every record.

    Lines that are not JSON objects are copied unchanged, so the scan still reports them with
    their original line numbers.
    """
    wanted = {n for n in names if n}
    dst = out_dir / (src.name.removesuffix(".gz"))
    with open_text(src) as fh, open(dst, "wb") as out:
        for line in fh:
            if len(line) > MAX_LINE_BYTES:  # left for the scan to report
                out.write(line.rstrip(b"\r\n") + b"\n")
                continue
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError:
                out.write(line.rstrip(b"\r\n") + b"\n")
                continue
            out.write(orjson.dumps(_blank(rec, wanted)) + b"\n")
    return dst


def collect(
    paths: Sequence[str | Path],
    *,
    scorer: Scorer | None = None,
    events: Sequence[str | Path | None] | None = None,
    exclude: Sequence[str] = (),
    features: bool = True,
    progress: Progress | None = None,
    reports: list[tuple[str, LoadReport]] | None = None,
) -> LabelledSet:
    """Scan each file (with its events) and keep every labelled profile's features and score.

    Each file is its own population (its own graph, templates and employers), as if scanned on
    its own. ``events[i]`` overrides the events file found beside ``paths[i]``.
    """
    from spycatcher.engine.local import ScanOptions, scan
    from spycatcher.scoring.zero_shot import ZeroShotScorer

    inner = scorer or ZeroShotScorer()
    out = LabelledSet()
    with tempfile.TemporaryDirectory(prefix="spycatcher-train-") as tmp:
        for no, p in enumerate(paths):
            src = Path(p)
            ev = events[no] if events is not None and no < len(events) else None
            ev_path = Path(ev) if ev is not None else events_beside(src)
            out.sources.append(
                {
                    "file": src.name,
                    "sha256": file_fingerprint(src),
                    "events": file_fingerprint(ev_path) if ev_path else None,
                    "excluded": sorted(set(exclude)),
                }
            )
            scan_path = src
            if exclude:
                folder = Path(tmp) / str(no)
                folder.mkdir()
                scan_path = blank_fields(src, exclude, folder)
            opts = ScanOptions(
                scorer=_Recorder(inner, out, no, features),
                progress=progress,
                # photos and other files referred to by the data stay relative to the original
                stage_options={"profiles_dir": str(src.parent.resolve())},
            )
            with scan(scan_path, ev_path, opts) as result:
                if reports is not None:
                    reports.append((str(src), result.profiles_report))
    return out
