"""Getting a model's missing weights from inside the app: a download with a progress bar, asked
for on the Models page or right where a page needs the weights, and the line said after it."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import depthviz
from depthviz.app.model_choice import licence_words, load_model_once
from depthviz.io.weights import model_home
from depthviz.models import ModelCard, ModelStatus

#: Bytes per parameter of a float32 checkpoint, to tell the size of a file not yet here.
BYTES_PER_PARAMETER = 4
#: Session state: the line to show once weights were saved.
SAVED_KEY = "fetched"


def weights_mb(card: ModelCard) -> float:
    """About how large the model's weights file is, in MB (from its parameter count)."""
    return card.parameters * BYTES_PER_PARAMETER / 1e6


def weights_size(card: ModelCard) -> str:
    """"~85 MB", "~1.3 GB" (estimated from the parameter count)."""
    size = weights_mb(card)
    return f"~{size / 1000:.1f} GB" if size >= 1000 else f"~{size:.0f} MB"


def saved(status: ModelStatus, path: Path) -> None:
    """After new weights: forget the cached "weights missing" and say so on the next run (a
    picker the person has not touched moves to the best model that can run now)."""
    load_model_once.clear()
    st.session_state[SAVED_KEY] = f"Saved `{path}`; {status.card.title} is ready."


def show_saved() -> None:
    """The line `saved` left for this run, once."""
    if SAVED_KEY in st.session_state:
        st.success(st.session_state.pop(SAVED_KEY), icon=":material/check_circle:")


def fetch(status: ModelStatus, if_you_have_it: str) -> None:
    """Download one model's weights with a progress bar (the person asked for it), then rerun;
    if it fails, say why in plain words and what to do (`if_you_have_it`: where else the file
    can go, e.g. "upload it below, or ")."""
    filename = status.card.weights.filename
    bar = st.progress(0.0, text=f"Fetching {filename}…")

    def report(done: int, total: int) -> None:
        fraction = done / total if total else 0.0
        bar.progress(min(fraction, 1.0), text=f"{filename}: {done / 1e6:.1f} MB")

    try:
        path = depthviz.fetch_weights(status.card.name, progress=report)
    except depthviz.WeightsUnavailable as exc:
        bar.empty()
        reason = exc.reason or "the download did not complete"
        st.error(f"Could not download `{filename}`: {reason}. If you have the file, "
                 f"{if_you_have_it}copy it into `{model_home()}` and reload this page.",
                 icon=":material/cloud_off:")
        return
    saved(status, path)
    st.rerun()


def offer_download(status: ModelStatus, key: str) -> None:
    """The download button for a model whose weights are missing, where they are needed: its
    size and licence on the button, the file and its origin in the tooltip."""
    card = status.card
    if st.button(f"Download {card.title} ({weights_size(card)}, {licence_words(card)})",
                 key=key, icon=":material/download:", width="stretch",
                 help=f"`{card.weights.filename}` from {card.weights.origin}, saved in "
                      f"`{model_home()}`."):
        fetch(status, "upload it on the Models page, or ")
