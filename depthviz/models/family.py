"""What every model family provides: one network architecture and its recipe, shared by the
family's cards (models/card.py).

A family object is stateless: every method takes the card, whose input size (see
`ModelCard.with_input_size`) and metric flag the recipe follows. Families convert their
network's native output to the depthviz convention: relative inverse depth, larger = nearer,
float32, same height and width as the input.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from depthviz.engines.base import Engine
from depthviz.models.card import ModelCard

if TYPE_CHECKING:
    import openvino


class ModelFamily(ABC):
    """One architecture: its cards, pre/post-processing, reference engine and OpenVINO graph."""

    #: The family's name; each of its cards carries it in `ModelCard.family`.
    name: str
    #: The models of this family, in the order `depthviz models` lists them.
    cards: tuple[ModelCard, ...]

    @abstractmethod
    def network_size(self, card: ModelCard, height: int, width: int) -> tuple[int, int]:
        """The network input's (h, w) for a photo of that size."""

    @abstractmethod
    def preprocess(self, card: ModelCard, rgb: np.ndarray) -> np.ndarray:
        """HxWx3 uint8 RGB -> 1 x 3 x h x w float32 network input."""

    @abstractmethod
    def postprocess(self, card: ModelCard, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """h' x w' raw network output -> size=(H, W) float32 inverse depth."""

    def postprocess_metres(self, card: ModelCard, raw: np.ndarray,
                           size: tuple[int, int]) -> np.ndarray:
        """Metric cards: raw network output -> size=(H, W) float32 depth in metres."""
        raise NotImplementedError(f"{card.name} is not a metric model")

    @abstractmethod
    def build_reference_engine(self, card: ModelCard, weights_path: Path) -> Engine:
        """The card's reference engine running the network with these weights (raises if the
        file is not loadable weights: this is also the weights check)."""

    @abstractmethod
    def to_openvino(self, card: ModelCard, weights_path: Path) -> openvino.Model:
        """The network as an openvino.Model with dynamic height and width."""

    def bind(self, card: ModelCard) -> BoundFamily:
        """This family for one card, as the OpenVINO cache, check and int8 code take it."""
        return BoundFamily(card, self)


@dataclass(frozen=True)
class BoundFamily:
    """A family bound to one card: engines.base.ConvertibleModel (engines know no cards)."""

    card: ModelCard
    family: ModelFamily

    @property
    def name(self) -> str:
        return self.card.name

    @property
    def reference_engine(self) -> str:
        return self.card.reference_engine

    def preprocess(self, rgb: np.ndarray) -> np.ndarray:
        return self.family.preprocess(self.card, rgb)

    def postprocess(self, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        return self.family.postprocess(self.card, raw, size)

    def build_reference_engine(self, weights_path: Path) -> Engine:
        return self.family.build_reference_engine(self.card, weights_path)

    def to_openvino(self, weights_path: Path) -> openvino.Model:
        return self.family.to_openvino(self.card, weights_path)
