"""unique_sorted must answer exactly as np.unique does, whatever the input."""

import numpy as np
import pytest

from spycatcher.numeric import unique_sorted


@pytest.mark.parametrize(
    "values",
    [
        np.zeros(0, dtype=np.int64),
        np.array([7], dtype=np.int64),
        np.array([3, 3, 3], dtype=np.int64),
        np.array([5, -1, 5, 2, -1, 9], dtype=np.int64),
        np.array([2.5, 1.0, 2.5], dtype=np.float64),
        np.array([[4, 1], [1, 4]], dtype=np.int32),
    ],
)
def test_unique_sorted_matches_numpy_on_edge_cases(values: np.ndarray) -> None:
    got = unique_sorted(values)
    want = np.unique(values)
    assert got.dtype == want.dtype
    assert np.array_equal(got, want)


def test_unique_sorted_matches_numpy_on_random_keys_and_leaves_input_alone() -> None:
    rng = np.random.default_rng(5)
    values = rng.integers(-(10**12), 10**12, size=50_000)
    values = np.concatenate([values, values[:20_000], rng.integers(0, 50, size=1_000)])
    before = values.copy()
    assert np.array_equal(unique_sorted(values), np.unique(values))
    assert np.array_equal(values, before)
