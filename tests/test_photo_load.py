"""Untrusted photos: what loads, what is refused, and why."""

import io
import os
import zlib

import numpy as np
import pytest
from PIL import Image

from spycatcher.io.limits import UntrustedFileError
from spycatcher.photo.load import (
    ImageLimits,
    ImageRejected,
    decode_image,
    load_image,
    load_profile_photo,
    resolve_inside,
    sniff_format,
)


def picture(w=64, h=48, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


def encode(arr, fmt, **kw):
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_load_as_rgb(fmt):
    arr = picture()
    img = decode_image(encode(arr, fmt, **({"lossless": True} if fmt == "WEBP" else {})))
    assert img.format == fmt
    assert img.rgb.shape == (48, 64, 3) and img.rgb.dtype == np.uint8
    if fmt != "JPEG":
        assert np.array_equal(img.rgb, arr)


def test_format_is_decided_by_magic_bytes_not_by_the_name(tmp_path):
    f = tmp_path / "photo.png"
    f.write_bytes(encode(picture(), "JPEG"))
    assert load_image(f).format == "JPEG"
    g = tmp_path / "photo.jpg"
    g.write_bytes(b"GIF89a" + b"\x00" * 100)
    with pytest.raises(ImageRejected) as err:
        load_image(g)
    assert err.value.code == "unsupported_format"
    assert sniff_format(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "WEBP"


def test_byte_limit_is_checked_before_reading(tmp_path):
    f = tmp_path / "big.jpg"
    f.write_bytes(encode(picture(200, 200), "PNG"))
    with pytest.raises(ImageRejected) as err:
        load_image(f, ImageLimits(max_bytes=1000))
    assert err.value.code == "too_large"
    assert isinstance(err.value, UntrustedFileError)  # reported like any refused file


def test_decompression_bomb_is_refused_from_the_header():
    # 81 million one-bit pixels compress to a few kilobytes
    bomb = encode(np.zeros((9000, 9000), dtype=bool), "PNG")
    assert len(bomb) < 200_000
    with pytest.raises(ImageRejected) as err:
        decode_image(bomb)
    assert err.value.code == "too_many_pixels"
    with pytest.raises(ImageRejected):
        decode_image(encode(picture(20, 20), "PNG"), limits=ImageLimits(max_pixels=100))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_files_are_refused_with_a_reason(fmt):
    data = encode(picture(256, 256), fmt)
    with pytest.raises(ImageRejected) as err:
        decode_image(data[: len(data) // 2], source="cut")
    assert err.value.code in ("truncated", "malformed")
    assert fmt in err.value.reason
    assert str(err.value).startswith("cut: ")


def test_png_with_a_corrupt_chunk_checksum_is_refused():
    data = bytearray(encode(picture(), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF  # a flipped byte inside the image data, CRC now wrong
    with pytest.raises(ImageRejected):
        decode_image(bytes(data))


def test_garbage_after_a_valid_header_is_malformed_not_a_crash():
    head = encode(picture(), "PNG")[:33]  # signature + IHDR only
    chunk = b"IDAT" + zlib.compress(b"\x00" * 10)
    with pytest.raises(ImageRejected):
        decode_image(head + len(chunk[4:]).to_bytes(4, "big") + chunk + b"\x00\x00\x00\x00")
    with pytest.raises(ImageRejected) as err:
        decode_image(b"")
    assert err.value.code == "empty"


def test_exif_orientation_is_not_trusted():
    arr = picture(80, 40)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees": ignored, pixels are taken as stored
    img = decode_image(encode(arr, "JPEG", exif=exif.tobytes()))
    assert img.rgb.shape == (40, 80, 3)


def test_transparency_16_bit_and_palette_images_become_rgb():
    rgba = np.zeros((10, 10, 4), dtype=np.uint8)
    rgba[..., 3] = 0  # fully transparent: composited on white
    assert (decode_image(encode(rgba, "PNG")).rgb == 255).all()
    deep = Image.fromarray(np.full((8, 8), 65535, dtype=np.uint16))
    buf = io.BytesIO()
    deep.save(buf, format="PNG")
    assert (decode_image(buf.getvalue()).rgb == 255).all()
    pal = Image.fromarray(picture()).convert("P")
    buf = io.BytesIO()
    pal.save(buf, format="PNG")
    assert decode_image(buf.getvalue()).rgb.shape == (48, 64, 3)


def test_profile_photo_paths_stay_inside_the_profiles_folder(tmp_path):
    inside = tmp_path / "data"
    inside.mkdir()
    (inside / "a.png").write_bytes(encode(picture(), "PNG"))
    (tmp_path / "secret.png").write_bytes(encode(picture(), "PNG"))
    assert load_profile_photo(inside, "a.png").width == 64
    for bad in ("../secret.png", "/etc/passwd", ""):
        with pytest.raises(ImageRejected) as err:
            resolve_inside(inside, bad)
        assert err.value.code == "bad_path"
    os.symlink(tmp_path / "secret.png", inside / "link.png")
    with pytest.raises(ImageRejected):
        load_profile_photo(inside, "link.png")
    with pytest.raises(ImageRejected) as err:
        load_profile_photo(inside, "missing.png")
    assert err.value.code == "unreadable"
