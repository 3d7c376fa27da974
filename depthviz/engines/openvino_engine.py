"""OpenVINO on the CPU: the fast engine, and what this CPU and install let it run.

Converting a network, caching it and checking it before use live beside this module
(openvino_cache.py, verdict.py, int8.py); this one only compiles and runs a converted model.

OpenVINO's CPU plugin runs bf16 by default wherever the CPU has native bf16 (avx512_bf16 or
AMX), so every engine here names its inference precision explicitly.

OpenVINO's model converter reports usage to Google Analytics unless told not to. Before the
first `import openvino` we make its `openvino_telemetry` dependency unimportable, so OpenVINO
falls back to its own no-op stub: nothing is sent and no ID file is written. (If something else
imported OpenVINO earlier in the process, that choice was already made there.)
"""

from __future__ import annotations

import importlib.util
import os
import queue
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Union

import numpy as np

if TYPE_CHECKING:
    import openvino

#: A converted model: its cached IR file, or in memory when the model home is read-only.
ModelSource = Union[Path, "openvino.Model"]
#: Set to 1 to hide native bf16 from the precision probe (as on a CPU without it).
HIDE_BF16 = "DEPTHVIZ_HIDE_BF16"


def import_openvino() -> ModuleType:
    """`import openvino` with its usage reporting disabled (see the module docstring)."""
    sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]  # None: unimportable
    import openvino

    return openvino


class OpenVinoEngine:
    """A compiled OpenVINO model; `run` is safe from many threads.

    Each call takes an idle InferRequest from a pool (making one when all are busy: it costs
    microseconds), so concurrent callers never share a request's buffers.
    """

    name = "openvino"

    def __init__(self, model: ModelSource, precision: str = "f32", mode: str = "latency"):
        ov = import_openvino()
        self.precision = precision
        self.mode = mode
        # Explicit even for f32: the CPU plugin's default is bf16 wherever the CPU has native
        # bf16 (avx512_bf16 or AMX). An int8 model keeps f32 for its non-quantized layers.
        config = {"INFERENCE_PRECISION_HINT": "bf16" if precision == "bf16" else "f32",
                  "PERFORMANCE_HINT": mode.upper()}  # "LATENCY" or "THROUGHPUT"
        source = str(model) if isinstance(model, Path) else model
        self.compiled = ov.Core().compile_model(source, "CPU", config)
        #: Photos to keep in flight for full speed: 1 in latency mode, the streams in throughput.
        self.parallel_requests = int(self.compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        self._idle: queue.SimpleQueue = queue.SimpleQueue()

    def run(self, batch: np.ndarray) -> np.ndarray:
        try:
            request = self._idle.get_nowait()
        except queue.Empty:
            request = self.compiled.create_infer_request()
        try:
            output = request.infer({0: np.ascontiguousarray(batch, dtype=np.float32)})[0]
        finally:
            self._idle.put(request)
        return output.reshape(batch.shape[0], *output.shape[-2:])


def cpu_name() -> str:
    ov = import_openvino()
    return str(ov.Core().get_property("CPU", "FULL_DEVICE_NAME"))


def supports_bf16() -> bool:
    """Native bf16 (AMX or avx512_bf16); elsewhere OpenVINO would emulate it, slowly.
    DEPTHVIZ_HIDE_BF16=1 hides it, so one machine can run what a CPU without bf16 runs."""
    if os.environ.get(HIDE_BF16, "") not in ("", "0"):
        return False
    ov = import_openvino()
    return "BF16" in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


def int8_buildable() -> bool:
    """NNCF is installed, so a network can be quantized to int8 (once per weights file)."""
    return importlib.util.find_spec("nncf") is not None


def runnable_precisions() -> tuple[str, ...]:
    """The precisions OpenVINO can run here: f32, bf16 where the CPU has it natively, int8
    where NNCF can build it. Probing imports OpenVINO."""
    return ("f32", *(("bf16",) if supports_bf16() else ()),
            *(("int8",) if int8_buildable() else ()))
