"""The model card: what a model is, declared once by its family module and read by everyone
(the registry, `depthviz models`, the app's picker and Models page, the service's /v1/models).

Every field is required, so a card without a licence or a reference engine does not type-check;
listing cards builds no network and touches no engine.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from depthviz.engines.base import EngineName
from depthviz.errors import DepthvizError
from depthviz.io.weights import WeightsSource


@dataclass(frozen=True, slots=True)
class ModelCard:
    """One registered model: its weights, licence, input contract and engines."""

    name: str  # what load_model, the CLI and the API take, e.g. "depth_anything_v2_small"
    title: str  # short display name, e.g. "Depth Anything V2 Small"
    family: str  # the family module's name: models of a family share their code
    description: str  # one line for people: title, licence, size, input, scenes
    licence: str  # SPDX-style licence of the weights, e.g. "Apache-2.0", "CC-BY-NC-4.0"
    non_commercial: bool  # the licence forbids commercial use: never a default; loading logs it
    parameters: int  # of the network, for people comparing sizes
    weights: WeightsSource  # file name, origin and sha256 where published
    input_size: int  # the network's input side in pixels (official; see with_input_size)
    input_multiple: Optional[int]  # input_size must be a positive multiple; None = fixed size
    metric: bool  # predicts metres (predict() gives 1/metres, predict_metres() metres)
    max_depth_m: Optional[float]  # the farthest depth a metric model outputs; None if relative
    camera: bool  # estimates the camera too (none does yet)
    engines: tuple[EngineName, ...]  # that can run it, by preference for engine="auto"
    reference_engine: EngineName  # whose output counts as correct; faster ones are checked

    def with_input_size(self, input_size: Optional[int]) -> ModelCard:
        """This model running at another network input side (None: the official one).

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
        return replace(self, input_size=input_size)
