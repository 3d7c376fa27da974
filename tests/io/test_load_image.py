"""load_image: every format people upload decodes correctly; everything else is an ImageError."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from hostile_corpus import H, W, _photo, cases
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

import depthviz
from depthviz.io.images import load_image, oriented_size

CASES = cases()


@pytest.mark.parametrize("name", list(CASES))
def test_corpus_file_gives_the_expected_outcome(name):
    data, expected = CASES[name]
    if isinstance(expected, tuple):
        rgb = load_image(data)
        assert rgb.shape == (*expected, 3) and rgb.dtype == np.uint8 and rgb.flags.c_contiguous
    else:
        with pytest.raises(depthviz.ImageError, match=f"^{expected}"):
            load_image(data)


def test_image_error_is_a_value_error():
    assert issubclass(depthviz.ImageError, ValueError)


def test_exif_orientation_is_applied_in_the_right_direction():
    rgb = load_image(CASES["JPEG, EXIF orientation 6"][0])
    expected = np.rot90(_photo(), k=-1)  # orientation 6: rotate 90 degrees clockwise to view
    assert np.abs(rgb.astype(int) - expected).mean() < 3


def test_sixteen_bit_grey_keeps_its_high_byte():
    rgb = load_image(CASES["PNG, 16-bit grey"][0])
    expected = ((np.arange(H * W).reshape(H, W) * 20) >> 8).astype(np.uint8)
    np.testing.assert_array_equal(rgb[..., 0], expected)
    assert (rgb[..., 0] == rgb[..., 2]).all()


def test_transparency_is_flattened_onto_white():
    rgba = np.zeros((4, 4, 4), np.uint8)  # fully transparent black
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, "PNG")
    assert (load_image(buffer.getvalue()) == 255).all()


def test_cmyk_jpeg_colours_survive():
    rgb = load_image(CASES["JPEG, CMYK"][0])
    assert np.abs(rgb.astype(int) - _photo()).mean() < 8


def test_gif_gives_its_first_frame():
    rgb = load_image(CASES["GIF, animated (first frame)"][0])
    assert np.abs(rgb.astype(int) - _photo()).mean() < 12


def test_every_source_kind_decodes_the_same(tmp_path):
    data = CASES["PNG, 8-bit RGB"][0]
    (tmp_path / "photo.png").write_bytes(data)
    expected = load_image(data)
    for source in (bytearray(data), memoryview(data), tmp_path / "photo.png",
                   str(tmp_path / "photo.png"), io.BytesIO(data), Image.open(io.BytesIO(data))):
        np.testing.assert_array_equal(load_image(source), expected)


def test_missing_file_and_wrong_type_are_image_errors(tmp_path):
    with pytest.raises(depthviz.ImageError, match="No such image file"):
        load_image(tmp_path / "nope.jpg")
    with pytest.raises(depthviz.ImageError, match="Cannot read an image from a int"):
        load_image(42)


def test_pixel_limit_is_configurable(monkeypatch):
    data = CASES["PNG, 8-bit RGB"][0]
    with pytest.raises(depthviz.ImageError, match="the limit is"):
        load_image(data, max_pixels=H * W - 1)
    monkeypatch.setenv("DEPTHVIZ_MAX_PIXELS", str(H * W - 1))
    with pytest.raises(depthviz.ImageError):
        load_image(data)
    assert load_image(data, max_pixels=H * W).shape == (H, W, 3)


def test_pixel_bomb_is_refused_before_decoding(monkeypatch):
    """The 60000x60000 header must be refused without Pillow allocating its pixels."""
    calls = []
    monkeypatch.setattr(Image.Image, "load", lambda self: calls.append(self.size))
    with pytest.raises(depthviz.ImageError):
        load_image(CASES["pixel bomb PNG 60000x60000"][0])
    with pytest.raises(depthviz.ImageError):
        load_image(CASES["PNG 10000x9000 (90 MP, over the 80 MP limit)"][0])
    assert calls == []


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_decode_or_raise_image_error(data):
    try:
        rgb = load_image(data)
    except depthviz.ImageError:
        return
    assert rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.dtype == np.uint8


@settings(max_examples=60, deadline=None)
@given(height=st.integers(1, 40), width=st.integers(1, 40),
       fmt=st.sampled_from(["PNG", "BMP", "TIFF", "WEBP", "GIF", "JPEG"]),
       mode=st.sampled_from(["RGB", "L", "RGBA", "P"]), seed=st.integers(0, 2**16))
def test_any_valid_small_image_round_trips_its_size(height, width, fmt, mode, seed):
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    image = Image.fromarray(pixels).convert(mode)
    if fmt == "JPEG" and mode in ("RGBA", "P"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    rgb = load_image(buffer.getvalue())
    assert rgb.shape == (height, width, 3)
    if fmt in ("PNG", "BMP", "TIFF") and mode == "RGB":
        np.testing.assert_array_equal(rgb, pixels)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_fast_path_matches_pillow_for_every_exif_orientation(orientation):
    """Plain JPEGs are decoded by OpenCV; they must equal Pillow's decode + exif_transpose."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    Image.fromarray(_photo()).save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        expected = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    np.testing.assert_array_equal(load_image(buffer.getvalue()), expected)


