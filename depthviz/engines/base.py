"""Inference engines: interchangeable ways to run a network on an NCHW float32 batch.

Every engine has a `name` and `run(batch) -> N x h x w float32`, and is safe to call from
many threads at once (Streamlit serves every session from one cached model).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

if TYPE_CHECKING:
    import openvino

EngineName = Literal["openvino", "torch", "onnxruntime"]
#: The library each engine runs on (what `installed_engines` looks for).
ENGINE_LIBRARIES: dict[EngineName, str] = {
    "openvino": "openvino", "torch": "torch", "onnxruntime": "onnxruntime"}


class Engine(Protocol):
    name: str
    #: The arithmetic it runs at: "f32", or a reduced one ("bf16", "int8") on OpenVINO.
    precision: str
    #: Calls to keep in flight for full throughput (OpenVINO's streams; 1 elsewhere).
    parallel_requests: int

    def run(self, batch: np.ndarray) -> np.ndarray:
        """N x 3 x h x w float32 -> N x h' x w' float32 raw network output."""
        ...


class ConvertibleModel(Protocol):
    """A model as the OpenVINO path sees it: a network to convert, a reference engine to check
    the conversion against, and the recipe that turns photos into network inputs and back.
    (Engines know no model cards: models/family.py binds a card to its family for this.)"""

    @property
    def name(self) -> str: ...

    @property
    def reference_engine(self) -> str: ...

    def preprocess(self, rgb: np.ndarray) -> np.ndarray: ...

    def postprocess(self, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray: ...

    def build_reference_engine(self, weights_path: Path) -> Engine: ...

    def to_openvino(self, weights_path: Path) -> openvino.Model: ...


def installed_engines() -> frozenset[str]:
    """The engines whose library is installed here (looked up, not imported: cheap)."""
    return frozenset(name for name, library in ENGINE_LIBRARIES.items()
                     if importlib.util.find_spec(library) is not None)
