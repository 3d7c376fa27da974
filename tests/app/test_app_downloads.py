"""The app's raw-depth downloads follow the library's units: a metric model's 16-bit PNG holds
millimetres and its .npy metres, exactly as `depthviz predict` writes them."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest

from depthviz.app.depth import PhotoDepth
from depthviz.app.downloads import downloads
from depthviz.app.photos import Photo
from depthviz.outputs.colorize import depth_range


def result_for(depth: np.ndarray, metric: bool) -> PhotoDepth:
    return PhotoDepth(depth, depth, depth_range(depth), "Test model", "torch", 0.01,
                      metric=metric)


@pytest.fixture
def metres() -> np.ndarray:
    rows = np.linspace(0.5, 12.0, 30, dtype=np.float32)[:, None]
    return np.repeat(rows, 40, axis=1)


def by_label(photo: Photo, result: PhotoDepth) -> dict[str, bytes]:
    return {d.label: d.make() for d in downloads(photo, result, "inferno", False)}


def test_metric_downloads_hold_millimetres_and_metres(metres):
    files = by_label(Photo.example("coffee.png"), result_for(1.0 / metres, metric=True))
    png = cv2.imdecode(np.frombuffer(files["16-bit depth PNG"], np.uint8), cv2.IMREAD_UNCHANGED)
    assert png.dtype == np.uint16
    np.testing.assert_allclose(png, np.round(metres * 1000), atol=1)
    np.testing.assert_allclose(np.load(io.BytesIO(files["Depth .npy"])), metres, rtol=1e-6)


def test_relative_downloads_stay_normalised(metres):
    inverse = 1.0 / metres
    files = by_label(Photo.example("coffee.png"), result_for(inverse, metric=False))
    png = cv2.imdecode(np.frombuffer(files["16-bit depth PNG"], np.uint8), cv2.IMREAD_UNCHANGED)
    assert png.max() == 65535 and png.min() == 0
    np.testing.assert_array_equal(np.load(io.BytesIO(files["Depth .npy"])), inverse)
