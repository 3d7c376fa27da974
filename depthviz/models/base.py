"""What every model family provides, and the DepthModel users call `predict` on."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image

from ..engines import Engine
from ..errors import EngineUnavailable
from ..images import as_rgb_array
from ..weights import WeightsSource

ImageLike = Union[np.ndarray, Image.Image]


class ModelFamily(ABC):
    """One network architecture: its weights, its pre/post-processing and how engines run it.

    Subclasses convert their network's native output to the depthviz convention: relative
    inverse depth, larger = nearer, float32, same height and width as the input.
    """

    name: str
    description: str
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

    def predict(self, image: ImageLike) -> np.ndarray:
        """HxWx3 uint8 RGB array (or PIL image) -> HxW float32 inverse depth (larger = nearer)."""
        rgb = as_rgb_array(image)
        raw = self.engine.run(self.family.preprocess(rgb))[0]
        return self.family.postprocess(raw, rgb.shape[:2])

    def __repr__(self) -> str:
        return f"DepthModel({self.name!r}, engine={self.engine_name!r}, weights={str(self.weights_path)!r})"
