"""What every model family provides, and the DepthModel users call `predict` on."""

from __future__ import annotations

from abc import ABC, abstractmethod
from copy import copy
from pathlib import Path
from typing import Optional, Union

import numpy as np
from PIL import Image

from depthviz.engines.base import Engine
from depthviz.errors import DepthvizError, EngineUnavailable
from depthviz.io.images import as_rgb_array
from depthviz.io.weights import WeightsSource

ImageLike = Union[np.ndarray, Image.Image]


class ModelFamily(ABC):
    """One network architecture: its weights, its pre/post-processing and how engines run it.

    Subclasses convert their network's native output to the depthviz convention: relative
    inverse depth, larger = nearer, float32, same height and width as the input.
    """

    name: str
    #: Short display name, e.g. "Depth Anything V2 Small".
    title: str
    description: str
    #: SPDX-style licence of the weights, e.g. "Apache-2.0" or "CC-BY-NC-4.0".
    licence: str
    #: True when the weights may not be used commercially (never a default; loading logs it).
    non_commercial: bool = False
    #: True when the network predicts metres (predict() then returns 1/metres).
    metric: bool = False
    #: Number of parameters of the network (for people comparing sizes).
    parameters: int
    #: The network's input side in pixels (official value; `with_input_size` changes it).
    input_size: Optional[int] = None
    #: input_size must be a positive multiple of this; None = the network has a fixed size.
    input_multiple: Optional[int] = None
    weights: WeightsSource
    #: Engines that can run this family, in order of preference for engine="auto".
    engines: tuple[str, ...]
    #: The engine whose output counts as correct; faster engines are checked against it.
    reference_engine: str

    @abstractmethod
    def preprocess(self, rgb: np.ndarray) -> np.ndarray:
        """HxWx3 uint8 RGB -> 1 x 3 x h x w float32 network input."""

    @abstractmethod
    def postprocess(self, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """h' x w' raw network output -> size=(H, W) float32 inverse depth."""

    @abstractmethod
    def build_engine(self, engine: str, weights_path: Path) -> Engine:
        """Make an engine of that name run this network with these weights."""

    def with_input_size(self, input_size: Optional[int]) -> ModelFamily:
        """This family running at another network input side (None: the official one).

        Raises DepthvizError for sizes the network cannot take."""
        if input_size is None or input_size == self.input_size:
            return self
        if self.input_multiple is None:
            raise DepthvizError(
                f"Model '{self.name}' has a fixed input size of {self.input_size} px; "
                f"leave input_size unset (got {input_size}).")
        if (isinstance(input_size, bool) or not isinstance(input_size, int) or input_size <= 0
                or input_size % self.input_multiple):
            raise DepthvizError(
                f"input_size for '{self.name}' must be a positive multiple of "
                f"{self.input_multiple} (e.g. {self.input_size}), not {input_size!r}.")
        resized = copy(self)
        resized.input_size = input_size
        return resized

    def postprocess_metres(self, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """Metric families: raw network output -> size=(H, W) float32 depth in metres."""
        raise NotImplementedError(f"{self.name} is not a metric model")

    def check_weights(self, path: Path) -> None:
        """Raise if the file at `path` is not loadable weights for this family."""
        self.build_engine(self.reference_engine, path)

    def unsupported(self, engine: str) -> EngineUnavailable:
        return EngineUnavailable(
            f"Model '{self.name}' cannot run on engine '{engine}'; "
            f"choose one of: {', '.join(self.engines)} (or 'auto').")


class DepthModel:
    """A loaded model: call `predict(image)`; safe to share between threads."""

    def __init__(self, family: ModelFamily, engine: Engine, weights_path: Path):
        self.family = family
        self.engine = engine
        self.weights_path = weights_path

    @property
    def name(self) -> str:
        return self.family.name

    @property
    def engine_name(self) -> str:
        return self.engine.name

    @property
    def metric(self) -> bool:
        """True when predict() is 1/metres and predict_metres() is available."""
        return self.family.metric

    @property
    def input_size(self) -> Optional[int]:
        """The network input side this model runs at."""
        return self.family.input_size

    def predict(self, image: ImageLike) -> np.ndarray:
        """HxWx3 uint8 RGB array (or PIL image) -> HxW float32 inverse depth (larger = nearer)."""
        rgb = as_rgb_array(image)
        raw = self.engine.run(self.family.preprocess(rgb))[0]
        return self.family.postprocess(raw, rgb.shape[:2])

    def predict_metres(self, image: ImageLike) -> np.ndarray:
        """Metric models: HxW float32 depth in metres (larger = farther); else DepthvizError."""
        if not self.metric:
            raise DepthvizError(
                f"Model '{self.name}' predicts relative depth (unknown scale), not metres; "
                "use a metric model such as depth_anything_v2_metric_indoor_small (indoor) or "
                "depth_anything_v2_metric_outdoor_small (outdoor).")
        rgb = as_rgb_array(image)
        raw = self.engine.run(self.family.preprocess(rgb))[0]
        return self.family.postprocess_metres(raw, rgb.shape[:2])

    def __repr__(self) -> str:
        return (f"DepthModel({self.name!r}, engine={self.engine_name!r}, "
                f"input_size={self.input_size!r}, weights={str(self.weights_path)!r})")
