"""Inference engines: interchangeable ways to run a network on an NCHW float32 batch.

Every engine has a `name` and `run(batch) -> N x h x w float32`, and is safe to call from
many threads at once (Streamlit serves every session from one cached model).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Engine(Protocol):
    name: str
    #: The arithmetic it runs at: "f32", or a reduced one ("bf16", "int8") on OpenVINO.
    precision: str
    #: Calls to keep in flight for full throughput (OpenVINO's streams; 1 elsewhere).
    parallel_requests: int

    def run(self, batch: np.ndarray) -> np.ndarray:
        """N x 3 x h x w float32 -> N x h' x w' float32 raw network output."""
        ...