def test_jpeg_with_trailing_bytes_still_decodes():
    data = CASES["JPEG"][0] + b"camera maker trailer"
    np.testing.assert_array_equal(load_image(data), load_image(CASES["JPEG"][0]))


def large_photo(width: int = 1600, height: int = 1200) -> np.ndarray:
    """A smooth photo large enough for JPEG's reduced decodes (gradients plus a pattern, so a
    wrong scale, orientation or colour order would show)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    return np.stack([x / width * 255, y / height * 255,
                     127 + 100 * np.sin(x / 37) * np.cos(y / 53)], axis=2).astype(np.uint8)


def jpeg_file(rgb: np.ndarray, orientation: int = 1, mode: str = "RGB") -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    Image.fromarray(rgb).convert(mode).save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize("min_side, reduction", [(100, 8), (150, 8), (151, 4), (300, 4),
                                                 (301, 2), (600, 2), (601, 1), (None, 1)])
def test_a_large_jpeg_is_decoded_reduced_to_the_side_asked(min_side, reduction):
    """JPEG DCT scaling: the largest of 1/8, 1/4, 1/2 keeping the shorter side >= min_side,
    and the same picture as the full decode shrunk."""
    photo = large_photo()
    rgb = load_image(jpeg_file(photo), min_side=min_side)
    assert rgb.shape == (1200 // reduction, 1600 // reduction, 3)
    shrunk = cv2.resize(photo, rgb.shape[1::-1], interpolation=cv2.INTER_AREA)
    assert np.abs(rgb.astype(int) - shrunk).mean() < 3


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_a_reduced_decode_keeps_the_exif_orientation(orientation):
    """The reduced decode is the full decode shrunk, turned the same way, and oriented_size
    gives the full decode's size from the header."""
    data = jpeg_file(large_photo(), orientation)
    full = load_image(data)
    reduced = load_image(data, min_side=300)
    assert oriented_size(data) == full.shape[:2]
    assert reduced.shape == (full.shape[0] // 4, full.shape[1] // 4, 3)
    shrunk = cv2.resize(full, reduced.shape[1::-1], interpolation=cv2.INTER_AREA)
    assert np.abs(reduced.astype(int) - shrunk).mean() < 3


def test_the_pillow_path_reduces_too_and_other_formats_never():
    """A CMYK JPEG (decoded by Pillow, with draft mode) is reduced like the rest; a PNG, which
    has no reduced decode, comes at full size whatever min_side says."""
    cmyk = load_image(jpeg_file(large_photo(), mode="CMYK"), min_side=300)
    assert cmyk.shape == (300, 400, 3)
    buffer = io.BytesIO()
    Image.fromarray(large_photo()).save(buffer, "PNG")
    assert load_image(buffer.getvalue(), min_side=100).shape == (1200, 1600, 3)
