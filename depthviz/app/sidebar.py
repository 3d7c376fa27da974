"""The sidebar: the app-wide model and colour choices, rendered on every page so they persist
(their widget keys are the session state keys that `settings()` reads)."""

from __future__ import annotations

import streamlit as st

from depthviz.app.model_choice import (
    DETAIL_LEVELS,
    NoModel,
    Running,
    detail_adjustable,
    model_statuses,
    picker_label,
    running_model,
    starting_model,
)
from depthviz.app.settings import DEFAULT_SETTINGS, PICKED_KEY, settings
from depthviz.models import ModelStatus, engine_options
from depthviz.outputs.colorize import DEPTH_COLORMAPS, colormap_choices


def sidebar() -> None:
    """The model, how it runs, what runs, and the colours."""
    state = st.session_state
    if not state.get(PICKED_KEY):  # until the person picks one: the best that can run here
        state["model"] = starting_model()
    for key, value in DEFAULT_SETTINGS.items():
        state.setdefault(key, value)
    with st.sidebar:
        status = _model_picker()
        _keep_engine_choices_valid(status)
        runs = running_model(settings().choice)
        _detail_slider(status, runs)
        _engine_pickers(status)
        _running_caption(runs)
        _colour_pickers()


def _model_picker() -> ModelStatus:
    """The model select box; returns the chosen model's status."""
    statuses = model_statuses()
    st.selectbox("Model", list(statuses), key="model",
                 format_func=lambda name: picker_label(statuses[name]),
                 on_change=lambda: st.session_state.update({PICKED_KEY: True}),
                 help="Name · parameters · licence of the weights · whether they are here. "
                      "It starts on the best model whose weights are here; a page that needs "
                      "missing weights offers their download.")
    return statuses[st.session_state["model"]]


def _detail_slider(status: ModelStatus, runs: Running | NoModel) -> None:
    """Detail acts on the model that runs (a stand-in included); disabled, with the reason,
    when that model takes one input size only."""
    card = runs.model.card if isinstance(runs, Running) else status.card
    side = runs.model.input_size if isinstance(runs, Running) else card.input_size
    fixed = not detail_adjustable(card.name)
    reason = (f"{card.title} takes one input size, {card.input_size} px: Detail cannot change it."
              if fixed else f"{card.title}: {side} px (standard {card.input_size} px).")
    st.select_slider("Detail", list(DETAIL_LEVELS), key="detail", disabled=fixed,
                     help=f"The network's input size: fewer pixels are faster, more are "
                          f"sharper. {reason}")
    if fixed:
        st.caption(reason)


def _keep_engine_choices_valid(status: ModelStatus) -> None:
    """An engine or precision the chosen model cannot honour falls back to "auto"."""
    state = st.session_state
    if state["engine"] not in ("auto", *status.card.engines):
        state["engine"] = "auto"
    if state["precision"] not in engine_options(status.card.name).get(state["engine"], ("auto",)):
        state["precision"] = "auto"


def _engine_pickers(status: ModelStatus) -> None:
    """Engine and precision, each shown only when there is more than one to choose from."""
    engines = status.card.engines
    if len(engines) > 1:
        st.selectbox("Engine", ["auto", *engines], key="engine")
    precisions = engine_options(status.card.name).get(st.session_state["engine"], ("auto",))
    if len(precisions) > 1:
        st.selectbox("Precision", precisions, key="precision",
                     help="auto: a reduced precision only where it was shown not to hurt "
                          "this model's depth on this CPU (README, Performance); f32 is full "
                          "precision.")


def _running_caption(runs: Running | NoModel) -> None:
    """What really runs, and why when it is not exactly what was chosen."""
    if isinstance(runs, Running):
        st.caption(f"Runs: **{runs.title}** on {runs.model.engine_name} "
                   f"{runs.model.engine.precision} at "
                   f"{runs.model.input_size} px" + (f" ({runs.why})" if runs.why else ""))


def _colour_pickers() -> None:
    state = st.session_state
    other = state["cmap"] not in DEPTH_COLORMAPS  # e.g. chosen on the Colormaps page
    if other:
        state["more_colormaps"] = True
    st.selectbox("Colormap", colormap_choices(state.get("more_colormaps", False)), key="cmap")
    st.checkbox("More colormaps", key="more_colormaps", disabled=other,
                help=f"On while the colormap in use, {state['cmap']}, is one of the others."
                if other else "Off: only the maps that suit depth. On: every other distinct "
                              "map too.")
    st.toggle("Invert colours", key="invert",
              help="Swaps the ends of the colormap: near takes the colour far had. The "
                   "colour bar under the heatmap shows which colour is near (right).")
