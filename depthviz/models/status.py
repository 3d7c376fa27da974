"""What this machine has of each model: its weights, what engine="auto" picks, and the engine
and precision choices a picker may offer. Nothing is fetched, built or converted."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from depthviz.engines.base import installed_engines
from depthviz.engines.openvino_cache import usable_verdict
from depthviz.engines.openvino_engine import runnable_precisions
from depthviz.engines.policy import (
    EngineChoice,
    EngineFacts,
    EngineRequest,
    choose_engine,
    offered_precisions,
)
from depthviz.models.card import ModelCard
from depthviz.models.registry import REGISTRY, get_card


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """One model as `available_models()` reports it: its card and the local facts."""

    card: ModelCard
    weights_path: Optional[Path]  # None when no usable copy is on disk
    auto: EngineChoice  # what engine="auto" picks here (as far as checked), and why

    @property
    def weights_present(self) -> bool:
        return self.weights_path is not None


def available_models() -> list[ModelStatus]:
    """Every registered model with whether its weights are on disk (nothing is fetched)."""
    installed = installed_engines()
    return [model_status(entry.card, entry.card.weights.find(), installed)
            for entry in REGISTRY.values()]


def model_status(card: ModelCard, weights_path: Optional[Path],
                 installed: frozenset[str]) -> ModelStatus:
    """The card with these weights: engine="auto" as decided by the stored accuracy verdict
    (none yet: decided on first load)."""
    verdict = None
    if weights_path is not None and "openvino" in card.engines and "openvino" in installed:
        verdict = usable_verdict(card.name, weights_path)
    facts = EngineFacts(installed, verdict=verdict)
    return ModelStatus(card, weights_path, choose_engine(card, EngineRequest(), facts))


def engine_options(name: str) -> dict[str, tuple[str, ...]]:
    """The engine= choices a picker may offer for a model ("auto" first), each with the
    precision= choices that go with it on this machine."""
    card = get_card(name)
    runnable = _runnable_precisions() if "openvino" in installed_engines() else ("f32",)
    return {engine: offered_precisions(card, engine, runnable)
            for engine in ("auto", *card.engines)}


@lru_cache(maxsize=1)
def _runnable_precisions() -> tuple[str, ...]:
    """Probed once per process: pickers ask on every rerun, and the CPU does not change."""
    return runnable_precisions()
