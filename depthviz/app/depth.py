"""A photo's depth map under a loaded model, computed once per (photo content, model, engine,
input size, precision) and cached in memory; and the caption lines that say how it was made."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Optional

import numpy as np
import streamlit as st

from depthviz.app import timings
from depthviz.app.photos import CACHE_SECONDS, Photo, PhotoView, pixels
from depthviz.models.depth_model import DepthModel
from depthviz.outputs.colorize import ValueRange, colorize, depth_range
from depthviz.outputs.display import fit_within


@dataclass(frozen=True)
class PhotoDepth:
    """A photo's depth map at its full resolution, its preview and how it was made."""

    depth: np.ndarray  # HxW float32, larger = nearer
    preview: np.ndarray  # the same map at the photo preview's size
    value_range: ValueRange  # of the full map, so previews are coloured exactly like downloads
    model: str  # the model's title, e.g. "FastDepth"
    engine: str
    seconds: float  # model.predict wall time, on a warmed-up model
    cached: bool = False  # True when this page run reused an earlier computation
    metric: bool = False  # depth is 1/metres: raw downloads hold millimetres / metres

    def heatmap_preview(self, cmap: str, invert: bool,
                        max_side: Optional[int] = None) -> np.ndarray:
        depth = self.preview if max_side is None else fit_within(self.preview, max_side)
        return colorize(depth, cmap, invert, value_range=self.value_range)


def model_key(model: DepthModel) -> tuple:
    """What makes two loaded models give different depth maps (the depth cache's key)."""
    return model.name, model.engine_name, model.input_size, model.engine.precision


#: Set in the thread of a script run when `_depth` really computed (a cache hit skips its body).
_computed = threading.local()


@st.cache_data(max_entries=32, ttl=CACHE_SECONDS, show_spinner="Estimating depth…")
def _depth(digest: str, key: tuple, _photo: Photo, _model: DepthModel) -> PhotoDepth:
    rgb = pixels(_photo)
    start = time.perf_counter()
    depth = _model.predict(rgb)
    seconds = time.perf_counter() - start
    timings.record(_model.name, _model.engine_name, seconds)  # for the Models page
    _computed.flag = True
    return PhotoDepth(depth, fit_within(depth), depth_range(depth), _model.card.title,
                      _model.engine_name, seconds, metric=_model.metric)


def depth_of(photo: Photo, model: DepthModel) -> PhotoDepth:
    """The photo's depth map, computed once per (photo content, model, engine, input size);
    `cached` says whether this call reused it."""
    _computed.flag = False
    result = _depth(photo.digest, model_key(model), photo, model)
    return result if _computed.flag else replace(result, cached=True)


def timing(result: PhotoDepth) -> str:
    """"depth in 21 ms" (a warm run: models are warmed up when loaded), and whether that was
    now or an earlier run reused from the cache."""
    took = f"depth in {result.seconds * 1000:.0f} ms"
    return f"{took} (earlier; reused from the cache)" if result.cached else took


def summary(view: PhotoView, result: PhotoDepth) -> str:
    """One caption line: model, engine, inference time, photo size and preview size."""
    height, width = view.preview.shape[:2]
    size = f"{view.width}×{view.height} px"
    if (width, height) != (view.width, view.height):
        size += f", shown at {width}×{height}"
    return f"**{result.model}** on {result.engine} · {timing(result)} · {size}"
