"""Depth Anything V2 (relative and metric, Small/Base/Large), faithful to the official code.

Pre/post-processing is the official `infer_image` recipe: the float photo resized with OpenCV's
cubic filter so that both sides are at least `input_size` (518) and multiples of 14 (numpy's
round half to even, "lower_bound"), ImageNet normalisation, and the output resized back to the
photo with bilinear align_corners=True. The recipe works in float64; float32 gives the same
result (differences below 1e-6 of the range, see the reference README).

Output conventions (depthviz): relative models return the official disparity (larger =
nearer). Metric models (Hypersim indoor, max 20 m; Virtual KITTI outdoor, max 80 m) return
1/metres from predict(); predict_metres() gives metres.

Licences: Small and metric Small Apache-2.0; Base and Large (and their metric fine-tunes)
CC-BY-NC-4.0, non-commercial: never a default, and loading one logs it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import numpy as np

from depthviz.engines.base import Engine
from depthviz.io.resize import (
    fit_to_multiple,
    lower_bound_to_multiple,
    resize_depth_aligned,
    resize_image,
)
from depthviz.io.weights import WeightsSource
from depthviz.models.card import ModelCard
from depthviz.models.family import ModelFamily
from depthviz.models.imagenet import imagenet_batch

if TYPE_CHECKING:
    import openvino
    import torch

#: Metres below this are treated as this, so 1/metres stays finite (Sigmoid can reach 0).
MIN_METRES = 1e-3
NON_COMMERCIAL = "CC-BY-NC-4.0"
#: The official input side, and the ViT's patch size its sides must be multiples of.
INPUT_SIZE = 518
PATCH = 14
#: The recipe scales the SHORT side to input_size, so a long sliver would make an unbounded
#: network input (attention grows with its square). Beyond this many times input_size**2
#: pixels (a 3:1 panorama) the photo is fitted inside MAX_ELONGATION * input_size instead.
MAX_ELONGATION = 3


@dataclass(frozen=True)
class Size:
    """One encoder size of the upstream `model_configs`."""

    encoder: str  # vits, vitb, vitl: the checkpoint's file-name suffix
    title: str  # Small, Base, Large: the Hugging Face repository suffix
    parameters: int  # of the checkpoint (relative and metric alike)
    licence: str


@dataclass(frozen=True)
class TrainingTarget:
    """What the network was trained to output: relative disparity or metres on a dataset."""

    name_part: str  # in our model name
    title_part: str  # in its display name
    dataset: Optional[str]  # hypersim, vkitti: in the file name; None = relative
    hf_name: str  # in the Hugging Face repository name
    max_depth: Optional[float]  # metres; None = relative
    scenes: str


SIZES = {
    "small": Size("vits", "Small", 24_785_089, "Apache-2.0"),
    "base": Size("vitb", "Base", 97_470_785, NON_COMMERCIAL),
    "large": Size("vitl", "Large", 335_315_649, NON_COMMERCIAL),
}
TARGETS = (
    TrainingTarget("", "", None, "", None, "general scenes, relative depth"),
    TrainingTarget("metric_indoor_", "Metric Indoor ", "hypersim", "Metric-Hypersim-", 20.0,
                   "indoor scenes (Hypersim), metres up to 20 m"),
    TrainingTarget("metric_outdoor_", "Metric Outdoor ", "vkitti", "Metric-VKITTI-", 80.0,
                   "outdoor scenes (Virtual KITTI 2), metres up to 80 m"),
)


def model_name(target: TrainingTarget, size_name: str) -> str:
    return f"depth_anything_v2_{target.name_part}{size_name}"


def card_for(target: TrainingTarget, size_name: str) -> ModelCard:
    """The card of one table row pair: every field follows from the target and the size."""
    size = SIZES[size_name]
    metric = target.max_depth is not None
    non_commercial = size.licence == NON_COMMERCIAL
    title = f"Depth Anything V2 {target.title_part}{size.title}"
    stem = (f"depth_anything_v2_metric_{target.dataset}_{size.encoder}" if metric
            else f"depth_anything_v2_{size.encoder}")
    url = (f"https://huggingface.co/depth-anything/Depth-Anything-V2-{target.hf_name}"
           f"{size.title}/resolve/main/{stem}.pth?download=true")
    return ModelCard(
        name=model_name(target, size_name),
        title=title,
        family="depth_anything_v2",
        description=(f"{title} ({size.licence}{', non-commercial' if non_commercial else ''}): "
                     f"{size.parameters / 1e6:.1f} M parameters, {INPUT_SIZE} px, "
                     f"{target.scenes}"),
        licence=size.licence,
        non_commercial=non_commercial,
        parameters=size.parameters,
        weights=WeightsSource(filename=f"{stem}.pth", origin=url, url=url),
        input_size=INPUT_SIZE,
        input_multiple=PATCH,
        metric=metric,
        max_depth_m=target.max_depth,
        camera=False,
        engines=("openvino", "torch"),
        reference_engine="torch",
    )


#: The nine registered models: every target in every size.
CARDS = tuple(card_for(target, size) for target in TARGETS for size in SIZES)
#: Each model's encoder (the network's size: vits, vitb, vitl), which its card does not name.
ENCODER_OF = {model_name(target, size): SIZES[size].encoder for target in TARGETS for size in SIZES}


class DepthAnythingV2(ModelFamily):
    """Every target and size shares this code; the card says which network to build."""

    name = "depth_anything_v2"
    cards = CARDS

    def network_size(self, card: ModelCard, height: int, width: int) -> tuple[int, int]:
        """The official size; for photos more elongated than 3:1, the long side capped."""
        size = lower_bound_to_multiple(height, width, card.input_size, PATCH)
        if size[0] * size[1] <= MAX_ELONGATION * card.input_size ** 2:
            return size
        return fit_to_multiple(height, width, MAX_ELONGATION * card.input_size, PATCH)

    def preprocess(self, card: ModelCard, rgb: np.ndarray) -> np.ndarray:
        return imagenet_batch(resize_image(rgb, self.network_size(card, *rgb.shape[:2])))

    def postprocess(self, card: ModelCard, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        if card.metric:
            metres = self.postprocess_metres(card, raw, size)
            return 1.0 / np.maximum(metres, np.float32(MIN_METRES))
        return resize_depth_aligned(raw, size)

    def postprocess_metres(self, card: ModelCard, raw: np.ndarray,
                           size: tuple[int, int]) -> np.ndarray:
        return resize_depth_aligned(raw, size)

    def network(self, card: ModelCard, weights_path: Path) -> torch.nn.Module:
        from depthviz.models.depth_anything_v2_net import load_depth_anything_v2

        return load_depth_anything_v2(str(weights_path), ENCODER_OF[card.name], card.max_depth_m)

    def build_reference_engine(self, card: ModelCard, weights_path: Path) -> Engine:
        from depthviz.engines.torch_engine import TorchEngine

        return TorchEngine(self.network(card, weights_path))

    def to_openvino(self, card: ModelCard, weights_path: Path) -> openvino.Model:
        """Traced by torch; height and width left dynamic.

        The example is not square, so the trace goes through the position-embedding resize,
        which is built from the input's shape and so stays exact for every size."""
        import torch

        from depthviz.engines.openvino_engine import import_openvino

        with warnings.catch_warnings():
            # The tracer warns that shape-derived values could freeze; the converted graph
            # keeps them symbolic (tests/models/test_depth_anything_v2.py checks other shapes
            # against torch).
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            return import_openvino().convert_model(
                self.network(card, weights_path),
                example_input=torch.zeros(1, 3, 28 * PATCH, 36 * PATCH), input=[1, 3, -1, -1])
