"""`depthviz.heatmap_png`: the downloaded heatmap is a palette PNG with exactly colorize's
pixels."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from PIL import Image

import depthviz
from depthviz.outputs.colorize import colormap_lut
from depthviz.outputs.png import palette_png


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png), formats=["PNG"])
    image.load()  # verifies every chunk's CRC and the zlib stream's checksum
    return image


def smooth_depth(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A depth-like map: a slope plus bumps, so neighbouring rows differ a little."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    bumps = np.sin(x / rng.uniform(20, 60)) * np.cos(y / rng.uniform(20, 60))
    return (3.0 + y / height + 0.3 * bumps + 0.01 * rng.random((height, width))).astype(np.float32)


@pytest.mark.parametrize("cmap", ["inferno", "viridis", "gray", "twilight", "tab10", "jet"])
@pytest.mark.parametrize("invert", [False, True])
def test_decodes_to_exactly_colorizes_pixels(cmap, invert):
    depth = smooth_depth(257, 411)
    image = decoded(depthviz.heatmap_png(depth, cmap, invert))
    assert image.mode == "P" and image.size == (411, 257)
    np.testing.assert_array_equal(np.asarray(image.convert("RGB")),
                                  depthviz.colorize(depth, cmap, invert))


def test_large_maps_split_into_parallel_strips_still_decode_exactly():
    depth = smooth_depth(1501, 1203, seed=3)  # several strips; odd sizes so strips are uneven
    image = decoded(depthviz.heatmap_png(depth, "magma"))
    np.testing.assert_array_equal(np.asarray(image.convert("RGB")),
                                  depthviz.colorize(depth, "magma"))


@pytest.mark.parametrize("depth", [
    np.full((40, 30), 2.5, np.float32),  # constant: one colour, no division by zero
    np.where(np.eye(50, 60, dtype=bool), np.nan, smooth_depth(50, 60)).astype(np.float32),
    np.array([[np.nan, np.inf, -np.inf, 0.0, 1.0, 2.0]], np.float32),
    np.full((3, 4), np.nan, np.float32),
], ids=["constant", "nan-diagonal", "non-finite-row", "all-nan"])
@pytest.mark.parametrize("invert", [False, True])
def test_constant_and_non_finite_maps_match_colorize(depth, invert):
    image = decoded(depthviz.heatmap_png(depth, "plasma", invert))
    np.testing.assert_array_equal(np.asarray(image.convert("RGB")),
                                  depthviz.colorize(depth, "plasma", invert))


def test_a_fixed_value_range_colours_like_colorize_with_that_range():
    depth = smooth_depth(60, 80)
    png = depthviz.heatmap_png(depth, "inferno", value_range=(3.2, 3.6))
    np.testing.assert_array_equal(np.asarray(decoded(png).convert("RGB")),
                                  depthviz.colorize(depth, "inferno", value_range=(3.2, 3.6)))


def test_file_is_an_8_bit_palette_png_whose_palette_is_the_colormap():
    png = depthviz.heatmap_png(smooth_depth(20, 30), "cividis")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    bit_depth, colour_type = png[24], png[25]
    assert (bit_depth, colour_type) == (8, 3)  # 8-bit indexed colour
    palette = np.array(decoded(png).getpalette()[:768], np.uint8).reshape(256, 3)
    np.testing.assert_array_equal(palette, colormap_lut("cividis").reshape(256, 3))


def test_palette_png_stores_the_indices_unchanged_through_any_decoder():
    indices = np.random.default_rng(5).integers(0, 7, (333, 1000), dtype=np.uint8)  # many strips
    palette = np.arange(21, dtype=np.uint8).reshape(7, 3)
    image = decoded(palette_png(indices, palette))
    np.testing.assert_array_equal(np.asarray(image), indices)


def test_the_zlib_stream_of_joined_strips_is_valid_with_its_checksum():
    """zlib itself (not only Pillow) inflates the joined strips and checks their adler32."""
    indices = np.random.default_rng(6).integers(0, 256, (700, 900), dtype=np.uint8)
    png = palette_png(indices, np.zeros((256, 3), np.uint8))
    start = png.index(b"IDAT") + 4
    length = int.from_bytes(png[start - 8:start - 4], "big")
    raw = np.frombuffer(zlib.decompress(png[start:start + length]), np.uint8).reshape(700, 901)
    assert (raw[:, 0] == 2).all()  # every row "up"-filtered
    np.testing.assert_array_equal(np.cumsum(raw[:, 1:], axis=0, dtype=np.uint8), indices)


def test_heatmap_is_smaller_than_the_rgb_png_of_the_same_pixels():
    import cv2

    depth = smooth_depth(600, 800)
    rgb_png = cv2.imencode(".png", depthviz.colorize(depth)[:, :, ::-1],
                           [cv2.IMWRITE_PNG_COMPRESSION, 1])[1]
    assert len(depthviz.heatmap_png(depth)) < len(rgb_png)


def test_bad_inputs_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="non-empty"):
        palette_png(np.zeros((0, 5), np.uint8), np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match="256"):
        palette_png(np.zeros((2, 2), np.uint8), np.zeros((300, 3), np.uint8))
    with pytest.raises(depthviz.UnknownColormap):
        depthviz.heatmap_png(np.zeros((2, 2), np.float32), "no-such-map")
