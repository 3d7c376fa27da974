"""Plain fp32 PyTorch: the reference engine every faster one is checked against."""

from __future__ import annotations

import numpy as np
import torch


class TorchEngine:
    name = "torch"
    precision = "f32"
    parallel_requests = 1  # torch already uses every core for one batch

    def __init__(self, module: torch.nn.Module):
        self.module = module.eval()

    def run(self, batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            output = self.module(torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32)))
        return output.reshape(batch.shape[0], *output.shape[-2:]).numpy()
