"""Which model the app runs: the sidebar's choice, or, when that cannot run here, the best model
that can, with the reason in words a person can act on.

The app's pages never load models themselves: they ask `running_model(choice)`. Loading is
cached per process (`st.cache_resource`), failures too, so an offline app tries once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import streamlit as st

from depthviz.errors import DepthvizError, EngineUnavailable, WeightsUnavailable
from depthviz.io.weights import model_home
from depthviz.models import ModelStatus, available_models, get_card, load_model
from depthviz.models.depth_model import DepthModel

#: The sidebar's "Detail" levels: the network input side relative to the model's official one.
#: Fewer pixels are faster, more are sharper; "Standard" is the size the model was trained at.
DETAIL_LEVELS = {"Faster": 0.6, "Standard": 1.0, "Sharper": 1.4}
DEFAULT_DETAIL = "Standard"
#: A blank photo-shaped frame run once after loading: the first inference on a fresh engine
#: allocates and compiles (2x slower), and that must not be the time shown for a photo.
WARM_UP_SHAPE = (400, 600, 3)


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


def network_side(status: ModelStatus, detail: str) -> Optional[int]:
    """What the model actually runs at for that Detail level (for people)."""
    return input_size_at(status.card.name, detail) or status.card.input_size


def model_statuses() -> dict[str, ModelStatus]:
    return {status.card.name: status for status in available_models()}


def parameter_count(parameters: int) -> str:
    """24.8 M, 335 M, 1.4 M."""
    millions = parameters / 1e6
    return f"{millions:.1f} M" if millions < 100 else f"{millions:.0f} M"


def picker_label(status: ModelStatus) -> str:
    """One line per model in the sidebar picker: name, size, licence, whether weights are here."""
    card = status.card
    licence = f"{card.licence}, non-commercial" if card.non_commercial else card.licence
    here = "" if status.weights_present else " · no weights"
    return f"{card.title} · {parameter_count(card.parameters)} · {licence}{here}"


def fallback_order(statuses: dict[str, ModelStatus], chosen: str) -> list[ModelStatus]:
    """Models with weights here, best first: the same kind of depth as the chosen one (relative
    or metric), licences that allow any use before non-commercial ones, then the largest."""
    wanted = statuses[chosen]
    present = [status for status in statuses.values()
               if status.weights_present and status.card.name != chosen]
    return sorted(present, key=lambda status: (status.card.metric != wanted.card.metric,
                                               status.card.non_commercial,
                                               -status.card.parameters))


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


def how_to_get(status: ModelStatus) -> str:
    return (f"download `{status.card.weights.filename}` on the Models page or put it in "
            f"`{model_home()}`")


def engine_note(status: ModelStatus, asked: str, model: DepthModel) -> str:
    """Why the engine is what it is, when it is not simply the one asked for."""
    if asked == "auto":
        return f"auto picked {model.engine_name}"
    if asked not in status.card.engines:
        return f"{status.card.title} has no {asked} engine, so auto picked {model.engine_name}"
    return ""


def running_model(choice: ModelChoice) -> Running | str:
    """What runs for `choice`: the chosen model, else the best model that loads, with the
    reasons; or, if nothing can run, a message saying why (the page shows it and stops)."""
    statuses = model_statuses()
    chosen = statuses[choice.name]
    loaded = load_model_once(choice.name, choice.engine, choice.input_size, choice.precision)
    if isinstance(loaded, DepthModel):
        return Running(loaded, chosen.card.title, why=engine_note(chosen, choice.engine, loaded))
    reason = missing_reason(chosen, loaded)
    for status in fallback_order(statuses, choice.name):
        engine = choice.engine if choice.engine in status.card.engines else "auto"
        fallback = load_model_once(status.card.name, engine,
                                   input_size_at(status.card.name, choice.detail))
        if not isinstance(fallback, DepthModel):
            continue
        notes = [f"{reason}, so {status.card.title} runs (the best model that can)",
                 engine_note(status, choice.engine, fallback)]
        warning = f"{reason}, so {status.card.title} runs: {how_to_get(chosen)}."
        return Running(fallback, status.card.title, why="; ".join(filter(None, notes)),
                       warning=warning)
    return f"No depth model can run: {reason}; {how_to_get(chosen)}."


def running(choice: ModelChoice) -> Running:
    """What runs for a choice; stops the page with the reason if no model can run at all."""
    outcome = running_model(choice)
    if isinstance(outcome, str):
        st.error(outcome, icon=":material/error:")
        st.stop()
    return outcome


def active_model(choice: ModelChoice) -> DepthModel:
    """The chosen model, else the best one that runs here, with one line saying why and how to
    get the chosen one; stops the page with an error if no model can run at all."""
    outcome = running(choice)
    if outcome.warning:
        st.warning(outcome.warning, icon=":material/info:")
    return outcome.model
