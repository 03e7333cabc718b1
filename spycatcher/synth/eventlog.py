"""Event batches: compact columns for events before they are written.

Planned events (campaigns, recruiters, researchers) are appended to an :class:`EventLog`, which
keeps numeric columns in ``array.array`` (a few bytes per event) and only the texts as Python
strings. Bulk events are generated window by window as numpy :class:`Batch` es and never held all
at once. A batch is sorted by time before it is written.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

INVITATION, MESSAGE, CONNECTION, ENDORSEMENT, VIEW, REPORT = range(6)
TYPE_NAMES = ("invitation", "message", "connection", "endorsement", "view", "report")
REPORT_REASONS = ("fake_profile", "spam", "scam", "suspicious_approach", "harassment")
#: ``accepted`` column codes
NONE, FALSE, TRUE = -1, 0, 1


@dataclass(slots=True)
class Batch:
    """Events as parallel columns. ``aux`` is the report reason code (-1 when not a report)."""

    t: np.ndarray  # int64
    kind: np.ndarray  # int8
    actor: np.ndarray  # int32
    target: np.ndarray  # int32
    accepted: np.ndarray  # int8
    conv: np.ndarray  # int64, -1 when not a message
    aux: np.ndarray  # int8
    text: list[str | None]

    def __len__(self) -> int:
        return len(self.t)

    @staticmethod
    def empty() -> Batch:
        return Batch(
            np.zeros(0, np.int64),
            np.zeros(0, np.int8),
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0, np.int8),
            np.zeros(0, np.int64),
            np.zeros(0, np.int8),
            [],
        )

    def take(self, idx: np.ndarray) -> Batch:
        texts = self.text
        return Batch(
            self.t[idx],
            self.kind[idx],
            self.actor[idx],
            self.target[idx],
            self.accepted[idx],
            self.conv[idx],
            self.aux[idx],
            [texts[i] for i in idx.tolist()],
        )

    def sorted(self) -> Batch:
        return self.take(np.argsort(self.t, kind="stable"))

    @staticmethod
    def concat(batches: list[Batch]) -> Batch:
        batches = [b for b in batches if len(b)]
        if not batches:
            return Batch.empty()
        if len(batches) == 1:
            return batches[0]
        texts: list[str | None] = []
        for b in batches:
            texts.extend(b.text)
        return Batch(
            np.concatenate([b.t for b in batches]),
            np.concatenate([b.kind for b in batches]),
            np.concatenate([b.actor for b in batches]),
            np.concatenate([b.target for b in batches]),
            np.concatenate([b.accepted for b in batches]),
            np.concatenate([b.conv for b in batches]),
            np.concatenate([b.aux for b in batches]),
            texts,
        )

    def split(self, before: int) -> tuple[Batch, Batch]:
        """(events strictly before ``before``, the rest), for a time-sorted batch."""
        k = int(np.searchsorted(self.t, before, side="left"))
        head = np.arange(k)
        tail = np.arange(k, len(self.t))
        return self.take(head), self.take(tail)


class EventLog:
    """An append-only list of planned events in compact columns."""

    def __init__(self) -> None:
        self.t = array("q")
        self.kind = array("b")
        self.actor = array("i")
        self.target = array("i")
        self.accepted = array("b")
        self.conv = array("q")
        self.aux = array("b")
        self.text: list[str | None] = []

    def add(
        self,
        t: int,
        kind: int,
        actor: int,
        target: int,
        text: str | None = None,
        accepted: int = NONE,
        conv: int = -1,
        aux: int = -1,
    ) -> None:
        self.t.append(int(t))
        self.kind.append(kind)
        self.actor.append(int(actor))
        self.target.append(int(target))
        self.accepted.append(accepted)
        self.conv.append(conv)
        self.aux.append(aux)
        self.text.append(text)

    def __len__(self) -> int:
        return len(self.t)

    def batch(self, until: int | None = None) -> Batch:
        """Everything logged (optionally only before ``until``), sorted by time."""
        b = Batch(
            np.frombuffer(self.t, dtype=np.int64).copy(),
            np.frombuffer(self.kind, dtype=np.int8).copy(),
            np.frombuffer(self.actor, dtype=np.int32).copy(),
            np.frombuffer(self.target, dtype=np.int32).copy(),
            np.frombuffer(self.accepted, dtype=np.int8).copy(),
            np.frombuffer(self.conv, dtype=np.int64).copy(),
            np.frombuffer(self.aux, dtype=np.int8).copy(),
            self.text,
        )
        if until is not None:
            b = b.take(np.flatnonzero(b.t < until))
        return b.sorted()

    def clear(self) -> None:
        """Drop everything logged (once it has been taken as a batch)."""
        self.__init__()  # type: ignore[misc]

    def connection_degree(self, n: int) -> np.ndarray:
        """How many connections the logged events add to each member."""
        kind = np.frombuffer(self.kind, dtype=np.int8)
        sel = kind == CONNECTION
        a = np.frombuffer(self.actor, dtype=np.int32)[sel]
        b = np.frombuffer(self.target, dtype=np.int32)[sel]
        return np.bincount(a, minlength=n) + np.bincount(b, minlength=n)


class Counter:
    """A shared running number (conversation ids) so every part numbers conversations uniquely."""

    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value
