"""Images made on the spot for tests and benchmarks: distinct scenes and altered copies.

No test may read a shared data set, and face photos of real people have no place in the
repository, so reuse detection is measured on images generated here: :func:`scene` draws a
random picture (a smooth colour field, shapes, lines and grain, seeded), and :func:`alter` makes
the kind of copy a fake-profile maker makes of a stolen photo (re-encoded, resized, cropped,
brightened or darkened, mirrored).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial

import cv2
import numpy as np
from PIL import Image


def scene(rng: np.random.Generator, size: int = 256) -> np.ndarray:
    """A random RGB picture with structure at several scales (distinct for distinct seeds)."""
    # a smooth colour field: low-resolution noise, upsampled
    low = rng.uniform(0, 255, (rng.integers(3, 9), rng.integers(3, 9), 3)).astype(np.float32)
    img = cv2.resize(low, (size, size), interpolation=cv2.INTER_CUBIC)
    for _ in range(int(rng.integers(4, 12))):
        colour = tuple(float(c) for c in rng.uniform(0, 255, 3))
        kind = int(rng.integers(0, 3))
        centre = (int(rng.integers(0, size)), int(rng.integers(0, size)))
        if kind == 0:
            axes = (
                int(rng.integers(size // 16, size // 3)),
                int(rng.integers(size // 16, size // 3)),
            )
            cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1)
        elif kind == 1:
            other = (int(rng.integers(0, size)), int(rng.integers(0, size)))
            cv2.rectangle(img, centre, other, colour, -1)
        else:
            other = (int(rng.integers(0, size)), int(rng.integers(0, size)))
            cv2.line(img, centre, other, colour, int(rng.integers(2, max(3, size // 20))))
    img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.5, 2.0)))
    img += np.asarray(rng.normal(0, float(rng.uniform(1, 6)), img.shape), dtype=np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=int(quality))
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def resize(rgb: np.ndarray, factor: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    size = (max(8, round(w * factor)), max(8, round(h * factor)))
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(rgb, size, interpolation=interp)


def crop(rgb: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Remove ``fraction`` of the width and of the height, split randomly between the sides."""
    h, w = rgb.shape[:2]
    dx, dy = round(w * fraction), round(h * fraction)
    left = int(rng.integers(0, dx + 1))
    top = int(rng.integers(0, dy + 1))
    return np.ascontiguousarray(rgb[top : h - (dy - top), left : w - (dx - left)])


def brightness(rgb: np.ndarray, factor: float) -> np.ndarray:
    return np.clip(rgb.astype(np.float32) * factor, 0, 255).astype(np.uint8)


def mirror(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rgb[:, ::-1])


def alterations(rng: np.random.Generator) -> list[tuple[str, Callable[[np.ndarray], np.ndarray]]]:
    """The altered-copy grid of the reuse target: each alteration at several strengths."""
    out: list[tuple[str, Callable[[np.ndarray], np.ndarray]]] = []
    for q in (50, 65, 80, 95):
        out.append((f"jpeg{q}", partial(jpeg, quality=q)))
    for f in (0.5, 0.75, 1.5, 2.0):
        out.append((f"resize{int(f * 100)}", partial(resize, factor=f)))
    for c in (0.05, 0.10):
        out.append((f"crop{int(c * 100)}", partial(crop, fraction=c, rng=rng)))
    for b in (0.8, 0.9, 1.1, 1.2):
        out.append((f"bright{int(b * 100)}", partial(brightness, factor=b)))
    out.append(("mirror", mirror))

    def combined(im: np.ndarray) -> np.ndarray:
        im = resize(im, float(rng.uniform(0.5, 2.0)))
        im = crop(im, float(rng.uniform(0, 0.10)), rng)
        im = brightness(im, float(rng.uniform(0.8, 1.2)))
        if rng.random() < 0.5:
            im = mirror(im)
        return jpeg(im, int(rng.integers(50, 96)))

    out.append(("combined", combined))
    return out
