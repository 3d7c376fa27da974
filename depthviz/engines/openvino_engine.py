"""OpenVINO on the CPU: the fast engine, converted once per weights file and checked before use.

Converting a network (which needs its framework, e.g. torch for MiDaS) takes seconds, so the
converted model (OpenVINO IR, .xml + .bin) is cached under the model home, keyed by the weights'
sha256 and the OpenVINO version: later loads read the IR and import no torch. The input's height
and width stay dynamic, so photos of any aspect ratio share one compiled model.

Before first use on a CPU the engine is checked: against the family's reference engine on real
photos (calibration/), and against true depth (scikit-image's stereo_motorcycle) at f32 and
each reduced precision the CPU runs natively; `precision.choose_precision` says which precision
precision="auto" runs (see engines/precision.py for the rule). The verdict, with timings so
that engine="auto" can pick the fastest engine that passes, is cached beside the IR.

OpenVINO's CPU plugin runs bf16 by default wherever the CPU has native bf16 (avx512_bf16 or
AMX), so every engine here names its inference precision explicitly.

OpenVINO's model converter reports usage to Google Analytics unless told not to. Before the
first `import openvino` we make its `openvino_telemetry` dependency unimportable, so OpenVINO
falls back to its own no-op stub: nothing is sent and no ID file is written. (If something else
imported OpenVINO earlier in the process, that choice was already made there.)
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
import queue
import shutil
import stat
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Protocol, Union

import numpy as np

from depthviz.engines.base import Engine
from depthviz.engines.precision import (
    MIN_PEARSON,
    MIN_TRUTH_SPEARMAN,
    PRECISIONS,
    TruthScore,
    choose_precision,
    motorcycle,
    truth_scores,
)
from depthviz.errors import EngineUnavailable
from depthviz.io.files import write_atomic
from depthviz.io.weights import model_home, sha256_of

if TYPE_CHECKING:
    import openvino

log = logging.getLogger("depthviz")

#: Bump when the conversion itself changes, so stale cached IR is not reused.
CONVERSION_VERSION = 1
#: Cache entries kept per model family (each weights file, e.g. a fine-tune, has its own).
KEEP_CONVERSIONS = 3
#: A converted model: its cached IR file, or in memory when the model home is read-only.
ModelSource = Union[Path, "openvino.Model"]
#: Real photos (scikit-image's coffee, chelsea, rocket; CC0 / public domain) for the check.
CALIBRATION_PHOTOS = Path(__file__).with_name("calibration")
#: Set to 1 to hide native bf16 from the precision probe (as on a CPU without it).
HIDE_BF16 = "DEPTHVIZ_HIDE_BF16"
#: precision="int8": NNCF post-training quantization sees this many crops of those photos.
INT8_CALIBRATION_CROPS = 200


class ConvertibleFamily(Protocol):
    """What a model family provides to run on OpenVINO (see models/midas.py)."""

    name: str
    reference_engine: str

    def to_openvino(self, weights_path: Path) -> openvino.Model: ...

    def preprocess(self, rgb: np.ndarray) -> np.ndarray: ...

    def postprocess(self, raw: np.ndarray, size: tuple[int, int]) -> np.ndarray: ...

    def build_engine(self, engine: str, weights_path: Path) -> Engine: ...


def import_openvino():
    """`import openvino` with its usage reporting disabled (see the module docstring)."""
    sys.modules.setdefault("openvino_telemetry", None)  # None makes the import fail
    import openvino

    return openvino


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

    @property
    def fastest(self) -> str:
        """What engine="auto" uses: OpenVINO if it passed and is faster, else the reference."""
        if self.precision is not None and (
                self.latency_ms[self.precision] < self.latency_ms["reference"]):
            return "openvino"
        return self.reference

    def fastest_at(self, precision: str) -> str:
        """What engine="auto" uses at an explicit precision: OpenVINO unless that is f32 and
        f32 failed its check or ran slower than the reference engine."""
        if precision != "f32":
            return "openvino"
        passed = self.pearson.get("f32", -1.0) >= MIN_PEARSON
        return "openvino" if passed and self.latency_ms["f32"] < self.latency_ms["reference"] \
            else self.reference

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

    def describe(self) -> str:
        """Why engine="auto" takes `fastest`, for people (the app and `depthviz models`)."""
        if self.precision is None:
            return (f"OpenVINO failed its accuracy check (Pearson {self.pearson['f32']:.4f} "
                    f"< {MIN_PEARSON} against {self.reference})")
        if self.fastest != "openvino":
            return f"{self.reference} ran faster here than OpenVINO {self.precision}"
        reason = (f"OpenVINO {self.precision} passed its accuracy check and ran faster than "
                  f"{self.reference}")
        if self.precision in self.truth:
            return f"{reason} ({self.truth_summary(self.precision)})"
        failed = [precision for precision in self.pearson if precision != "f32"]
        if self.precision == "f32" and failed:
            return f"{reason}; " + "; ".join(f"{p} failed the check ({self.failure(p)})"
                                             for p in failed)
        return reason

    def truth_summary(self, precision: str) -> str:
        score = self.truth[precision]
        return (f"Spearman to true depth {score.spearman:.4f} vs f32 {self.truth_f32:.4f}, "
                f"change {score.change:+.4f}, 95% interval {score.change_low:+.4f} to "
                f"{score.change_high:+.4f}")

    def failure(self, precision: str) -> str:
        if precision in self.truth and (self.truth_f32 or 0.0) >= MIN_TRUTH_SPEARMAN:
            return self.truth_summary(precision)
        return f"Pearson {self.pearson[precision]:.4f} < {MIN_PEARSON}"


def openvino_version() -> str:
    return importlib.metadata.version("openvino")


def cache_dir(family_name: str, weights_path: Path) -> Path:
    """Where the converted model and its verdict live: one folder per weights file."""
    digest = sha256_of(weights_path)
    return (model_home() / "openvino"
            / f"{family_name}-{digest[:16]}-ov{openvino_version()}-c{CONVERSION_VERSION}")


def cached_verdict(family_name: str, weights_path: Path) -> Optional[Verdict]:
    """The stored verdict, or None if these weights were not checked yet (imports no OpenVINO)."""
    try:
        data = json.loads((cache_dir(family_name, weights_path) / "verdict.json").read_text())
        truth = {name: TruthScore(**score) for name, score in data.pop("truth", {}).items()}
        return Verdict(**data, truth=truth)
    except (OSError, ValueError, TypeError, importlib.metadata.PackageNotFoundError):
        return None


def usable_verdict(family_name: str, weights_path: Path) -> Optional[Verdict]:
    """The stored verdict restricted to the precisions that may run here now, or None."""
    verdict = cached_verdict(family_name, weights_path)
    if verdict is None:
        return None
    return verdict.restricted_to(("f32", *reduced_precisions(family_name, weights_path)))


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


def load(family: ConvertibleFamily, weights_path: Path, precision: str = "auto",
         mode: str = "latency") -> OpenVinoEngine:
    """The family's network on OpenVINO. precision="auto" runs the checked precision (f32 if
    none passed: an explicit engine="openvino" still runs, engine="auto" then takes the
    reference engine instead); an explicit one runs if this CPU and install can."""
    model, verdict = prepare(family, weights_path)
    if precision == "auto":
        precision = verdict.precision or "f32"
    check_available(precision)
    if precision == "int8":
        model = int8_model(family, weights_path, model)
    return OpenVinoEngine(model, precision, mode)


def int8_model(family: ConvertibleFamily, weights_path: Path, model: ModelSource) -> ModelSource:
    """The network quantized to int8 by NNCF on crops of the calibration photos: built once
    (~10 s for FastDepth) and cached beside the f32 IR when the model home may be written."""
    folder = cache_dir(family.name, weights_path)
    cached = folder / "model-int8.xml"
    if cached.is_file():
        return cached
    import nncf

    ov = import_openvino()
    source = ov.Core().read_model(str(model)) if isinstance(model, Path) else model
    log.info("Quantizing %s to int8 (once per weights file).", family.name)
    quantized = nncf.quantize(source, nncf.Dataset(calibration_crops(family)),
                              subset_size=INT8_CALIBRATION_CROPS)
    if not may_write(folder):
        return quantized
    scratch = folder / f".model-int8-{os.getpid()}.xml"  # renamed into place: complete or absent
    ov.save_model(quantized, str(scratch), compress_to_fp16=False)
    os.replace(scratch.with_suffix(".bin"), folder / "model-int8.bin")
    os.replace(scratch, cached)
    return cached


def calibration_crops(family: ConvertibleFamily,
                      count: int = INT8_CALIBRATION_CROPS) -> list[np.ndarray]:
    """Network inputs from random crops (half to full size, some mirrored) of the calibration
    photos: the activation ranges int8 is fitted to. Seeded, so every build is the same."""
    from depthviz.io.images import load_image

    photos = [load_image(path) for path in sorted(CALIBRATION_PHOTOS.glob("*.jpg"))]
    rng = np.random.default_rng(0)
    crops = []
    for index in range(count):
        rgb = photos[index % len(photos)]
        scale = rng.uniform(0.5, 1.0)
        height, width = int(rgb.shape[0] * scale), int(rgb.shape[1] * scale)
        top = rng.integers(0, rgb.shape[0] - height + 1)
        left = rng.integers(0, rgb.shape[1] - width + 1)
        crop = rgb[top:top + height, left:left + width]
        crops.append(family.preprocess(np.ascontiguousarray(crop[:, ::-1] if index % 2 else crop)))
    return crops


def check_available(precision: str) -> None:
    """Raise EngineUnavailable (with the reason) for a precision this CPU or install lacks."""
    if precision not in PRECISIONS:
        raise EngineUnavailable(
            f"Unknown precision '{precision}'; choose one of: {', '.join(PRECISIONS)}.")
    if precision == "bf16" and not supports_bf16():
        raise EngineUnavailable(
            "This CPU has no native bf16 (avx512_bf16 or AMX), where it would be slower than "
            "f32; use precision 'f32' or 'auto'.")
    if precision == "int8" and not int8_buildable():
        raise EngineUnavailable(
            "int8 needs NNCF to quantize the network once: pip install 'depthviz[int8]' "
            "(or use precision 'f32' or 'auto').")


def int8_buildable() -> bool:
    return importlib.util.find_spec("nncf") is not None


@lru_cache(maxsize=1)
def available_precisions() -> tuple[str, ...]:
    """The precision= choices this CPU and install can run (for pickers)."""
    return ("auto", "f32", *(("bf16",) if supports_bf16() else ()),
            *(("int8",) if int8_buildable() else ()))


def prepare(family: ConvertibleFamily, weights_path: Path) -> tuple[ModelSource, Verdict]:
    """The converted model (its cached IR file, or in memory) and the verdict for these weights.

    Both are cached when the model home may be written; a read-only one is left untouched and
    the work is redone in memory on each load.
    """
    folder = cache_dir(family.name, weights_path)
    model: ModelSource = folder / "model.xml"
    if not model.is_file():
        log.info("Converting %s to OpenVINO and checking it against %s (once per weights file).",
                 family.name, family.reference_engine)
        model = _convert(family, weights_path)
        if may_write(folder.parent):
            model = _save(model, folder)
            _forget_old_conversions(folder)
    elif may_write(folder):
        os.utime(folder)  # recently used: kept by _forget_old_conversions
    verdict = cached_verdict(family.name, weights_path)
    if (verdict is None or verdict.cpu != cpu_name() or verdict.truth_f32 is None
            or not set(reduced_precisions(family.name, weights_path)) <= set(verdict.pearson)):
        verdict = check(family, weights_path, model)
        if may_write(folder):
            write_atomic(folder / "verdict.json", json.dumps(asdict(verdict), indent=1).encode())
    return model, verdict.restricted_to(("f32", *reduced_precisions(family.name, weights_path)))


def may_write(folder: Path) -> bool:
    """False below a folder marked read-only: we leave it alone even as root, who could write."""
    existing = next(path for path in (folder, *folder.parents) if path.exists())
    return bool(existing.stat().st_mode & stat.S_IWUSR) and os.access(existing, os.W_OK)


def _convert(family: ConvertibleFamily, weights_path: Path) -> openvino.Model:
    with warnings.catch_warnings():  # torch.jit.trace's deprecation notices mean nothing to users
        warnings.simplefilter("ignore", FutureWarning)
        return family.to_openvino(weights_path)


def _forget_old_conversions(folder: Path, keep: int = KEEP_CONVERSIONS) -> None:
    """Delete all but the `keep` most recently used cache entries of this model family."""
    family_name = folder.name.split("-")[0]
    entries = sorted(folder.parent.glob(f"{family_name}-*"), key=lambda path: path.stat().st_mtime)
    for old in entries[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def _save(model: openvino.Model, folder: Path) -> Path:
    """Save into a scratch folder, then rename: a cache entry is complete or absent."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        import_openvino().save_model(model, str(scratch / "model.xml"), compress_to_fp16=False)
        try:
            os.rename(scratch, folder)
        except OSError:
            if not (folder / "model.xml").is_file():  # not just another process being first
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return folder / "model.xml"


