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

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from depthviz.engines.base import Engine
from depthviz.io.resize import (
    fit_to_multiple,
    lower_bound_to_multiple,
    resize_depth_aligned,
    resize_image,
)
from depthviz.io.weights import WeightsSource
from depthviz.models.base import ModelFamily
from depthviz.models.midas import imagenet_batch

#: Metres below this are treated as this, so 1/metres stays finite (Sigmoid can reach 0).
MIN_METRES = 1e-3
NON_COMMERCIAL = "CC-BY-NC-4.0"
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
class Task:
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
TASKS = (
    Task("", "", None, "", None, "general scenes, relative depth"),
    Task("metric_indoor_", "Metric Indoor ", "hypersim", "Metric-Hypersim-", 20.0,
         "indoor scenes (Hypersim), metres up to 20 m"),
    Task("metric_outdoor_", "Metric Outdoor ", "vkitti", "Metric-VKITTI-", 80.0,
         "outdoor scenes (Virtual KITTI 2), metres up to 80 m"),
)


class DepthAnythingV2(ModelFamily):
    """One (task, size) of the family; every one shares this code and differs by its table row."""

    input_size = 518
    input_multiple = 14
    engines = ("openvino", "torch")
    reference_engine = "torch"

    def __init__(self, task: Task, size_name: str):
        size = SIZES[size_name]
        self.task, self.size = task, size
        self.name = f"depth_anything_v2_{task.name_part}{size_name}"
        self.metric = task.max_depth is not None
        self.licence = size.licence
        self.non_commercial = size.licence == NON_COMMERCIAL
        self.parameters = size.parameters
        self.title = f"Depth Anything V2 {task.title_part}{size.title}"
        self.description = (f"{self.title} ({size.licence}"
                            f"{', non-commercial' if self.non_commercial else ''}): "
                            f"{size.parameters / 1e6:.1f} M parameters, 518 px, {task.scenes}")
        stem = (f"depth_anything_v2_metric_{task.dataset}_{size.encoder}" if self.metric
                else f"depth_anything_v2_{size.encoder}")
        url = (f"https://huggingface.co/depth-anything/Depth-Anything-V2-{task.hf_name}"
               f"{size.title}/resolve/main/{stem}.pth?download=true")
        self.weights = WeightsSource(filename=f"{stem}.pth", origin=url, url=url)

    def network_size(self, height: int, width: int) -> tuple[int, int]:
        """The official size; for photos more elongated than 3:1, the long side capped."""
        size = lower_bound_to_multiple(height, width, self.input_size, self.input_multiple)
        if size[0] * size[1] <= MAX_ELONGATION * self.input_size ** 2:
            return size
        return fit_to_multiple(height, width, MAX_ELONGATION * self.input_size,
                               self.input_multiple)

    def preprocess(self, rgb: np.ndarray) -> np.ndarray:
        return imagenet_batch(resize_image(rgb, self.network_size(*rgb.shape[:2])))

    def postprocess(self, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        if self.metric:
            return 1.0 / np.maximum(self.postprocess_metres(raw, size), np.float32(MIN_METRES))
        return resize_depth_aligned(raw, size)

    def postprocess_metres(self, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        if not self.metric:
            return super().postprocess_metres(raw, size)
        return resize_depth_aligned(raw, size)

    def network(self, weights_path: Path):
        from depthviz.models.depth_anything_v2_net import load_depth_anything_v2

        return load_depth_anything_v2(str(weights_path), self.size.encoder, self.task.max_depth)

    def build_engine(self, engine: str, weights_path: Path) -> Engine:
        if engine == "torch":
            from depthviz.engines.torch_engine import TorchEngine

            return TorchEngine(self.network(weights_path))
        if engine == "openvino":
            from depthviz.engines import openvino_engine

            return openvino_engine.load(self, weights_path)
        raise self.unsupported(engine)

    def to_openvino(self, weights_path: Path):
        """The network as an openvino.Model with dynamic height and width (needs torch).

        The example is not square, so the trace goes through the position-embedding resize,
        which is built from the input's shape and so stays exact for every size."""
        import warnings

        import torch

        from depthviz.engines.openvino_engine import import_openvino

        side = self.input_multiple
        with warnings.catch_warnings():
            # The tracer warns that shape-derived values could freeze; the converted graph keeps
            # them symbolic (tests/models/test_depth_anything_v2.py checks other shapes against torch).
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            return import_openvino().convert_model(
                self.network(weights_path), example_input=torch.zeros(1, 3, 28 * side, 36 * side),
                input=[1, 3, -1, -1])


def depth_anything_v2_models() -> list[DepthAnythingV2]:
    """The nine registered models: every task in every size."""
    return [DepthAnythingV2(task, size) for task in TASKS for size in SIZES]
