"""MiDaS v2.1 small (Intel ISL): the default model, faithful to the official checkpoint.

Pre/post-processing is the published PyTorch Hub `small_transform` recipe: fit inside 256x256
keeping aspect ratio with sides a multiple of 32, bicubic resize, ImageNet normalisation;
the output is bicubic-resized back to the photo's size. It is already inverse depth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from depthviz.engines.base import Engine
from depthviz.io.resize import fit_to_multiple, resize_depth, resize_image
from depthviz.io.weights import WeightsSource
from depthviz.models.base import ModelFamily

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def imagenet_batch(resized: np.ndarray) -> np.ndarray:
    """HxWx3 float32 (0..255) -> 1x3xHxW ImageNet-normalised network input."""
    # (x / 255 - mean) / std as one multiply-add in float32 (the recipes use float64).
    scale = 1.0 / (255.0 * IMAGENET_STD)
    normalised = resized * scale - IMAGENET_MEAN / IMAGENET_STD
    return np.ascontiguousarray(normalised.transpose(2, 0, 1)[None], dtype=np.float32)


class MidasSmall(ModelFamily):
    name = "midas_small"
    title = "MiDaS v2.1 small"
    licence = "MIT"
    parameters = 21_320_545
    description = "MiDaS v2.1 small (Intel ISL, MIT): 21 M parameters, 256 px, general scenes"
    weights = WeightsSource(
        filename="midas_v21_small_256.pt",
        origin="https://github.com/isl-org/MiDaS/releases/download/v2_1/midas_v21_small_256.pt",
        url="https://github.com/isl-org/MiDaS/releases/download/v2_1/midas_v21_small_256.pt",
        sha256=None,  # upstream publishes none; the hash is recorded when we write the file
        torch_hub_file=True,
    )
    engines = ("openvino", "torch")
    reference_engine = "torch"
    input_size = 256
    input_multiple = 32

    def network_size(self, height: int, width: int) -> tuple[int, int]:
        return fit_to_multiple(height, width, self.input_size, self.input_multiple)

    def preprocess(self, rgb: np.ndarray) -> np.ndarray:
        return imagenet_batch(resize_image(rgb, self.network_size(*rgb.shape[:2])))

    def postprocess(self, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        return resize_depth(raw, size)

    def build_engine(self, engine: str, weights_path: Path) -> Engine:
        if engine == "torch":
            from depthviz.engines.torch_engine import TorchEngine
            from depthviz.models.midas_net import load_midas_small

            return TorchEngine(load_midas_small(str(weights_path)))
        if engine == "openvino":
            from depthviz.engines import openvino_engine

            return openvino_engine.load(self, weights_path)
        raise self.unsupported(engine)

    def to_openvino(self, weights_path: Path):
        """The network as an openvino.Model with dynamic height and width (needs torch)."""
        import torch

        from depthviz.engines.openvino_engine import import_openvino
        from depthviz.models.midas_net import load_midas_small

        side = self.input_size
        return import_openvino().convert_model(
            load_midas_small(str(weights_path)), example_input=torch.zeros(1, 3, side, side),
            input=[1, 3, -1, -1])
