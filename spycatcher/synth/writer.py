"""Writing JSON Lines fast and byte-for-byte reproducibly (plain or gzip).

Events are formatted directly from columns: ids and timestamps are known-safe ASCII and are
placed as they are; free text goes through orjson, which escapes it. Gzip output has a zero
modification time and no file name in its header, so the same seed gives the same bytes.
"""

from __future__ import annotations

import gzip as gzip_mod
from collections import Counter as Tally
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson

from spycatcher.synth.clock import iso_many
from spycatcher.synth.eventlog import REPORT_REASONS, TYPE_NAMES, Batch

#: events formatted at once (about 20 MB of text)
SLICE = 100_000


class Sink:
    """A binary output file, optionally gzip-compressed with a deterministic header."""

    def __init__(self, path: Path, gzip: bool) -> None:
        self.path = path
        self._raw: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._fh: BinaryIO = self._raw
        if gzip:
            self._fh = gzip_mod.GzipFile(  # type: ignore[assignment]
                filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=3
            )

    def write(self, data: bytes) -> None:
        self._fh.write(data)

    def close(self) -> None:
        if self._fh is not self._raw:
            self._fh.close()
        self._raw.close()

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_profiles(sink: Sink, records: list[dict[str, Any]]) -> None:
    sink.write(b"".join(orjson.dumps(rec) + b"\n" for rec in records))


def conversation_keys(numbers: np.ndarray) -> np.ndarray:
    """Scramble conversation numbers (a bijection on 64 bits: splitmix64's finaliser).

    Conversations are numbered as they are planned, campaigns first; published as they are,
    small numbers would point at campaigns. Scrambled, an id says nothing but "same thread".
    """
    z = numbers.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class EventWriter:
    """Formats time-sorted batches as event lines and numbers them ``e1``, ``e2``, ..."""

    def __init__(self, sink: Sink, ids: list[str]) -> None:
        self.sink = sink
        self.ids = np.array(ids, dtype=object)
        self.names = np.array(TYPE_NAMES, dtype=object)
        self.seq = 0
        self.counts: Tally[str] = Tally()
        self.last_t: int | None = None

    def write(self, batch: Batch) -> None:
        """Write a time-sorted batch, a slice at a time (bounds the text held in memory)."""
        for lo in range(0, len(batch), SLICE):
            self._write(batch.take(np.arange(lo, min(lo + SLICE, len(batch)))))

    def _write(self, batch: Batch) -> None:
        n = len(batch)
        if n == 0:
            return
        seq = self.seq
        # The fixed part of every line, built column-wise (object-array takes run in C).
        base = [
            f'{{"id":"e{s}","type":"{k}","actor":"{a}","target":"{b}","at":"{t}"'
            for s, k, a, b, t in zip(
                range(seq + 1, seq + n + 1),
                self.names[batch.kind].tolist(),
                self.ids[batch.actor].tolist(),
                self.ids[batch.target].tolist(),
                iso_many(batch.t),
                strict=True,
            )
        ]
        # Optional fields, only where present.
        dumps = orjson.dumps
        for k, text in enumerate(batch.text):
            if text is not None:
                base[k] += ',"text":' + dumps(text).decode()
        acc = batch.accepted
        for k in np.flatnonzero(acc == 1).tolist():
            base[k] += ',"accepted":true'
        for k in np.flatnonzero(acc == 0).tolist():
            base[k] += ',"accepted":false'
        conv = batch.conv
        sel = np.flatnonzero(conv >= 0)
        for k, c in zip(sel.tolist(), conversation_keys(conv[sel]).tolist(), strict=True):
            base[k] += f',"conversation":"c{c:016x}"'
        aux = batch.aux
        sel = np.flatnonzero(aux >= 0)
        for k, x in zip(sel.tolist(), aux[sel].tolist(), strict=True):
            base[k] += f',"reason":"{REPORT_REASONS[x]}"'
        self.seq = seq + n
        for code, c in enumerate(np.bincount(batch.kind, minlength=len(TYPE_NAMES)).tolist()):
            if c:
                self.counts[TYPE_NAMES[code]] += c
        self.last_t = int(batch.t[-1])
        self.sink.write(("}\n".join(base) + "}\n").encode())
