"""PDQ hashes and the exact radius index, tested against the brute-force reference."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage import data as samples

from spycatcher.photo.index import BruteForceIndex, MultiIndexHash, make_index
from spycatcher.photo.pdq import (
    bits_to_bytes,
    bytes_to_bits,
    from_hex,
    hamming,
    hash_from_hex,
    hash_image,
    to_hex,
)
from spycatcher.photo.testimages import jpeg, mirror, resize


def test_hex_follows_threatexchange_bit_order():
    bits = np.zeros(256, dtype=np.uint8)
    bits[0] = 1  # the first bit is the most significant bit of the first hex digit
    assert to_hex(bits_to_bytes(bits)) == "8" + "0" * 63
    assert np.array_equal(bytes_to_bits(from_hex("8" + "0" * 63)), bits)
    with pytest.raises(ValueError):
        from_hex("xyz")
    assert hamming(from_hex("f" * 64), from_hex("0" * 64)) == 256


def test_copies_stay_within_the_radius_and_other_photos_do_not():
    astronaut = samples.astronaut()
    h = hash_image(astronaut)
    assert h.quality >= 50 and len(h.dihedral) == 8
    assert hamming(h.hash, hash_image(jpeg(astronaut, 60)).hash) <= 31
    assert hamming(h.hash, hash_image(resize(astronaut, 0.5)).hash) <= 31
    other = hash_image(samples.coffee())
    assert hamming(h.hash, other.hash) > 60


def test_a_mirrored_copy_matches_through_a_dihedral_variant():
    astronaut = samples.astronaut()
    original = hash_image(astronaut).hash
    flipped = hash_image(mirror(astronaut))
    assert hamming(original, flipped.hash) > 31
    assert min(hamming(original, v) for v in flipped.dihedral) <= 31
    rotated = hash_image(np.ascontiguousarray(np.rot90(astronaut)))
    assert min(hamming(original, v) for v in rotated.dihedral) <= 31


def test_a_precomputed_hash_has_only_its_own_orientation():
    h = hash_from_hex("ab" * 32)
    assert h.dihedral == (h.hash,) and h.hex == "ab" * 32


def flip_bits(h: bytes, n: int, rng) -> bytes:
    arr = np.frombuffer(h, dtype=np.uint8).copy()
    for b in rng.choice(256, n, replace=False):
        arr[b // 8] ^= 1 << (b % 8)
    return arr.tobytes()


def both_indexes(rows):
    fast, ref = MultiIndexHash(), BruteForceIndex()
    fast.add_many(rows)
    ref.add_many(rows)
    return fast, ref


def test_fast_index_agrees_with_brute_force_on_planted_neighbours():
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 256, (5_000, 32), dtype=np.uint8)
    fast, ref = both_indexes(rows)
    for i in range(60):
        q = flip_bits(rows[i].tobytes(), int(rng.integers(0, 70)), rng)
        for radius in (0, 10, 15, 16, 31, 32, 47, 63, 64, 90):
            a_ids, a_d = fast.query(q, radius)
            b_ids, b_d = ref.query(q, radius)
            assert np.array_equal(a_ids, b_ids) and np.array_equal(a_d, b_d), (i, radius)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 400),
    flips=st.integers(0, 64),
    radius=st.integers(0, 70),
)
def test_fast_index_agrees_with_brute_force_property(seed, n, flips, radius):
    rng = np.random.default_rng(seed)
    # clustered hashes: many share chunks, the hard case for a chunk index
    centre = rng.integers(0, 256, 32, dtype=np.uint8).tobytes()
    rows = np.stack(
        [
            np.frombuffer(flip_bits(centre, int(rng.integers(0, 80)), rng), np.uint8)
            for _ in range(n)
        ]
    )
    fast, ref = both_indexes(rows)
    q = flip_bits(centre, flips, rng)
    a, b = fast.query(q, radius), ref.query(q, radius)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_index_accepts_hashes_after_queries_and_starts_empty():
    idx = make_index("mih")
    assert idx.query(b"\x00" * 32)[0].size == 0
    first = idx.add(b"\x00" * 32)
    assert idx.query(b"\x00" * 32)[0].tolist() == [first]
    second = idx.add(b"\x00" * 31 + b"\x01")
    ids, dists = idx.query(b"\x00" * 32, 1)
    assert ids.tolist() == [first, second] and dists.tolist() == [0, 1]
    with pytest.raises(ValueError):
        make_index("lsh")
    with pytest.raises(ValueError):
        idx.add(b"\x00")
