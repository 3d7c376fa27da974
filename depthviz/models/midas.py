"""MiDaS v2.1 small (Intel ISL): the default model, faithful to the official checkpoint.

Pre/post-processing is the published PyTorch Hub `small_transform` recipe: fit inside 256x256
keeping aspect ratio with sides a multiple of 32, bicubic resize, ImageNet normalisation;
the output is bicubic-resized back to the photo's size. It is already inverse depth.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from depthviz.engines.base import Engine
from depthviz.io.resize import fit_to_multiple, resize_depth, resize_image
from depthviz.io.weights import WeightsSource
from depthviz.models.card import ModelCard
from depthviz.models.family import ModelFamily
from depthviz.models.imagenet import imagenet_batch

if TYPE_CHECKING:
    import openvino

#: Network input sides must be multiples of this (the backbone downsamples 32 times).
MULTIPLE = 32
_WEIGHTS_URL = "https://github.com/isl-org/MiDaS/releases/download/v2_1/midas_v21_small_256.pt"

MIDAS_SMALL = ModelCard(
    name="midas_small",
    title="MiDaS v2.1 small",
    family="midas",
    description="MiDaS v2.1 small (Intel ISL, MIT): 21 M parameters, 256 px, general scenes",
    licence="MIT",
    non_commercial=False,
    parameters=21_320_545,
    weights=WeightsSource(
        filename="midas_v21_small_256.pt",
        origin=_WEIGHTS_URL,
        url=_WEIGHTS_URL,
        sha256=None,  # upstream publishes none; the hash is recorded when we write the file
        torch_hub_file=True,
    ),
    input_size=256,
    input_multiple=MULTIPLE,
    metric=False,
    max_depth_m=None,
    camera=False,
    engines=("openvino", "torch"),
    reference_engine="torch",
)


class Midas(ModelFamily):
    name = "midas"
    cards = (MIDAS_SMALL,)

    def network_size(self, card: ModelCard, height: int, width: int) -> tuple[int, int]:
        return fit_to_multiple(height, width, card.input_size, MULTIPLE)

    def preprocess(self, card: ModelCard, rgb: np.ndarray) -> np.ndarray:
        return imagenet_batch(resize_image(rgb, self.network_size(card, *rgb.shape[:2])))

    def postprocess(self, card: ModelCard, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        return resize_depth(raw, size)

    def build_reference_engine(self, card: ModelCard, weights_path: Path) -> Engine:
        from depthviz.engines.torch_engine import TorchEngine
        from depthviz.models.midas_net import load_midas_small

        return TorchEngine(load_midas_small(str(weights_path)))

    def to_openvino(self, card: ModelCard, weights_path: Path) -> openvino.Model:
        """Traced by torch at the card's square input size; height and width left dynamic."""
        import torch

        from depthviz.engines.openvino_engine import import_openvino
        from depthviz.models.midas_net import load_midas_small

        side = card.input_size
        return import_openvino().convert_model(
            load_midas_small(str(weights_path)), example_input=torch.zeros(1, 3, side, side),
            input=[1, 3, -1, -1])
