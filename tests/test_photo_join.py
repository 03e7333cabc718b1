"""The bulk photo join, held to brute force: every pair within the radius, each exactly once."""

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spycatcher.photo.join import all_matches, brute_force_join, chunk_layout, radius_join
from spycatcher.photo.pdq import hamming
from spycatcher.schema import Profile
from spycatcher.signals.photo import PhotoStage


def flip(row: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    bits = np.unpackbits(row)
    bits[rng.choice(256, n, replace=False)] ^= 1
    return np.packbits(bits)


def clustered(n: int, rng: np.random.Generator, spread: int = 41) -> np.ndarray:
    """A third random hashes, the rest planted near-duplicates of them 0..spread-1 bits away,
    some exact copies: many pairs straddle radius 31 and many hashes share chunks."""
    bases = rng.integers(0, 256, (max(1, n // 3), 32), dtype=np.uint8)
    rows = [bases[i] for i in range(bases.shape[0])]
    while len(rows) < n:
        rows.append(flip(bases[rng.integers(0, bases.shape[0])], int(rng.integers(0, spread)), rng))
    out = np.stack(rows)
    return out[rng.permutation(n)]


def python_pairs(a: np.ndarray, b: np.ndarray | None, radius: int) -> set[tuple[int, int, int]]:
    """The definition, one pair at a time with Python integers."""
    out = set()
    other = a if b is None else b
    for i in range(a.shape[0]):
        for j in range(i + 1 if b is None else 0, other.shape[0]):
            d = hamming(a[i].tobytes(), other[j].tobytes())
            if d <= radius:
                out.add((i, j, d))
    return out


def as_set(result) -> set[tuple[int, int, int]]:
    i, j, d = result
    return set(zip(i.tolist(), j.tolist(), d.tolist(), strict=True))


def assert_same(a, b):
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_brute_force_reference_matches_the_definition():
    rng = np.random.default_rng(1)
    a, b = clustered(120, rng), clustered(40, rng)
    for radius in (0, 12, 31):
        assert as_set(brute_force_join(a, None, radius)) == python_pairs(a, None, radius)
        assert as_set(brute_force_join(a, b, radius)) == python_pairs(a, b, radius)


@pytest.mark.parametrize("radius", [0, 1, 2, 3, 15, 30, 31, 32, 40, 47])
def test_chunk_join_equals_brute_force_on_clustered_hashes(radius):
    rng = np.random.default_rng(radius)
    a = clustered(1500, rng)
    a[:20] = a[20:40]  # identical hashes at different positions are pairs at distance 0
    b = clustered(400, rng)
    b[:30] = a[:30]
    # a small block forces many partitions and buffer flushes
    for block in (1024, 1 << 21):
        fast = radius_join(a, None, radius, method="chunks", block=block)
        assert_same(fast, brute_force_join(a, None, radius))
        cross = radius_join(b, a, radius, method="chunks", block=block)
        assert_same(cross, brute_force_join(b, a, radius))
    i, j, d = fast
    assert (
        np.all(i < j) and len(set(zip(i.tolist(), j.tolist(), strict=True))) == i.size
    )  # each pair once
    if radius >= 31:
        assert d.size > 100 and d.max() > 25  # the clusters straddle the radius


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 300),
    spread=st.integers(1, 80),
    radius=st.integers(0, 50),
)
def test_chunk_join_equals_brute_force_property(seed, n, spread, radius):
    rng = np.random.default_rng(seed)
    centre = rng.integers(0, 256, 32, dtype=np.uint8)
    # one tight cluster: most hashes share most chunks, the hard case for a chunk join
    a = np.stack([flip(centre, int(rng.integers(0, spread)), rng) for _ in range(n)])
    assert_same(
        radius_join(a, None, radius, method="chunks", block=1024),
        brute_force_join(a, None, radius),
    )
    q = a[: max(1, n // 3)]
    assert_same(
        radius_join(q, a, radius, method="chunks", block=1024), brute_force_join(q, a, radius)
    )


def test_large_radius_and_edge_cases():
    rng = np.random.default_rng(5)
    a = clustered(300, rng)
    assert chunk_layout(31) is not None and len(chunk_layout(31)) == 11
    assert chunk_layout(90) is None  # chunks too short to filter: brute force
    assert_same(radius_join(a, None, 90), brute_force_join(a, None, 90))
    assert radius_join(a, None, 256)[0].size == 300 * 299 // 2
    assert radius_join(a, None, -1)[0].size == 0
    assert radius_join(a[:0], None, 31)[0].size == 0
    assert radius_join(a[:1], None, 31)[0].size == 0
    words = a.view(np.uint64).reshape(-1, 4)  # words or bytes, same answer
    assert_same(radius_join(words, None, 31), radius_join(a, None, 31))
    with pytest.raises(ValueError):
        radius_join(a[:, :16], None, 31)
    with pytest.raises(ValueError):
        radius_join(a, None, 31, method="lsh")


def reference_matches(words, radius, variants):
    """For each row, every other row within radius of its hash or any of its variants."""
    out = {}
    rows = [w.tobytes() for w in words]
    for i, h in enumerate(rows):
        for j, other in enumerate(rows):
            if i == j:
                continue
            d = min(hamming(v, other) for v in (h, *variants.get(i, ())))
            if d <= radius:
                out[(i, j)] = d
    return out


def test_all_matches_with_duplicates_and_orientations():
    rng = np.random.default_rng(9)
    a = clustered(250, rng)
    a[:15] = a[15]  # a placeholder picture shared by 16 rows
    # rotations/mirrors: unrelated hashes of their own, some near another row's photo
    variants = {}
    for i in range(0, 250, 4):
        vs = [rng.integers(0, 256, 32, dtype=np.uint8) for _ in range(7)]
        vs[int(rng.integers(0, 7))] = flip(
            a[int(rng.integers(0, 250))], int(rng.integers(0, 40)), rng
        )
        variants[i] = tuple(v.tobytes() for v in vs)
    owners = np.array([i for i, vs in variants.items() for _ in vs])
    extra = np.stack([np.frombuffer(v, np.uint8) for vs in variants.values() for v in vs])
    for method in ("chunks", "brute"):
        s, t, d = all_matches(a, 31, extra, owners, method=method)
        got = dict(zip(zip(s.tolist(), t.tolist(), strict=True), d.tolist(), strict=True))
        assert got == reference_matches(a, 31, variants)
        assert len(got) == s.size  # one entry per directed pair


def test_photo_stage_reuse_equals_brute_force():
    """The stage's matches are those of the definition, symmetric, over profiles' photo hashes."""
    rng = np.random.default_rng(4)
    a = clustered(300, rng)
    a[10] = a[11]
    stage = PhotoStage({"photo_geometry": False})
    profiles = [
        Profile(id=f"p{i:03d}", photo={"pdq": row.tobytes().hex()}) for i, row in enumerate(a)
    ]
    for p in profiles:
        stage.observe_profile(p)
    stage.finish(datetime(2026, 6, 1, tzinfo=UTC))
    ref = reference_matches(a, 31, {})
    for i, p in enumerate(profiles):
        others = {j: d for (x, j), d in ref.items() if x == i}
        info = stage.analysis.get(p.id, {})
        assert info.get("shared_with", 0) == len(others)
        named = {m["ref"]: m["distance"] for m in stage.matches.get(p.id, [])}
        assert named == {
            f"p{j:03d}": d for j, d in sorted(others.items(), key=lambda kv: (kv[1], kv[0]))[:20]
        }
