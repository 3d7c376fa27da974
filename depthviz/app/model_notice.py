"""What a page says when the model that runs is not the one a person would want, right where
the depth is needed: the reason, the stand-in's limits, and the missing weights' download in
place (not a link to another page). Pages get their model here (`active_model`).

Three cases: the chosen model cannot run (a warning: another one stands in); the picker started
on another model because the default's weights are missing (a note, until the person picks a
model); no model can run at all (an error; the page stops).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Optional

import streamlit as st

from depthviz.app.model_choice import (
    ModelChoice,
    NoModel,
    Running,
    limits_sentence,
    model_statuses,
    running_model,
)
from depthviz.app.settings import PICKED_KEY
from depthviz.app.weights_download import offer_download, show_saved
from depthviz.models import DEFAULT_MODEL, ModelStatus
from depthviz.models.depth_model import DepthModel


def running(choice: ModelChoice) -> Running:
    """What runs for a choice; stops the page with the reason (and the chosen model's download,
    when only its weights are missing) if no model can run at all."""
    outcome = running_model(choice)
    if isinstance(outcome, NoModel):
        notice(st.error, outcome.reason, outcome.missing, ":material/error:")
        st.stop()
    return outcome


def active_model(choice: ModelChoice) -> DepthModel:
    """The model a page computes with: the chosen one, else the best one that runs here, with
    what the person should know about it."""
    outcome = running(choice)
    default = missing_default(choice)
    if outcome.warning:
        notice(st.warning, outcome.warning, outcome.missing, ":material/info:")
    elif default is not None:
        notice(note, f"**{outcome.title}** runs: {default.card.title}, the default model, has "
                     f"no weights here.{limits_sentence(outcome.model.card)}",
               default, ":material/info:")
    show_saved()
    return outcome.model


def missing_default(choice: ModelChoice) -> Optional[ModelStatus]:
    """The default model, while its weights are missing and the picker, untouched, is on
    another model because of that."""
    default = model_statuses()[DEFAULT_MODEL]
    if default.weights_present or choice.name == DEFAULT_MODEL or st.session_state.get(PICKED_KEY):
        return None
    return default


def note(text: str, icon: str) -> None:
    """Something to know, nothing wrong: plain text, not an alert's colour."""
    st.markdown(f"{icon} {text}")


def notice(alert: Callable, text: str, missing: Optional[ModelStatus], icon: str,
           key_prefix: str = "get") -> None:
    """One line of `alert` (st.warning, st.info, st.error or `note`) and, beside it, the
    download of `missing`'s weights."""
    if missing is None:
        alert(text, icon=icon)
        return
    text_column, button_column = st.columns([3, 2], vertical_alignment="center")
    with text_column:
        alert(text, icon=icon)
    with button_column:
        offer_download(missing, f"{key_prefix}-{missing.card.name}")
