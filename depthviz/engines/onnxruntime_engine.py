"""ONNX Runtime on the CPU, for models published as ONNX files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime


class OnnxRuntimeEngine:
    name = "onnxruntime"
    precision = "f32"
    parallel_requests = 1  # its intra-op threads already use every core for one batch

    def __init__(self, onnx_path: Path):
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # warnings about unused initialisers are noise to users
        self.session = onnxruntime.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name

    def run(self, batch: np.ndarray) -> np.ndarray:
        # InferenceSession.run is documented as thread-safe.
        inputs = {self.input_name: np.ascontiguousarray(batch, np.float32)}
        output = self.session.run(None, inputs)[0]
        return output.reshape(batch.shape[0], *output.shape[-2:])
