"""The sidebar: the app-wide model and colour choices, rendered on every page so they persist
(their widget keys are the session state keys that `settings()` reads)."""

from __future__ import annotations

import streamlit as st

from depthviz.app.model_choice import (
    DETAIL_LEVELS,
    Running,
    detail_adjustable,
    model_statuses,
    network_side,
    picker_label,
    running_model,
)
from depthviz.app.settings import DEFAULT_SETTINGS, settings
from depthviz.models import ModelStatus, engine_options
from depthviz.outputs.colorize import DEPTH_COLORMAPS, colormap_choices


def sidebar() -> None:
    """The model, how it runs, what runs, and the colours."""
    state = st.session_state
    for key, value in DEFAULT_SETTINGS.items():
        state.setdefault(key, value)
    with st.sidebar:
        status = _model_picker()
        _detail_slider(status)
        _engine_pickers(status)
        _running_caption()
        _colour_pickers()


def _model_picker() -> ModelStatus:
    """The model select box; returns the chosen model's status."""
    statuses = model_statuses()
    st.selectbox("Model", list(statuses), key="model",
                 format_func=lambda name: picker_label(statuses[name]),
                 help="Name · parameters · licence of the weights · whether they are here. "
                      "Weights come from the Models page.")
    return statuses[st.session_state["model"]]


def _detail_slider(status: ModelStatus) -> None:
    fixed = not detail_adjustable(status.card.name)
    st.select_slider("Detail", list(DETAIL_LEVELS), key="detail", disabled=fixed,
                     help=f"The network's input size: fewer pixels are faster, more are "
                          f"sharper. {status.card.title}: "
                          f"{network_side(status, st.session_state['detail'])}"
                          f" px (standard {status.card.input_size} px"
                          + (", fixed)." if fixed else ")."))


def _engine_pickers(status: ModelStatus) -> None:
    """Engine and precision, each shown only when there is more than one to choose from; a
    choice the new model cannot honour falls back to "auto"."""
    state = st.session_state
    engines = status.card.engines
    if len(engines) > 1:
        if state["engine"] not in ("auto", *engines):
            state["engine"] = "auto"
        st.selectbox("Engine", ["auto", *engines], key="engine")
    precisions = engine_options(status.card.name).get(state["engine"], ("auto",))
    if state["precision"] not in precisions:
        state["precision"] = "auto"
    if len(precisions) > 1:
        st.selectbox("Precision", precisions, key="precision",
                     help="auto: a reduced precision only where it was shown not to hurt "
                          "this model's depth on this CPU (README, Performance); f32 is full "
                          "precision.")


def _running_caption() -> None:
    """What really runs, and why when it is not exactly what was chosen."""
    runs = running_model(settings().choice)
    if isinstance(runs, Running):
        st.caption(f"Runs: **{runs.title}** on {runs.model.engine_name} "
                   f"{runs.model.engine.precision} at "
                   f"{runs.model.input_size} px" + (f" ({runs.why})" if runs.why else ""))


def _colour_pickers() -> None:
    state = st.session_state
    if state["cmap"] not in DEPTH_COLORMAPS:  # e.g. chosen on the Colormaps page
        state["more_colormaps"] = True
    st.selectbox("Colormap", colormap_choices(state.get("more_colormaps", False)), key="cmap")
    st.checkbox("More colormaps", key="more_colormaps",
                disabled=state["cmap"] not in DEPTH_COLORMAPS,
                help="Off: only the maps that suit depth. On: every other distinct map too.")
    st.toggle("Invert colours", key="invert",
              help="Swaps the ends of the colormap: near takes the colour far had. The "
                   "colour bar under the heatmap shows which colour is near (right).")
