"""Pausing Python's cyclic garbage collector while a scan builds its population state.

Reading a network builds millions of small containers (per-sender lists of text samples, seen
hashes, id dictionaries) that live until the scan ends and form no reference cycles. Each
allocation burst triggers the collector, which walks every tracked object again and again: at
1M profiles the fold of a 90 MB partial state took 1.4 s to unpickle with the collector on and
0.5 s with it paused, and a 100k-profile scan's observe phase used ~7% less CPU. Objects are
still freed by reference counting while paused; only cycles wait until the collector resumes,
and the phases paused here make none.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, restoring its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
