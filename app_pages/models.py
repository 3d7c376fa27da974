"""Models: every model with its size, input, licence, weights file and measured speed here, and
two ways to add missing weights: download them, or upload the file (checked, then saved)."""

import streamlit as st

import depthviz
from depthviz.app import timings
from depthviz.app.model_choice import parameter_count
from depthviz.app.weights_download import fetch, saved, show_saved, weights_mb, weights_size
from depthviz.io.weights import model_home
from depthviz.models import ModelStatus, install_weights

#: Largest weights file the browser may upload (MB; also the server's limit in
#: .streamlit/config.toml). Bigger files (the Base and Large networks) are copied by hand.
WEIGHTS_UPLOAD_MB = 200
#: Height of a table row: three lines, so long names and licences wrap (Streamlit wraps a
#: table's text only in rows taller than 4rem) and the table fits a 1440 px wide window.
ROW_PX = 66
HEADER_PX = 35
#: Column -> width in pixels: together about 940 px, the main column's width at 1440 px.
COLUMN_PX = {"Model": 165, "Here": 64, "Time per photo": 120, "Parameters": 86, "Input": 62,
             "Depth": 82, "Licence": 120, "Weights file": 240}


def licence_cell(status: ModelStatus) -> str:
    card = status.card
    return f"{card.licence} (non-commercial)" if card.non_commercial else card.licence


def speed_words(name: str) -> str:
    """Time per photo measured in this app on this computer, or that it has not run yet."""
    measured = timings.timings(name)
    if not measured:
        return "not run yet"
    fastest = measured[0]
    return f"{fastest.seconds * 1000:.0f} ms · {fastest.engine} · {fastest.runs}×"


def overview(statuses: list[ModelStatus]) -> list[dict]:
    return [{"Model": status.card.title,
             "Here": "yes" if status.weights_present else "missing",
             "Time per photo": speed_words(status.card.name),
             "Parameters": parameter_count(status.card.parameters),
             "Input": f"{status.card.input_size} px" if status.card.input_size else "any",
             "Depth": "metric (metres)" if status.card.metric else "relative",
             "Licence": licence_cell(status),
             "Weights file": status.card.weights.filename} for status in statuses]


def uploadable(status: ModelStatus) -> bool:
    return weights_mb(status.card) <= WEIGHTS_UPLOAD_MB * 0.95


def install_upload(status: ModelStatus, key: str) -> None:
    """Uploader callback: check the uploaded file and save it as this model's weights."""
    upload = st.session_state.get(key)
    if upload is None:
        return
    try:
        path = install_weights(status.card.name, upload.getvalue())
    except depthviz.WeightsUnavailable as exc:
        st.session_state[f"{key}-error"] = (
            f"`{upload.name}` was not saved: {exc.reason or 'it could not be checked'}. "
            f"The {status.card.title} weights file is `{status.card.weights.filename}` from "
            f"{status.card.weights.origin}.")
        return
    saved(status, path)


def add_weights(status: ModelStatus) -> None:
    """Download button, upload box and the folder, for a model whose weights are missing."""
    st.caption(f"`{status.card.weights.filename}` comes from {status.card.weights.origin}.")
    size = weights_size(status.card)
    if st.button(f"Download {status.card.weights.filename} ({size})",
                 key=f"fetch-{status.card.name}", icon=":material/download:"):
        fetch(status, "upload it below, or " if uploadable(status) else "")
    if uploadable(status):
        key = f"weights-upload-{status.card.name}"
        st.file_uploader(f"…or upload `{status.card.weights.filename}` ({size})",
                         type=[status.card.weights.filename.rsplit(".", 1)[-1]], key=key,
                         max_upload_size=WEIGHTS_UPLOAD_MB, on_change=install_upload,
                         args=(status, key),
                         help="Checked (it must load as this model's weights), then saved in "
                              "the folder below.")
        if f"{key}-error" in st.session_state:
            st.error(st.session_state.pop(f"{key}-error"), icon=":material/error:")
        st.caption("…or copy it into this folder and reload the page:")
    else:
        st.caption(f"At {size} it is too large to upload through the browser: copy it into "
                   "this folder and reload the page:")
    st.code(str(model_home()), language=None)


st.header("Models")
show_saved()
statuses = depthviz.available_models()
st.caption("Time per photo is measured in this app on this computer, once a model has run. "
           "Non-commercial weights may not be used for commercial work.")
helps = {"Time per photo": "The median over the photos this model has run in the app on this "
                           "computer (×: how many), and its engine."}
st.dataframe(overview(statuses), hide_index=True, row_height=ROW_PX,
             height=HEADER_PX + ROW_PX * len(statuses) + 3,
             column_config={name: st.column_config.TextColumn(
                 width=width, pinned=name == "Model", help=helps.get(name))
                 for name, width in COLUMN_PX.items()})
st.caption(f"Weights live in `{model_home()}` (set the DEPTHVIZ_HOME environment variable to use "
           "another folder).")

missing = [status for status in statuses if not status.weights_present]
if missing:
    st.subheader("Add weights")
    for status in missing:
        with st.expander(f"{status.card.title} · `{status.card.weights.filename}`"):
            add_weights(status)
