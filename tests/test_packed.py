"""PackedStrings must give back exactly the strings it was given, attacker-written ones included."""

import pickle

import pytest

from spycatcher.engine.packed import PackedStrings

STRINGS = [
    "p0000001",
    "",
    "Ελένη Παπαδοπούλου",
    "李娜 🚀",
    "line\nbreak and \x00 nul",
    "lone \ud800 surrogate",
    "'; DROP TABLE profiles; --",
]


def test_every_string_comes_back_intact_by_index_and_by_slice() -> None:
    packed = PackedStrings(STRINGS)
    assert len(packed) == len(STRINGS)
    assert [packed[k] for k in range(len(STRINGS))] == STRINGS
    assert packed.slice(0, len(STRINGS)) == STRINGS
    assert packed.slice(2, 5) == STRINGS[2:5]
    assert packed.slice(3, 3) == []
    assert packed[-1] == STRINGS[-1]


def test_out_of_range_is_an_error_not_a_neighbour() -> None:
    packed = PackedStrings(STRINGS)
    with pytest.raises(IndexError):
        packed[len(STRINGS)]
    with pytest.raises(IndexError):
        packed[-len(STRINGS) - 1]
    with pytest.raises(IndexError):
        PackedStrings()[0]


def test_survives_pickling_for_the_spark_broadcast() -> None:
    packed = pickle.loads(pickle.dumps(PackedStrings(STRINGS)))
    assert packed.slice(0, len(packed)) == STRINGS
