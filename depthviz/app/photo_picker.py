"""The photo picker (an upload box and an example box) and the photo it makes current, kept in
session state across pages.

What is shown, the uploader and the example box must always agree:
- an upload empties the example box (so choosing any example, even the one shown before, is a
  change that takes effect);
- an example empties the uploader (a new widget key);
- after a page switch Streamlit has forgotten the uploader's file (it cannot be refilled), so
  the upload still shown is named under it with its own Remove button.
"""

from __future__ import annotations

import streamlit as st

from depthviz.app.photos import DEFAULT_EXAMPLE, EXAMPLES, Photo
from depthviz.app.uploads import MEDIA_UPLOAD_MB, UPLOAD_HINT, UPLOAD_TYPES


def current_photo() -> Photo:
    """The upload being looked at, else the chosen example photo."""
    state = st.session_state
    return state.get("photo") or Photo.example(state.get("example") or DEFAULT_EXAMPLE)


def photo_picker() -> None:
    """Upload widget and example picker; the choice is kept in session state across pages."""
    state = st.session_state
    upload_key = f"upload-{state.get('uploads', 0)}"
    photo = state.get("photo")
    if photo is None and state.get("example") is None:
        state["example"] = DEFAULT_EXAMPLE
    upload_column, example_column = st.columns([3, 1], vertical_alignment="bottom")
    upload_column.file_uploader("Photo", type=UPLOAD_TYPES, key=upload_key,
                                max_upload_size=MEDIA_UPLOAD_MB,
                                on_change=_take_upload, args=(upload_key,),
                                help=f"{UPLOAD_HINT} Kept in memory only, never written to disk.")
    example_column.selectbox("…or an example photo", list(EXAMPLES), key="example",
                             on_change=_take_example, persist_state="session",
                             placeholder="Choose one",
                             help="Choosing one replaces the uploaded photo.")
    if photo is not None and state.get(upload_key) is None:  # the uploader forgot it
        name_column, remove_column = upload_column.columns([3, 1], vertical_alignment="center")
        name_column.caption(f"Showing your upload **{photo.name}** (kept in memory).")
        remove_column.button("Remove", key="remove-upload", on_click=_remove_upload,
                             icon=":material/close:", type="tertiary",
                             help="Forget this photo and show the example again.")


def _take_upload(key: str) -> None:
    state = st.session_state
    upload = state.get(key)
    if upload is None:  # removed in the uploader: back to the example shown before it
        _show_example(state.pop("example_before_upload", DEFAULT_EXAMPLE))
        return
    if state.get("example") is not None:
        state["example_before_upload"] = state["example"]
    state["photo"] = Photo.upload(upload.name, upload.getvalue())
    state["example"] = None


def _show_example(name: str) -> None:
    state = st.session_state
    state.pop("photo", None)
    state["example"] = name
    state["uploads"] = state.get("uploads", 0) + 1  # a new, empty uploader


def _take_example() -> None:
    state = st.session_state
    if state.get("example") is None:  # never shown while no photo is uploaded; just in case
        state["example"] = DEFAULT_EXAMPLE
    state.pop("example_before_upload", None)
    _show_example(state["example"])


def _remove_upload() -> None:
    _show_example(st.session_state.pop("example_before_upload", DEFAULT_EXAMPLE))
