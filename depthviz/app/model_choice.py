"""Which model the app runs: the sidebar's choice, or, when that cannot run here, the best model
that can, with the reason in words a person can act on; and the model the picker starts on.

The app's pages never load models themselves: they ask `running_model(choice)` (through
model_notice.py, which also says what the page should). Loading is cached per process
(`st.cache_resource`), failures too, so an offline app tries once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import streamlit as st

from depthviz.errors import DepthvizError, EngineUnavailable, WeightsUnavailable
from depthviz.models import (
    DEFAULT_MODEL,
    OFFLINE_MODEL,
    ModelCard,
    ModelStatus,
    available_models,
    engine_options,
    get_card,
    load_model,
)
from depthviz.models.depth_model import DepthModel
from depthviz.models.fastdepth import SCENE_LIMITS

#: The sidebar's "Detail" levels: the network input side relative to the model's official one.
#: Fewer pixels are faster, more are sharper; "Standard" is the size the model was trained at.
DETAIL_LEVELS = {"Faster": 0.6, "Standard": 1.0, "Sharper": 1.4}
DEFAULT_DETAIL = "Standard"
#: A blank photo-shaped frame run once after loading: the first inference on a fresh engine
#: allocates and compiles (2x slower), and that must not be the time shown for a photo.
WARM_UP_SHAPE = (400, 600, 3)
#: What to expect from a model away from its training data, said wherever it stands in.
STAND_IN_LIMITS = {OFFLINE_MODEL: SCENE_LIMITS}


@dataclass(frozen=True)
class ModelChoice:
    """A model as chosen in the sidebar (hashable: it keys the model cache)."""

    name: str
    engine: str = "auto"
    detail: str = DEFAULT_DETAIL
    precision: str = "auto"

    @property
    def input_size(self) -> Optional[int]:
        return input_size_at(self.name, self.detail)


@dataclass(frozen=True)
class Running:
    """The model that runs for a choice, and why it is not the chosen one (empty if it is)."""

    model: DepthModel
    title: str
    why: str = ""  # for the sidebar: every reason it differs from the choice
    warning: str = ""  # for the page: one line when the chosen model cannot run at all
    missing: Optional[ModelStatus] = None  # the chosen model, when only its weights are missing


@dataclass(frozen=True)
class NoModel:
    """Why no model can run for a choice (the page shows it and stops)."""

    reason: str
    missing: Optional[ModelStatus] = None  # the chosen model, when only its weights are missing


def input_size_at(name: str, detail: str) -> Optional[int]:
    """The network input side for a Detail level: None means the model's official size (also
    for models with a fixed input size, which Detail cannot change)."""
    card = get_card(name)
    factor = DETAIL_LEVELS.get(detail, 1.0)
    if factor == 1.0 or card.input_multiple is None:
        return None
    step = card.input_multiple
    return max(step, round(card.input_size * factor / step) * step)


def detail_adjustable(name: str) -> bool:
    """Whether Detail changes this model's input size (some networks take one size only)."""
    return get_card(name).input_multiple is not None


def model_statuses() -> dict[str, ModelStatus]:
    return {status.card.name: status for status in available_models()}


def parameter_count(parameters: int) -> str:
    """24.8 M, 335 M, 1.4 M."""
    millions = parameters / 1e6
    return f"{millions:.1f} M" if millions < 100 else f"{millions:.0f} M"


def licence_words(card: ModelCard) -> str:
    """"MIT", "CC-BY-NC-4.0, non-commercial"."""
    return f"{card.licence}, non-commercial" if card.non_commercial else card.licence


def picker_label(status: ModelStatus) -> str:
    """One line per model in the sidebar picker: name, size, licence, whether weights are here."""
    card = status.card
    here = "" if status.weights_present else " · no weights"
    return f"{card.title} · {parameter_count(card.parameters)} · {licence_words(card)}{here}"


def limits_sentence(card: ModelCard) -> str:
    """" FastDepth was trained on indoor scenes only (...)." for a model with known limits."""
    limits = STAND_IN_LIMITS.get(card.name)
    return f" {card.title} was {limits}." if limits else ""


