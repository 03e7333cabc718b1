"""Array helpers shared by the stages' population statistics.

One place for the few numpy idioms whose obvious spelling is slow at a platform's scale.
"""

from __future__ import annotations

import numpy as np


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-D array: what ``np.unique(values)`` returns.

    numpy 2.3 and later answer a plain ``np.unique`` (no index, inverse or counts asked for) by
    hashing, which on tens of millions of int64 keys (graph edges, template pairs, sender-target
    pairs at 1M profiles) is ~10x slower than sorting: a full sort and one comparison pass take
    this machine 0.15 s for 2.5M keys where ``np.unique`` takes 2 s, and the finish of a 1M scan
    spent ~37 s there.
    """
    flat = np.sort(np.asarray(values).ravel())
    if len(flat) < 2:
        return flat
    keep = np.empty(len(flat), dtype=bool)
    keep[0] = True
    np.not_equal(flat[1:], flat[:-1], out=keep[1:])
    return flat[keep]
