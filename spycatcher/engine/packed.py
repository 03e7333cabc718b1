"""Many strings in one buffer: what a finished stage keeps for forked workers to read.

Pass 2 forks workers that read the parent's finished stages copy-on-write. A Python string read
there gets its reference count written, so a worker copies every page holding a string it
touches; a million senders' text samples or account ids, allocated one by one, lie on pages all
over the heap and were copied whole into each worker (BENCHMARKS.md, "Fifth round"). One UTF-8
buffer with numpy end offsets is read without writing: only the strings asked for are decoded,
as new objects in the worker.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np


class PackedStrings:
    """An immutable sequence of strings stored as one buffer (``surrogatepass``: JSON input can
    carry lone surrogates, and they must come back as they went in)."""

    __slots__ = ("_blob", "_ends")

    def __init__(self, strings: Iterable[str] = ()) -> None:
        ends = array("q")
        blob = bytearray()
        for s in strings:
            blob += s.encode("utf-8", "surrogatepass")
            ends.append(len(blob))
        self._blob = blob  # not bytes(blob): that would copy a buffer of up to a gigabyte
        self._ends = np.frombuffer(ends, dtype=np.int64).copy()

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, k: int) -> str:
        if not -len(self._ends) <= k < len(self._ends):
            raise IndexError(k)
        k %= len(self._ends)
        start = int(self._ends[k - 1]) if k else 0
        return self._blob[start : int(self._ends[k])].decode("utf-8", "surrogatepass")

    def slice(self, lo: int, hi: int) -> list[str]:
        """Strings ``lo`` to ``hi - 1``, decoded."""
        out: list[str] = []
        pos = int(self._ends[lo - 1]) if lo else 0
        for end in self._ends[lo:hi].tolist():
            out.append(self._blob[pos:end].decode("utf-8", "surrogatepass"))
            pos = end
        return out
