"""Safe loading of untrusted profile photos (JPEG, PNG, WebP).

A profile photo comes from whoever made the profile, so it is treated as hostile input:

* the file's size is checked before a byte is read (``max_bytes``);
* the format is decided by the file's magic bytes, never by its name, and only JPEG, PNG and WebP
  decoders are allowed to look at it (Pillow is told which single plugin to use);
* the pixel count is checked from the header *before* decoding (``max_pixels``), so a small file
  that claims 100,000 x 100,000 pixels (a decompression bomb) is refused without allocating it;
* a truncated or corrupt file is refused with a reason instead of being silently padded with grey
  (Pillow's ``LOAD_TRUNCATED_IMAGES`` is never relied on; PNG chunk checksums are verified);
* metadata is never trusted or used: no EXIF rotation, no embedded thumbnails, no colour profiles.
  Matching does not need it (PDQ's dihedral hashes cover rotations and mirrors) and it is the
  easiest part of a file to forge.

Every refusal is an :class:`ImageRejected` with a short machine-readable ``code`` and a sentence a
person can read, so a batch can report the bad photo and carry on.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile

from spycatcher.io.limits import Limits, UntrustedFileError, check_file

#: refuse files larger than this before reading them
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: refuse images whose header claims more pixels than this (about 8000 x 5000)
DEFAULT_MAX_PIXELS = 40_000_000

_MAGIC: tuple[tuple[str, bytes, int], ...] = (
    ("JPEG", b"\xff\xd8\xff", 0),
    ("PNG", b"\x89PNG\r\n\x1a\n", 0),
)


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """How much an untrusted image may cost us: bytes on disk and decoded pixels."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS


DEFAULT_LIMITS = ImageLimits()


class ImageRejected(UntrustedFileError):
    """An image we will not decode, with a short code (for counting) and a readable reason.

    It is an :class:`~spycatcher.io.limits.UntrustedFileError`, so code that reports any refused
    untrusted file reports refused photos too.
    """

    def __init__(self, code: str, reason: str, path: str | Path = "image"):
        super().__init__(path, reason)
        self.code = code


@dataclass(frozen=True, slots=True)
class LoadedImage:
    """Decoded pixels (H x W x 3, uint8, RGB) and the container format they came from."""

    rgb: np.ndarray
    format: str
    source: str

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


def sniff_format(head: bytes) -> str | None:
    """The image format named by a file's first bytes, or None if it is not one we accept."""
    for name, magic, offset in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return name
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def read_limited(path: str | Path, max_bytes: int) -> bytes:
    """Read a whole file, refusing it (before reading) when it is larger than ``max_bytes``."""
    p = Path(path)
    try:
        check_file(p, Limits(max_file_bytes=max_bytes))
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except UntrustedFileError as exc:
        code = "too_large" if "limit" in exc.reason else "unreadable"
        raise ImageRejected(code, exc.reason, p) from None
    except OSError as exc:
        raise ImageRejected("unreadable", f"cannot read the file: {exc.strerror}", p) from None
    if len(data) > max_bytes:  # the file grew while we looked
        raise ImageRejected("too_large", f"file is over the limit of {max_bytes} bytes", p)
    return data


def resolve_inside(base_dir: str | Path, relative: str) -> Path:
    """Join an untrusted relative path to ``base_dir``, refusing anything that escapes it.

    The profile file says where its photo is; a hostile file could say ``../../etc/shadow`` or use
    a symbolic link, so the *resolved* path must still be below the resolved folder.
    """
    if not relative or os.path.isabs(relative) or "\x00" in relative:
        raise ImageRejected("bad_path", "photo path must be relative to the profiles file", "photo")
    base = Path(base_dir).resolve()
    target = (base / relative).resolve()
    if target != base and base not in target.parents:
        raise ImageRejected("bad_path", "photo path leaves the profiles file's folder", "photo")
    return target


def _to_rgb(im: Image.Image) -> np.ndarray:
    """Flatten any decoded mode to 8-bit RGB; transparency is composited onto white."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.int64)
        top = 65535 if im.mode.startswith("I;16") or arr.max(initial=0) > 255 else 255
        grey = np.clip(arr * 255 // max(top, 1), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=2))
    if im.mode == "F":
        grey = np.clip(np.asarray(im, dtype=np.float64), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=2))
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        im.mode == "P" and "transparency" in im.info
    ):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, rgba)
    return np.ascontiguousarray(np.asarray(im.convert("RGB"), dtype=np.uint8))


def decode_image(
    data: bytes, source: str = "<bytes>", limits: ImageLimits = DEFAULT_LIMITS
) -> LoadedImage:
    """Decode image bytes under ``limits``; raises :class:`ImageRejected` with the reason."""
    if len(data) > limits.max_bytes:
        raise ImageRejected(
            "too_large", f"file is {len(data)} bytes, over the limit of {limits.max_bytes}", source
        )
    if not data:
        raise ImageRejected("empty", "file is empty", source)
    fmt = sniff_format(data[:16])
    if fmt is None:
        raise ImageRejected("unsupported_format", "not a JPEG, PNG or WebP image", source)
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone in this process asked Pillow to pad truncated images; we refuse to trust it.
        raise ImageRejected("unsafe_config", "Pillow is set to accept truncated images", source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as im:
                width, height = im.size
                if width <= 0 or height <= 0:
                    raise ImageRejected("malformed", "image has no pixels", source)
                if width * height > limits.max_pixels:
                    raise ImageRejected(
                        "too_many_pixels",
                        f"image claims {width}x{height} pixels, over the limit of "
                        f"{limits.max_pixels} (a possible decompression bomb)",
                        source,
                    )
                if fmt == "PNG":
                    # verify() checks every chunk's CRC; it leaves the image unusable, so reopen.
                    im.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as im:
                im.seek(0)  # animated WebP/APNG: the first frame is the photo
                im.load()
                rgb = _to_rgb(im)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(
            "too_many_pixels", f"decompression bomb refused: {exc}", source
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        text = str(exc)
        code = "truncated" if "truncated" in text.lower() else "malformed"
        raise ImageRejected(code, f"{fmt} file is {code}: {text[:200]}", source) from exc
    except Exception as exc:  # any other decoder failure is a bad file, never a crash
        reason = f"{fmt} file could not be decoded: {exc!r}"[:300]
        raise ImageRejected("malformed", reason, source) from exc
    return LoadedImage(rgb=rgb, format=fmt, source=source)


def load_image(path: str | Path, limits: ImageLimits = DEFAULT_LIMITS) -> LoadedImage:
    """Load an image file under ``limits``; raises :class:`ImageRejected` with the reason."""
    data = read_limited(path, limits.max_bytes)
    return decode_image(data, source=str(path), limits=limits)


def load_profile_photo(
    base_dir: str | Path, relative: str, limits: ImageLimits = DEFAULT_LIMITS
) -> LoadedImage:
    """Load ``photo.path`` of a profile, relative to the profiles file's folder and inside it."""
    return load_image(resolve_inside(base_dir, relative), limits)
