"""depthviz.outputs.display: previews, the wipe and blend views, legends and content hashes."""

from __future__ import annotations

import numpy as np
import pytest

from depthviz import colorize
from depthviz.outputs.colorize import colormap_lut
from depthviz.outputs.display import PREVIEW_SIDE, blend, content_hash, fit_within, legend, wipe


def test_large_photo_and_its_depth_get_the_same_preview_size(coffee):
    photo = np.ascontiguousarray(np.tile(coffee, (10, 10, 1)))  # 6000 x 4000
    depth = photo[..., 0].astype(np.float32)
    small_photo, small_depth = fit_within(photo), fit_within(depth)
    assert small_photo.shape == (853, PREVIEW_SIDE, 3) and small_photo.dtype == np.uint8
    assert small_depth.shape == (853, PREVIEW_SIDE) and small_depth.dtype == np.float32


def test_previews_average_rather_than_drop_pixels():
    stripes = np.zeros((2000, 4000), np.float32)
    stripes[:, ::2] = 1.0  # one-pixel stripes: sampling would give all 0 or all 1
    preview = fit_within(stripes, 1000)
    assert preview.shape == (500, 1000)
    np.testing.assert_allclose(preview, 0.5, atol=1e-6)


def test_small_images_are_never_upscaled_and_slivers_survive():
    small = np.zeros((300, 400, 3), np.uint8)
    assert fit_within(small) is small
    assert fit_within(np.ones((3, 5000), np.float32)).shape == (1, PREVIEW_SIDE)


def test_wipe_puts_the_left_image_left_of_the_seam_with_a_divider():
    left = np.full((10, 1000, 3), 10, np.uint8)
    right = np.full((10, 1000, 3), 200, np.uint8)
    view = wipe(left, right, 0.3)
    assert (view[:, :298] == 10).all() and (view[:, 302:] == 200).all()
    assert (view[:, 299:301] == 255).all()
    assert (wipe(left, right, 0.0) == right).all()
    assert (wipe(left, right, 1.0) == left).all()
    assert (wipe(left, right, 7.0) == left).all()  # clamped, not an index error


def test_blend_weights_the_overlay_by_alpha():
    base = np.full((4, 4, 3), 100, np.uint8)
    overlay = np.full((4, 4, 3), 200, np.uint8)
    assert (blend(base, overlay, 0.0) == 100).all()
    assert (blend(base, overlay, 1.0) == 200).all()
    assert (blend(base, overlay, 0.25) == 125).all()


@pytest.mark.parametrize("view", [wipe, blend])
def test_views_refuse_mismatched_images(view):
    with pytest.raises(ValueError, match="differ in shape"):
        view(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 5, 3), np.uint8), 0.5)


def test_legend_runs_from_far_to_near_in_the_heatmap_colours():
    lut = colormap_lut("inferno")[:, 0]
    bar = legend("inferno", width=256, height=3)
    assert bar.shape == (3, 256, 3)
    np.testing.assert_array_equal(bar[1], lut)  # left = far = low end, right = near = high end
    np.testing.assert_array_equal(legend("inferno", invert=True, width=256)[0], lut[::-1])
    depth = np.linspace(0.0, 1.0, 256, dtype=np.float32)[None]
    np.testing.assert_array_equal(bar[:1], colorize(depth, "inferno"))


def test_content_hash_names_contents():
    assert content_hash(b"photo") == content_hash(bytes(bytearray(b"photo")))
    assert content_hash(b"photo") != content_hash(b"photo ")
    assert len(content_hash(b"")) == 32
