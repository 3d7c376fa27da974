"""depthviz.outputs.compare: two models' depth maps fitted by least squares, then their
difference."""

from __future__ import annotations

import numpy as np
import pytest

from depthviz.outputs.colorize import colormap_lut
from depthviz.outputs.compare import DIFFERENCE_COLORMAP, align, depth_difference


def ramp(height: int = 60, width: int = 90) -> np.ndarray:
    rows = np.linspace(0.2, 5.0, height, dtype=np.float32)[:, None]
    cols = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    return rows + cols


def test_scale_and_shift_are_recovered_exactly():
    reference = ramp()
    other = (reference - 3.0) / 2.5  # same shape of depth, another model's scale and shift
    scale, shift = align(reference, other)
    assert scale == pytest.approx(2.5, rel=1e-6)
    assert shift == pytest.approx(3.0, rel=1e-6)
    result = depth_difference(reference, other)
    assert np.abs(result.difference).max() < 1e-5
    assert result.median < 1e-5


def test_a_region_the_other_model_puts_nearer_is_red_and_the_rest_stays_pale():
    reference = ramp()
    other = 0.5 * reference + 1.0
    other[20:30, 40:60] += 1.5  # the second model thinks this block is much nearer
    result = depth_difference(reference, other)
    block = result.difference[20:30, 40:60]
    rest = np.ones_like(result.difference, dtype=bool)
    rest[20:30, 40:60] = False
    assert block.min() > 0.3  # in units of the reference's depth range
    assert np.abs(result.difference[rest]).max() < 0.2 * block.min()
    assert result.median < 0.1 * block.min()

    heatmap = result.heatmap().astype(int)
    red, green, blue = np.moveaxis(heatmap, 2, 0)
    assert (red[20:30, 40:60] - blue[20:30, 40:60]).min() > 60  # red (dark red at the end)
    assert (red[20:30, 40:60] - green[20:30, 40:60]).min() > 60
    lut = colormap_lut(DIFFERENCE_COLORMAP).reshape(256, 3).astype(int)
    middle = lut[128]
    assert middle.min() > 200  # the diverging map is pale in the middle
    pale = np.abs(heatmap[rest] - middle).max(axis=1)
    assert np.median(pale) < 40


def test_farther_is_blue():
    reference = ramp()
    other = reference.copy()
    other[:10, :10] -= 2.0
    heatmap = depth_difference(reference, other).heatmap().astype(int)
    assert (heatmap[:10, :10, 2] - heatmap[:10, :10, 0]).min() > 60


def test_flat_other_map_and_non_finite_pixels_do_not_break_it():
    reference = ramp()
    flat = np.full_like(reference, 7.0)
    assert align(reference, flat) == (0.0, pytest.approx(float(reference.mean()), rel=1e-6))
    other = reference * 2.0
    other[0, 0] = np.nan
    reference_with_inf = reference.copy()
    reference_with_inf[1, 1] = np.inf
    result = depth_difference(reference_with_inf, other)
    assert np.isfinite(result.difference).all()
    assert result.scale == pytest.approx(0.5, rel=1e-5)


def test_maps_of_different_shapes_are_refused():
    with pytest.raises(ValueError, match="differ in shape"):
        align(ramp(60, 90), ramp(90, 60))
