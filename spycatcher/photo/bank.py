"""The hash bank in memory: known photos, each with where it came from and why it is there.

Entries are either *known-bad* photos (from an intelligence import, a review decision: "this face
was used by a fake persona") or *profile* photos (every photo seen in a scan, so the next scan can
tell that a new profile wears an old face). The persistent copy lives in the store
(:mod:`spycatcher.store.hashbank`); this class is what matching uses, whatever the bank came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from spycatcher.photo.index import MultiIndexHash
from spycatcher.photo.pdq import DEFAULT_THRESHOLD

KINDS = ("known_bad", "profile")


@dataclass(frozen=True, slots=True)
class BankEntry:
    """One banked photo hash with its provenance."""

    pdq: bytes
    source: str
    reason: str
    kind: str = "known_bad"
    platform: str = ""
    profile_id: str = ""
    added_at: datetime | None = None

    def describe(self) -> str:
        return f"{self.source}: {self.reason}" if self.reason else self.source


class HashBank:
    """Entries plus an exact radius index over their hashes."""

    def __init__(self, entries: Iterable[BankEntry] = ()) -> None:
        self.entries: list[BankEntry] = []
        self._index = MultiIndexHash()
        for e in entries:
            self.add(e)

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: BankEntry) -> None:
        if entry.kind not in KINDS:
            raise ValueError(f"bank entry kind must be one of {KINDS}")
        self._index.add(entry.pdq)
        self.entries.append(entry)

    def match(
        self,
        hashes: Iterable[bytes],
        radius: int = DEFAULT_THRESHOLD,
        kinds: tuple[str, ...] = ("known_bad",),
        exclude_profile: tuple[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Bank entries within ``radius`` of any of ``hashes`` (a photo's dihedral variants).

        Returns one match per entry at its smallest distance, closest first, in the
        ``ProfileContext.photo_matches`` shape. ``exclude_profile`` (platform, id) leaves out the
        profile's own earlier photo.
        """
        best: dict[int, int] = {}
        for h in hashes:
            ids, dists = self._index.query(h, radius)
            for i, d in zip(ids.tolist(), dists.tolist(), strict=True):
                if i not in best or d < best[i]:
                    best[i] = d
        out = []
        for i, d in sorted(best.items(), key=lambda kv: (kv[1], kv[0])):
            e = self.entries[i]
            if e.kind not in kinds:
                continue
            if exclude_profile and (e.platform, e.profile_id) == exclude_profile:
                continue
            out.append(
                {
                    "kind": "bank" if e.kind == "known_bad" else "profile",
                    "ref": e.source if e.kind == "known_bad" else e.profile_id,
                    "distance": int(d),
                    "reason": e.reason,
                    "source": e.source,
                }
            )
        return out

    def hashes(self) -> np.ndarray:
        """(n, 4) uint64 words of every entry (for benchmarks and exports)."""
        return self._index.words()
