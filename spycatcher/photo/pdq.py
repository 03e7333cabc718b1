"""PDQ perceptual hashes: 256 bits that stay close when a photo is re-encoded, resized or tweaked.

PDQ (Meta's open photo hash, used across the industry for hash sharing) is computed by the
``pdqhash`` binding of the reference C++ code. Hashes are exchanged as 64 hexadecimal characters in
ThreatExchange's convention: the first bit of the hash vector is the most significant bit of the
first hex digit, so hashes from other PDQ tools compare directly with ours.

Distance is the Hamming distance (bits that differ). Meta's tools call two hashes a match at
distance <= 31 (:data:`DEFAULT_THRESHOLD`). A mirrored or rotated copy of a photo has an unrelated
hash, so a query also uses the photo's *dihedral* hashes: the eight hashes of the photo rotated by
0/90/180/270 degrees, each with and without a mirror, computed in one pass by the reference code.

PDQ also returns a *quality* score (0..100): a nearly flat image (a logo, a blank) has too little
structure to hash reliably, and matches from it are noise. Meta's tools ignore hashes with quality
below 50 (:data:`MIN_QUALITY`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pdqhash

BITS = 256
HEX_LEN = BITS // 4
#: Meta's default match threshold for PDQ (inclusive)
DEFAULT_THRESHOLD = 31
#: hashes of images with less structure than this are unreliable
MIN_QUALITY = 50

_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True, slots=True)
class PhotoHash:
    """A photo's PDQ hash (32 bytes), its dihedral variants (8 x 32 bytes) and its quality."""

    hash: bytes
    quality: int
    #: all eight orientations, the first being the photo as it is
    dihedral: tuple[bytes, ...]

    @property
    def hex(self) -> str:
        return self.hash.hex()


def bits_to_bytes(bits: np.ndarray) -> bytes:
    """A 256-element 0/1 vector -> 32 bytes, first bit most significant (ThreatExchange order)."""
    v = np.asarray(bits).astype(bool).ravel()
    if v.size != BITS:
        raise ValueError(f"a PDQ hash has {BITS} bits, got {v.size}")
    return np.packbits(v).tobytes()


def bytes_to_bits(h: bytes) -> np.ndarray:
    if len(h) != BITS // 8:
        raise ValueError(f"a PDQ hash has {BITS // 8} bytes, got {len(h)}")
    return np.unpackbits(np.frombuffer(h, dtype=np.uint8))


def from_hex(text: str) -> bytes:
    """Parse a 64-hex-character PDQ hash; raises ValueError with a reason on anything else."""
    if not isinstance(text, str) or not _HEX.match(text.strip()):
        raise ValueError("a PDQ hash is 64 hexadecimal characters")
    return bytes.fromhex(text.strip())


def to_hex(h: bytes) -> str:
    if len(h) != BITS // 8:
        raise ValueError(f"a PDQ hash has {BITS // 8} bytes, got {len(h)}")
    return h.hex()


def hamming(a: bytes, b: bytes) -> int:
    """Number of differing bits between two 32-byte hashes."""
    if len(a) != len(b):
        raise ValueError("hashes differ in length")
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


def _prepare(rgb: np.ndarray) -> np.ndarray:
    arr = np.asarray(rgb)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise ValueError("expected an H x W x 3 uint8 RGB image")
    return np.ascontiguousarray(arr)


def hash_image(rgb: np.ndarray) -> PhotoHash:
    """PDQ hash, dihedral variants and quality of decoded RGB pixels."""
    arr = _prepare(rgb)
    vectors, quality = pdqhash.compute_dihedral(arr)
    dihedral = tuple(bits_to_bytes(v) for v in vectors)
    return PhotoHash(hash=dihedral[0], quality=int(quality), dihedral=dihedral)


def hash_from_hex(text: str) -> PhotoHash:
    """A precomputed hash (``photo.pdq``): only its own orientation is known, quality unknown.

    Quality is reported as 100 because whoever computed the hash chose to share it; the variants
    cannot be derived from the bits (PDQ derives them from the image's DCT, not the hash).
    """
    h = from_hex(text)
    return PhotoHash(hash=h, quality=100, dihedral=(h,))


def pack_many(hashes: list[bytes]) -> np.ndarray:
    """Stack 32-byte hashes into an (n, 32) uint8 array (the index's storage format)."""
    if not hashes:
        return np.zeros((0, BITS // 8), dtype=np.uint8)
    return np.frombuffer(b"".join(hashes), dtype=np.uint8).reshape(-1, BITS // 8).copy()


def as_words(matrix: np.ndarray) -> np.ndarray:
    """View an (n, 32) uint8 hash matrix as (n, 4) uint64 words (no copy when contiguous)."""
    m = np.ascontiguousarray(matrix, dtype=np.uint8)
    return m.view(np.uint64).reshape(-1, 4)


def hamming_many(query: bytes, words: np.ndarray) -> np.ndarray:
    """Distances from one hash to every row of an (n, 4) uint64 word matrix (see as_words)."""
    q = np.frombuffer(query, dtype=np.uint64)
    return np.bitwise_count(np.bitwise_xor(words, q)).sum(axis=1, dtype=np.int32)
