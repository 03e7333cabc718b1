"""The scan pauses the cyclic collector while it builds state, and must always restore it."""

import gc

import pytest

from spycatcher.engine.gc_pause import gc_paused


def test_collector_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_comes_back_after_an_error() -> None:
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("bad record")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
