"""Degenerate photos, many threads at once, hundreds of requests: every model and engine."""

from __future__ import annotations

import gc
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import depthviz
from depthviz.models import get_card

#: Models with weights here (Depth Anything V2: tests/models/test_depth_anything_v2.py, seeded).
ROBUST_MODELS = ("midas_small", "fastdepth")
ENGINES = [(name, engine) for name in ROBUST_MODELS for engine in get_card(name).engines]
_loaded: dict = {}


@pytest.fixture(params=ENGINES, ids=[f"{n}-{e}" for n, e in ENGINES])
def model(request, seeded_midas_weights):
    """Each (model, engine) pair once per session; MiDaS runs on the seeded weights."""
    name, engine = request.param
    if request.param not in _loaded:
        weights = seeded_midas_weights if name == "midas_small" else None
        _loaded[request.param] = depthviz.load_model(name, weights=weights, engine=engine)
    return _loaded[request.param]


DEGENERATE = {
    "1x1": np.full((1, 1, 3), 127, np.uint8),
    "2x3": np.arange(18, dtype=np.uint8).reshape(2, 3, 3),
    "4000x6 sliver": np.full((6, 4000, 3), 90, np.uint8),
    "6x4000 sliver": np.full((4000, 6, 3), 90, np.uint8),
    "constant colour": np.full((120, 160, 3), (30, 140, 200), np.uint8),
    "all black": np.zeros((64, 64, 3), np.uint8),
    "all white": np.full((64, 64, 3), 255, np.uint8),
}


@pytest.mark.parametrize("kind", list(DEGENERATE))
def test_degenerate_photos_give_finite_depth_of_the_same_size(model, kind):
    rgb = DEGENERATE[kind]
    depth = model.predict(rgb)
    assert depth.shape == rgb.shape[:2] and depth.dtype == np.float32
    assert np.isfinite(depth).all()
    heat = depthviz.colorize(depth)
    assert heat.shape == rgb.shape and heat.dtype == np.uint8


def test_a_flat_prediction_colours_uniformly(model):
    depth = model.predict(DEGENERATE["1x1"])
    heat = depthviz.colorize(depth)
    assert (heat == heat[0, 0]).all()


def test_eight_threads_get_exactly_what_a_lone_caller_gets(model, coffee, motorcycle):
    photos = [coffee, motorcycle[0], coffee[::-1].copy(), coffee[:200, :333].copy()]
    alone = [model.predict(photo) for photo in photos]
    start = threading.Barrier(8)

    def work(index: int) -> list[np.ndarray]:
        start.wait()
        return [model.predict(photos[(index + k) % len(photos)]) for k in range(len(photos))]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(8)))
    for index, depths in enumerate(results):
        for k, depth in enumerate(depths):
            np.testing.assert_array_equal(depth, alone[(index + k) % len(photos)])


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_hundreds_of_requests_do_not_grow_memory(model, coffee):
    """300 predictions + heatmaps: RSS after warm-up may not keep climbing.

    A leak of one 400x600 depth map per call (~1 MB) would add ~250 MB and fail.
    """
    photo = coffee[:300, :400].copy()
    for _ in range(50):
        depthviz.colorize(model.predict(photo))
    gc.collect()
    before = _rss_mb()
    for _ in range(250):
        depthviz.colorize(model.predict(photo))
    gc.collect()
    growth = _rss_mb() - before
    print(f"\n{model.name}/{model.engine_name}: RSS {before:.0f} MB -> +{growth:.1f} MB "
          "over 250 requests")
    assert growth < 60