def cpu_name() -> str:
    ov = import_openvino()
    return ov.Core().get_property("CPU", "FULL_DEVICE_NAME")


def supports_bf16() -> bool:
    """Native bf16 (AMX or avx512_bf16); elsewhere OpenVINO would emulate it, slowly.
    DEPTHVIZ_HIDE_BF16=1 hides it, so one machine can run what a CPU without bf16 runs."""
    if os.environ.get(HIDE_BF16, "") not in ("", "0"):
        return False
    ov = import_openvino()
    return "BF16" in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


def calibration_inputs(family: ConvertibleFamily) -> list[np.ndarray]:
    from depthviz.io.images import load_image

    return [family.preprocess(load_image(path))
            for path in sorted(CALIBRATION_PHOTOS.glob("*.jpg"))]


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


def reduced_precisions(family_name: str, weights_path: Path) -> tuple[str, ...]:
    """The reduced precisions precision="auto" weighs (each is checked before use): int8 once
    built for these weights (an explicit precision="int8" builds it: too slow to do unasked),
    bf16 where the CPU has it natively."""
    built = (cache_dir(family_name, weights_path) / "model-int8.xml").is_file()
    return (*(("int8",) if built else ()), *(("bf16",) if supports_bf16() else ()))


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


def check(family: ConvertibleFamily, weights_path: Path, model: ModelSource) -> Verdict:
    """Run OpenVINO (f32, and each reduced precision this CPU runs natively) and the reference
    engine on the calibration photos; compare their outputs, score them against the
    motorcycle's true depth, and time them on the first photo."""
    engines: dict[str, Engine] = {
        "reference": family.build_engine(family.reference_engine, weights_path)}
    for precision in ("f32", *reduced_precisions(family.name, weights_path)):
        engines[precision] = OpenVinoEngine(
            int8_model(family, weights_path, model) if precision == "int8" else model, precision)
    inputs = calibration_inputs(family)
    expected = [engines["reference"].run(batch) for batch in inputs]
    worst = {precision: min(pearson(engine.run(batch), truth)
                            for batch, truth in zip(inputs, expected))
             for precision, engine in engines.items() if precision != "reference"}
    truth_f32, truth = score_against_truth(family, {
        precision: engine for precision, engine in engines.items() if precision != "reference"})
    return Verdict(cpu=cpu_name(), reference=family.reference_engine, pearson=worst,
                   latency_ms=median_latencies_ms(engines, inputs[0]),
                   precision=choose_precision(worst, truth_f32, truth), truth_f32=truth_f32,
                   truth=truth)


def score_against_truth(family: ConvertibleFamily,
                        engines: dict[str, Engine]) -> tuple[float, dict[str, TruthScore]]:
    """Each engine's depth of the motorcycle photo scored against its true disparity: f32's
    Spearman, and each other precision's with its change from f32 (engines/precision.py)."""
    left, disparity = motorcycle()
    batch = family.preprocess(left)
    depths = {precision: family.postprocess(engine.run(batch)[0], left.shape[:2])
              for precision, engine in engines.items()}
    return truth_scores(disparity, depths.pop("f32"), depths)
