"""The app-wide choices made in the sidebar, kept in session state so they follow the user from
page to page."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from depthviz.app.model_choice import DEFAULT_DETAIL, ModelChoice, starting_model
from depthviz.app.photos import DEFAULT_EXAMPLE
from depthviz.outputs.colorize import DEFAULT_COLORMAP

#: Session state key -> its value before the user chooses (the model: `starting_model()`).
DEFAULT_SETTINGS = {"engine": "auto", "detail": DEFAULT_DETAIL, "precision": "auto",
                    "cmap": DEFAULT_COLORMAP, "invert": False, "example": DEFAULT_EXAMPLE}
#: Session state key set once the person picks a model (the picker's start was not theirs).
PICKED_KEY = "model_picked"


@dataclass(frozen=True)
class Settings:
    """The app-wide choices made in the sidebar."""

    model: str
    engine: str
    detail: str
    precision: str
    cmap: str
    invert: bool

    @property
    def choice(self) -> ModelChoice:
        return ModelChoice(self.model, self.engine, self.detail, self.precision)


def settings() -> Settings:
    """The sidebar's current choices (the defaults before the sidebar first ran)."""
    state = st.session_state
    return Settings(state.get("model") or starting_model(),
                    *(state.get(key, DEFAULT_SETTINGS[key])
                      for key in ("engine", "detail", "precision", "cmap", "invert")))


def use_colormap(name: str) -> None:
    """Button callback: make `name` the app-wide colormap (callbacks run before the sidebar)."""
    st.session_state["cmap"] = name
