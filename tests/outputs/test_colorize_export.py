"""Colour heatmaps and the download encoders."""

from __future__ import annotations

import io

import cv2
import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import depthviz
from depthviz.outputs.colorize import PERCEPTUAL_COLORMAPS, colormap_names, normalize
from depthviz.outputs.export import depth16_png, depth_npy, heatmap_png

RAMP = np.tile(np.linspace(0.0, 10.0, 256, dtype=np.float32), (4, 1))


def test_colours_are_matplotlibs_and_larger_is_the_high_end():
    heat = depthviz.colorize(RAMP, cmap="inferno")
    expected = np.round(matplotlib.colormaps["inferno"](np.linspace(0, 1, 256))[:, :3] * 255)
    np.testing.assert_array_equal(heat[0], expected.astype(np.uint8))
    assert heat[0, -1].tolist() == [252, 255, 164]  # nearest = inferno's pale yellow (warm)


def test_invert_mirrors_the_colormap():
    np.testing.assert_array_equal(depthviz.colorize(RAMP, invert=True),
                                  depthviz.colorize(RAMP)[:, ::-1])


def test_every_listed_colormap_works_and_perceptual_ones_come_first():
    names = colormap_names()
    assert tuple(names[:len(PERCEPTUAL_COLORMAPS)]) == PERCEPTUAL_COLORMAPS
    assert len(names) == len(set(names)) > 50
    for name in names:
        heat = depthviz.colorize(RAMP, cmap=name)
        assert heat.shape == (4, 256, 3) and heat.dtype == np.uint8
    depthviz.colorize(RAMP, cmap="viridis_r")  # reversed names are accepted too


def test_unknown_colormap_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown colormap 'nope'"):
        depthviz.colorize(RAMP, cmap="nope")


@pytest.mark.parametrize("value", [0.0, 3.5, -2.0, 1e30])
def test_a_flat_depth_map_gives_a_uniform_heatmap(value):
    heat = depthviz.colorize(np.full((5, 7), value, np.float32))
    assert (heat == heat[0, 0]).all()


def test_non_finite_values_never_produce_nan_or_crash():
    depth = RAMP.copy()
    depth[0, :10] = np.nan
    depth[1, :10] = np.inf
    depth[2, :10] = -np.inf
    unit = normalize(depth)
    assert np.isfinite(unit).all() and unit.min() >= 0 and unit.max() <= 1
    assert depthviz.colorize(np.full((3, 3), np.nan, np.float32)).shape == (3, 3, 3)


def test_fixed_value_range_keeps_colours_stable():
    brighter = depthviz.colorize(RAMP[:, :128], value_range=(0.0, 10.0))
    np.testing.assert_array_equal(brighter,
                                  depthviz.colorize(RAMP, value_range=(0.0, 10.0))[:, :128])


def test_heatmap_png_round_trips_in_rgb_order():
    heat = depthviz.colorize(RAMP, cmap="plasma")
    png = heatmap_png(RAMP, cmap="plasma")
    decoded = cv2.cvtColor(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR),
                           cv2.COLOR_BGR2RGB)
    np.testing.assert_array_equal(decoded, heat)


def test_depth16_png_is_normalised_single_channel_16_bit():
    decoded = cv2.imdecode(np.frombuffer(depth16_png(RAMP), np.uint8), cv2.IMREAD_UNCHANGED)
    assert decoded.dtype == np.uint16 and decoded.shape == RAMP.shape
    assert decoded.min() == 0 and decoded.max() == 65535
    assert (np.diff(decoded[0].astype(int)) > 0).all()  # larger depth value = larger level


def test_npy_round_trips_exactly():
    restored = np.load(io.BytesIO(depth_npy(RAMP)), allow_pickle=False)
    assert restored.dtype == np.float32
    np.testing.assert_array_equal(restored, RAMP)

ANY_FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=32)


@settings(max_examples=200, deadline=None)
@given(depth=arrays(np.float32, st.tuples(st.integers(1, 30), st.integers(1, 30)),
                    elements=ANY_FLOATS),
       cmap=st.sampled_from(["inferno", "viridis", "gray", "turbo", "RdBu"]), invert=st.booleans())
def test_colorize_never_fails_on_any_float_array(depth, cmap, invert):
    heat = depthviz.colorize(depth, cmap=cmap, invert=invert)
    assert heat.shape == (*depth.shape, 3) and heat.dtype == np.uint8


@settings(max_examples=200, deadline=None)
@given(depth=arrays(np.float32, st.tuples(st.integers(1, 20), st.integers(2, 20)),
                    elements=st.floats(-1e6, 1e6, width=32)))
def test_normalisation_preserves_order_and_spans_zero_to_one(depth):
    unit = normalize(depth)
    order = np.argsort(depth, axis=None, kind="stable")
    assert (np.diff(unit.ravel()[order]) >= 0).all()
    if depth.max() > depth.min():
        assert unit.min() == 0.0 and unit.max() == pytest.approx(1.0)
    else:
        assert (unit == unit.flat[0]).all()
