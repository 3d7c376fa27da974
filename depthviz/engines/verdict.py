"""The accuracy verdict: how OpenVINO compared with a model's reference engine on this CPU.

Before first use the converted network is checked: against the reference engine on real photos
(calibration/), and against true depth (scikit-image's stereo_motorcycle) at f32 and each
reduced precision the CPU runs natively; `precision.choose_precision` says which precision
precision="auto" runs (see precision.py for the rule). The verdict also holds timings, so that
engine="auto" can take the fastest engine that passes (engines/policy.py decides).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

import numpy as np

from depthviz.engines.base import ConvertibleModel, Engine
from depthviz.engines.openvino_engine import ModelSource, OpenVinoEngine, cpu_name
from depthviz.engines.precision import (
    MIN_PEARSON,
    MIN_TRUTH_SPEARMAN,
    TruthScore,
    choose_precision,
    motorcycle,
    truth_scores,
)
from depthviz.io.images import load_image

#: Real photos (scikit-image's coffee, chelsea, rocket; CC0 / public domain) for the check.
CALIBRATION_PHOTOS = Path(__file__).with_name("calibration")


@dataclass(frozen=True)
class Verdict:
    """How OpenVINO compared with the reference engine on one CPU, for one weights file."""

    cpu: str
    reference: str  # the reference engine's name
    pearson: dict[str, float]  # worst Pearson over the photos, per precision tried
    latency_ms: dict[str, float]  # per precision tried, and "reference"
    precision: Optional[str]  # what precision="auto" runs at; None if even f32 failed
    truth_f32: Optional[float] = None  # f32's Spearman to the motorcycle's true disparity
    truth: dict[str, TruthScore] = field(default_factory=dict)  # per reduced precision tried

    def restricted_to(self, precisions: tuple[str, ...]) -> Verdict:
        """The verdict as if only `precisions` had been tried: a stored verdict may weigh bf16
        that DEPTHVIZ_HIDE_BF16 now hides, or an int8 model since deleted."""
        if set(self.pearson) <= set(precisions):
            return self
        pearson = {p: r for p, r in self.pearson.items() if p in precisions}
        truth = {p: score for p, score in self.truth.items() if p in precisions}
        latency = {p: ms for p, ms in self.latency_ms.items() if p in (*precisions, "reference")}
        return replace(self, pearson=pearson, truth=truth, latency_ms=latency,
                       precision=choose_precision(pearson, self.truth_f32, truth))

    def truth_summary(self, precision: str) -> str:
        score = self.truth[precision]
        return (f"Spearman to true depth {score.spearman:.4f} vs f32 {self.truth_f32:.4f}, "
                f"change {score.change:+.4f}, 95% interval {score.change_low:+.4f} to "
                f"{score.change_high:+.4f}")

    def failure(self, precision: str) -> str:
        """Why `precision` failed its check, for people."""
        if precision in self.truth and (self.truth_f32 or 0.0) >= MIN_TRUTH_SPEARMAN:
            return self.truth_summary(precision)
        return f"Pearson {self.pearson[precision]:.4f} < {MIN_PEARSON}"


def check(model: ConvertibleModel, weights_path: Path,
          converted: dict[str, ModelSource]) -> Verdict:
    """Run OpenVINO (`converted`: the model to run per precision: f32, and each reduced one to
    weigh) and the reference engine on the calibration photos; compare their outputs, score
    them against the motorcycle's true depth, and time them on the first photo."""
    engines: dict[str, Engine] = {"reference": model.build_reference_engine(weights_path)}
    for precision, source in converted.items():
        engines[precision] = OpenVinoEngine(source, precision)
    inputs = calibration_inputs(model)
    expected = [engines["reference"].run(batch) for batch in inputs]
    worst = {precision: min(pearson(engine.run(batch), truth)
                            for batch, truth in zip(inputs, expected))
             for precision, engine in engines.items() if precision != "reference"}
    truth_f32, truth = score_against_truth(model, {
        precision: engine for precision, engine in engines.items() if precision != "reference"})
    return Verdict(cpu=cpu_name(), reference=model.reference_engine, pearson=worst,
                   latency_ms=median_latencies_ms(engines, inputs[0]),
                   precision=choose_precision(worst, truth_f32, truth), truth_f32=truth_f32,
                   truth=truth)


def calibration_photos() -> list[np.ndarray]:
    """The calibration photos as HxWx3 uint8 RGB, in a fixed order."""
    return [load_image(path) for path in sorted(CALIBRATION_PHOTOS.glob("*.jpg"))]


def calibration_inputs(model: ConvertibleModel) -> list[np.ndarray]:
    return [model.preprocess(rgb) for rgb in calibration_photos()]


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


def median_latencies_ms(engines: dict[str, Engine], batch: np.ndarray,
                        rounds: int = 4) -> dict[str, float]:
    """Median time of one `run` per engine. Engines take turns (load from other processes on a
    shared machine slows each alike), each turn starting with an untimed run that lets the
    previous engine's worker threads go idle and this one's wake up."""
    times: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(rounds):
        for name, engine in engines.items():
            engine.run(batch)
            for _ in range(2):
                start = time.perf_counter()
                engine.run(batch)
                times[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) * 1000.0 for name, values in times.items()}


def score_against_truth(model: ConvertibleModel,
                        engines: dict[str, Engine]) -> tuple[float, dict[str, TruthScore]]:
    """Each engine's depth of the motorcycle photo scored against its true disparity: f32's
    Spearman, and each other precision's with its change from f32 (engines/precision.py)."""
    left, disparity = motorcycle()
    batch = model.preprocess(left)
    depths = {precision: model.postprocess(engine.run(batch)[0], left.shape[:2])
              for precision, engine in engines.items()}
    return truth_scores(disparity, depths.pop("f32"), depths)
