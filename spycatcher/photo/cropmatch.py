"""Matching copies that were cropped, which PDQ alone misses.

PDQ keeps a photo's hash stable under re-encoding, resizing and brightness changes, but not under
cropping: trimming 5% off the edges shifts every one of its 256 frequency components, and copies
cropped that little already land 50-90 bits away (measured in bench/bench_photo_reuse.py). A fake
profile's maker crops a stolen photo all the time, so photos loaded from files get a second,
crop-tolerant matcher:

1. **Candidates.** Every stored photo keeps small, blurred, normalised grey thumbnails of itself
   cropped in 49 ways (each side trimmed by 0-10% on a 2.5-5% grid). A query thumbnail (as it is,
   and mirrored) is compared with all of them by correlation; a crop of up to 10% lands close to
   one of the 49, so its best correlation stays high (>= 0.95 in our measurements) while
   unrelated photos stay below :data:`CANDIDATE_THRESHOLD`.
2. **Verification.** The best-matching crop gives a first guess of how the copy sits inside the
   stored photo; OpenCV's ECC alignment refines it (an affine map, so different horizontal and
   vertical trims are fine, and ECC ignores brightness and contrast). The stored photo is then
   resampled into the copy's frame and *both are PDQ-hashed*: they match when the two hashes
   differ by at most the PDQ radius. So the final word is still PDQ's, on aligned pixels.

This costs memory per photo (about 30 KB) and a matrix product per query, so it is meant for the
photos of one scan or a bank of a few hundred thousand known-bad images, not for 10 million
hashes; :class:`~spycatcher.photo.index.MultiIndexHash` remains the path for those.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from itertools import product

import cv2
import numpy as np

from spycatcher.photo.pdq import DEFAULT_THRESHOLD, hamming, hash_image

#: side of the candidate thumbnails
THUMB = 16
#: side of the grey copy kept for verification
VERIFY = 128
#: per-axis (first side, second side) trims of the stored crops
TRIMS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (0.05, 0.0),
    (0.0, 0.05),
    (0.05, 0.05),
    (0.10, 0.0),
    (0.0, 0.10),
    (0.025, 0.025),
)
CROPS: tuple[tuple[float, float, float, float], ...] = tuple(
    (left, right, top, bottom) for (left, right), (top, bottom) in product(TRIMS, TRIMS)
)
#: thumbnails correlating at least this much are verified
CANDIDATE_THRESHOLD = 0.9


def _grey(rgb: np.ndarray) -> np.ndarray:
    if rgb.ndim == 2:
        return rgb.astype(np.float32)
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY).astype(np.float32)


def _thumb(grey: np.ndarray) -> np.ndarray:
    """Blurred THUMB x THUMB thumbnail, zero mean and unit length (correlation = dot product)."""
    t = cv2.resize(grey, (64, 64), interpolation=cv2.INTER_AREA)
    t = cv2.GaussianBlur(t, (0, 0), 2.0)
    t = cv2.resize(t, (THUMB, THUMB), interpolation=cv2.INTER_AREA).ravel()
    t = t - t.mean()
    norm = float(np.linalg.norm(t))
    return t / norm if norm > 1e-6 else t


def _crop(grey: np.ndarray, c: tuple[float, float, float, float]) -> np.ndarray:
    h, w = grey.shape
    left, right, top, bottom = c
    return grey[round(top * h) : h - round(bottom * h), round(left * w) : w - round(right * w)]


def _square(grey: np.ndarray) -> np.ndarray:
    return cv2.resize(grey, (VERIFY, VERIFY), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True, slots=True)
class CropMatch:
    """A verified match: stored id, PDQ distance after alignment, whether the copy was mirrored."""

    id: int
    distance: int
    mirrored: bool


class CropTolerantMatcher:
    """Find stored photos of which a query photo is a (possibly cropped, mirrored) copy."""

    def __init__(
        self,
        radius: int = DEFAULT_THRESHOLD,
        candidate_threshold: float = CANDIDATE_THRESHOLD,
    ) -> None:
        self.radius = radius
        self.candidate_threshold = candidate_threshold
        self._thumbs: list[np.ndarray] = []  # per photo: (len(CROPS), THUMB*THUMB) float16
        self._verify: list[np.ndarray] = []  # per photo: VERIFY x VERIFY uint8
        self._matrix: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self._thumbs)

    def add(self, rgb: np.ndarray) -> int:
        """Store a photo; returns its id (0, 1, 2, ...)."""
        grey = _grey(rgb)
        self._thumbs.append(np.stack([_thumb(_crop(grey, c)) for c in CROPS]).astype(np.float16))
        self._verify.append(np.clip(_square(grey), 0, 255).astype(np.uint8))
        self._matrix = None
        return len(self._thumbs) - 1

    def _all(self) -> np.ndarray:
        if self._matrix is None:
            if not self._thumbs:
                self._matrix = np.zeros((0, THUMB * THUMB), dtype=np.float32)
            else:
                self._matrix = np.concatenate(self._thumbs).astype(np.float32)
        return self._matrix

    def candidates(
        self, rgb: np.ndarray, exclude: int | None = None
    ) -> list[tuple[int, bool, int]]:
        """(stored id, mirrored?, best crop index) of stored photos whose thumbnails correlate."""
        matrix = self._all()
        if matrix.shape[0] == 0:
            return []
        grey = _grey(rgb)
        queries = np.stack([_thumb(grey), _thumb(np.ascontiguousarray(grey[:, ::-1]))])
        sims = (queries @ matrix.T).reshape(2, -1, len(CROPS))  # (orientation, photo, crop)
        best = sims.max(axis=2)
        out: list[tuple[int, bool, int]] = []
        for pid in np.flatnonzero(best.max(axis=0) >= self.candidate_threshold).tolist():
            if pid == exclude:
                continue
            mirrored = bool(best[1, pid] > best[0, pid])
            crop = int(sims[int(mirrored), pid].argmax())
            out.append((pid, mirrored, crop))
        return out

    def verify(self, stored: int, rgb: np.ndarray, mirrored: bool, crop: int) -> int:
        """PDQ distance between the query and the stored photo aligned onto it (ECC)."""
        query = _square(_grey(rgb))
        if mirrored:
            query = np.ascontiguousarray(query[:, ::-1])
        template = np.clip(query, 0, 255).astype(np.uint8)
        source = self._verify[stored]
        left, right, top, bottom = CROPS[crop]
        warp = np.array(
            [[1 - left - right, 0, left * VERIFY], [0, 1 - top - bottom, top * VERIFY]],
            dtype=np.float32,
        )
        criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 100, 1e-5)
        with contextlib.suppress(cv2.error):  # no convergence: keep the grid guess
            _, warp = cv2.findTransformECC(  # type: ignore[call-overload]
                template.astype(np.float32),
                source.astype(np.float32),
                warp,
                cv2.MOTION_AFFINE,
                criteria,
                None,
                5,
            )
        aligned = cv2.warpAffine(
            source,
            warp,
            (VERIFY, VERIFY),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return hamming(hash_image(aligned).hash, hash_image(template).hash)

    def query(self, rgb: np.ndarray, exclude: int | None = None) -> list[CropMatch]:
        """Verified matches of a photo among the stored ones, closest first."""
        found = []
        for pid, mirrored, crop in self.candidates(rgb, exclude):
            d = self.verify(pid, rgb, mirrored, crop)
            if d <= self.radius:
                found.append(CropMatch(pid, d, mirrored))
        return sorted(found, key=lambda m: (m.distance, m.id))

    def all_pairs(self, block: int = 256) -> dict[int, dict[int, int]]:
        """Every stored photo's verified matches among the others: id -> {other id: distance}.

        A crop of a photo is found from the crop's side (the original contains it), so each
        verified pair is recorded in both directions. Queries run in blocks as one matrix product.
        """
        matrix = self._all()
        n = len(self._thumbs)
        found: dict[int, dict[int, int]] = {}
        for start in range(0, n, block):
            ids = range(start, min(n, start + block))
            queries = []
            for i in ids:
                grey = self._verify[i].astype(np.float32)
                queries += [_thumb(grey), _thumb(np.ascontiguousarray(grey[:, ::-1]))]
            sims = (np.stack(queries) @ matrix.T).reshape(len(ids), 2, n, len(CROPS))
            best = sims.max(axis=3)  # (query, orientation, photo)
            for qi, i in enumerate(ids):
                score = best[qi].max(axis=0)
                score[i] = -1.0
                for pid in np.flatnonzero(score >= self.candidate_threshold).tolist():
                    mirrored = bool(best[qi, 1, pid] > best[qi, 0, pid])
                    crop = int(sims[qi, int(mirrored), pid].argmax())
                    d = self.verify(pid, self._verify[i], mirrored, crop)
                    if d <= self.radius:
                        for a, b in ((i, pid), (pid, i)):
                            row = found.setdefault(a, {})
                            row[b] = min(d, row.get(b, d))
        return found