def fallback_order(statuses: dict[str, ModelStatus], chosen: str) -> list[ModelStatus]:
    """Models with weights here, best first: the same kind of depth as the chosen one (relative
    or metric), licences that allow any use before non-commercial ones, then the largest."""
    wanted = statuses[chosen]
    present = [status for status in statuses.values()
               if status.weights_present and status.card.name != chosen]
    return sorted(present, key=lambda status: (status.card.metric != wanted.card.metric,
                                               status.card.non_commercial,
                                               -status.card.parameters))


def starting_model() -> str:
    """The model the picker starts on: the default where its weights are here, else the best
    model whose weights are (never a non-commercial one), else the default again (the pages
    then offer its download)."""
    statuses = model_statuses()
    if statuses[DEFAULT_MODEL].weights_present:
        return DEFAULT_MODEL
    usable = [status.card.name for status in fallback_order(statuses, DEFAULT_MODEL)
              if not status.card.non_commercial]
    return usable[0] if usable else DEFAULT_MODEL


def warm_up(model: DepthModel) -> DepthModel:
    """Run the model once on a blank frame, so the first photo is timed on a warm engine."""
    model.predict(np.zeros(WARM_UP_SHAPE, np.uint8))
    return model


@st.cache_resource(show_spinner="Loading the model…")
def load_model_once(name: str, engine: str, input_size: Optional[int] = None,
                    precision: str = "auto") -> DepthModel | DepthvizError:
    """The model (warmed up), or why it cannot load. Failures are cached too, so an offline app
    tries a download once per process rather than on every rerun (the Models page clears this)."""
    try:
        return warm_up(load_model(name, engine=engine, input_size=input_size,
                                  precision=precision, download=False))
    except DepthvizError as exc:
        return exc
    except Exception as exc:  # a broken install or engine must not take the app down
        return EngineUnavailable(f"{name} failed to load on engine '{engine}': {exc}")


def missing_reason(status: ModelStatus, error: DepthvizError) -> str:
    """Why a model cannot run, short: "has no weights here" or the loader's own words."""
    if isinstance(error, WeightsUnavailable):
        return f"{status.card.title} has no weights here"
    return f"{status.card.title} cannot run here ({error})"


def engine_note(status: ModelStatus, asked: str, model: DepthModel) -> str:
    """Why the engine is what it is, when it is not simply the one asked for."""
    if asked == "auto":
        return f"auto picked {model.engine_name}"
    if asked not in status.card.engines:
        return f"{status.card.title} has no {asked} engine, so auto picked {model.engine_name}"
    return ""


def running_model(choice: ModelChoice) -> Running | NoModel:
    """What runs for `choice`: the chosen model, else the best model that loads (with the
    sidebar's engine, detail and precision where it has them), with the reasons; or why
    nothing can run."""
    statuses = model_statuses()
    chosen = statuses[choice.name]
    loaded = load_model_once(choice.name, choice.engine, choice.input_size, choice.precision)
    if isinstance(loaded, DepthModel):
        return Running(loaded, chosen.card.title, why=engine_note(chosen, choice.engine, loaded))
    reason = missing_reason(chosen, loaded)
    missing = chosen if isinstance(loaded, WeightsUnavailable) else None
    for status in fallback_order(statuses, choice.name):
        name = status.card.name
        engine = choice.engine if choice.engine in status.card.engines else "auto"
        precision = (choice.precision if choice.precision in engine_options(name).get(engine, ())
                     else "auto")
        fallback = load_model_once(name, engine, input_size_at(name, choice.detail), precision)
        if not isinstance(fallback, DepthModel):
            continue
        notes = [f"{reason}, so {status.card.title} runs (the best model that can)",
                 engine_note(status, choice.engine, fallback)]
        warning = f"{reason}, so {status.card.title} runs.{limits_sentence(status.card)}"
        return Running(fallback, status.card.title, why="; ".join(filter(None, notes)),
                       warning=warning, missing=missing)
    return NoModel(f"No depth model can run: {reason}.", missing)
