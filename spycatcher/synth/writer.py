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


class EventWriter:
    """Formats time-sorted batches as event lines and numbers them ``e1``, ``e2``, ..."""

    def __init__(self, sink: Sink, ids: list[str]) -> None:
        self.sink = sink
        self.ids = ids
        self.seq = 0
        self.counts: Tally[str] = Tally()
        self.last_t: int | None = None

    def write(self, batch: Batch) -> None:
        n = len(batch)
        if n == 0:
            return
        ids = self.ids
        names = TYPE_NAMES
        ts = iso_many(batch.t)
        kinds = batch.kind.tolist()
        actors = batch.actor.tolist()
        targets = batch.target.tolist()
        accepted = batch.accepted.tolist()
        convs = batch.conv.tolist()
        aux = batch.aux.tolist()
        texts = batch.text
        dumps = orjson.dumps
        seq = self.seq
        lines = []
        for k in range(n):
            seq += 1
            line = (
                f'{{"id":"e{seq}","type":"{names[kinds[k]]}","actor":"{ids[actors[k]]}",'
                f'"target":"{ids[targets[k]]}","at":"{ts[k]}"'
            )
            text = texts[k]
            if text is not None:
                line += ',"text":' + dumps(text).decode()
            acc = accepted[k]
            if acc >= 0:
                line += ',"accepted":true' if acc else ',"accepted":false'
            conv = convs[k]
            if conv >= 0:
                line += f',"conversation":"c{conv}"'
            reason = aux[k]
            if reason >= 0:
                line += f',"reason":"{REPORT_REASONS[reason]}"'
            lines.append(line + "}\n")
        self.seq = seq
        for code, c in enumerate(np.bincount(batch.kind, minlength=len(names)).tolist()):
            if c:
                self.counts[names[code]] += c
        self.last_t = int(batch.t[-1])
        self.sink.write("".join(lines).encode())
