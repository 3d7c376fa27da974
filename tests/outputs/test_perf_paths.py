"""The lean pre/post-processing computes what the official recipe does (speed: see bench/)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depthviz.io.resize import fit_to_multiple, resize_image
from depthviz.outputs.colorize import colour_levels, normalize

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench.py"


def load_bench():
    """bench/bench.py holds the official recipe (the benchmark's baseline, not library code)."""
    spec = importlib.util.spec_from_file_location("depthviz_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@settings(max_examples=40, deadline=None)
@given(height=st.integers(1, 1500), width=st.integers(1, 1500), seed=st.integers(0, 2**16))
def test_resize_image_is_opencvs_float_cubic(height, width, seed):
    rgb = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    size = fit_to_multiple(height, width, 256, 32)
    expected = cv2.resize(rgb.astype(np.float32), size[::-1], interpolation=cv2.INTER_CUBIC)
    got = resize_image(rgb, size)
    assert got.dtype == np.float32 and got.shape == (*size, 3)
    assert np.abs(got - expected).max() < 1e-3  # grey levels out of 255


def real_photos_at_12_mp():
    from skimage import data

    for rgb in (data.coffee()[:, :533], data.rocket()[:, :569]):
        yield cv2.resize(rgb, (4000, 3000), interpolation=cv2.INTER_CUBIC)
    yield cv2.resize(data.chelsea()[:, 76:376], (3000, 4000), interpolation=cv2.INTER_CUBIC)


@pytest.mark.slow
def test_12_mp_photos_give_the_official_recipes_depth(midas_torch):
    """Seeded weights make a network that magnifies any change of its input (0.1 grey level of
    noise costs ~1% of Pearson), so passing here means the same arithmetic, not just similar."""
    bench = load_bench()
    module = midas_torch.engine.module
    for rgb in real_photos_at_12_mp():
        ours = midas_torch.predict(rgb)
        official = bench.official_recipe(module, rgb)
        assert ours.shape == official.shape == rgb.shape[:2]
        assert np.corrcoef(ours.ravel(), official.ravel())[0, 1] > 0.999
        assert np.abs(ours - official).max() < 1e-3 * np.ptp(official)


@pytest.mark.parametrize("invert", [False, True])
@pytest.mark.parametrize("value_range", [None, (4.0, 8.0)])
def test_colour_levels_are_normalize_scaled_and_rounded(invert, value_range):
    depth = (np.random.default_rng(1).random((300, 400)) * 7 + 3).astype(np.float32)
    unit = normalize(depth, value_range)
    expected = ((1.0 - unit if invert else unit) * 255.0 + 0.5).astype(np.uint8)
    got = colour_levels(depth, value_range, invert)
    difference = np.abs(got.astype(int) - expected)
    assert difference.max() <= 1 and (difference > 0).mean() < 1e-3  # only at rounding ties
    assert got.dtype == np.uint8 and got.shape == depth.shape


def test_colour_levels_of_non_finite_maps_follow_normalize():
    depth = np.array([[np.nan, np.inf, -np.inf, 0.0, 1.0, 2.0]], np.float32)
    np.testing.assert_array_equal(colour_levels(depth), [[0, 255, 0, 0, 128, 255]])
    np.testing.assert_array_equal(colour_levels(depth, invert=True), [[255, 0, 255, 255, 128, 0]])
