"""Models: every model with its size, input, licence, weights file and measured speed here, and
two ways to add missing weights: download them, or upload the file (checked, then saved)."""

import streamlit as st

import depthviz
from depthviz.app import timings
from depthviz.app.model_choice import load_model_once, parameter_count
from depthviz.io.weights import model_home
from depthviz.models import ModelStatus, install_weights

#: Largest weights file the browser may upload (MB; also the server's limit in
#: .streamlit/config.toml). Bigger files (the Base and Large networks) are copied by hand.
WEIGHTS_UPLOAD_MB = 200
#: Bytes per parameter of a float32 checkpoint, to tell the size of a file not yet here.
BYTES_PER_PARAMETER = 4
#: Height of a table row, so the models table shows every row without its own scroll bar.
ROW_PX = 35


def licence_words(status: ModelStatus) -> str:
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
             "Licence": licence_words(status),
             "Weights file": status.card.weights.filename} for status in statuses]


def uploadable(status: ModelStatus) -> bool:
    return weights_mb(status) <= WEIGHTS_UPLOAD_MB * 0.95


def weights_mb(status: ModelStatus) -> float:
    return status.card.parameters * BYTES_PER_PARAMETER / 1e6


def ready(status: ModelStatus, path) -> None:
    """After new weights: forget the cached "weights missing" and say so on the next run."""
    load_model_once.clear()
    st.session_state["fetched"] = f"Saved `{path}`; {status.card.title} is ready."


def fetch(status: ModelStatus) -> None:
    """Download one model's weights with a progress bar (the person asked for it)."""
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
        upload = "upload it below, or " if uploadable(status) else ""
        st.error(f"Could not download `{filename}`: {reason}. If you have the file, "
                 f"{upload}copy it into `{model_home()}` and reload this page.",
                 icon=":material/cloud_off:")
        return
    ready(status, path)
    st.rerun()


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
    ready(status, path)


def add_weights(status: ModelStatus) -> None:
    """Download button, upload box and the folder, for a model whose weights are missing."""
    st.caption(f"`{status.card.weights.filename}` comes from {status.card.weights.origin}.")
    if st.button(f"Download {status.card.weights.filename}", key=f"fetch-{status.card.name}",
                 icon=":material/download:"):
        fetch(status)
    size_mb = weights_mb(status)
    if uploadable(status):
        key = f"weights-upload-{status.card.name}"
        st.file_uploader(f"…or upload `{status.card.weights.filename}` (about {size_mb:.0f} MB)",
                         type=[status.card.weights.filename.rsplit(".", 1)[-1]], key=key,
                         max_upload_size=WEIGHTS_UPLOAD_MB, on_change=install_upload,
                         args=(status, key),
                         help="Checked (it must load as this model's weights), then saved in "
                              "the folder below.")
        if f"{key}-error" in st.session_state:
            st.error(st.session_state.pop(f"{key}-error"), icon=":material/error:")
        st.caption("…or copy it into this folder and reload the page:")
    else:
        st.caption(f"At about {size_mb:.0f} MB it is too large to upload through the browser: "
                   "copy it into this folder and reload the page:")
    st.code(str(model_home()), language=None)


st.header("Models")
if "fetched" in st.session_state:
    st.success(st.session_state.pop("fetched"), icon=":material/check_circle:")
statuses = depthviz.available_models()
st.caption("Time per photo is measured in this app on this computer, once a model has run. "
           "Non-commercial weights may not be used for commercial work.")
st.dataframe(overview(statuses), hide_index=True, height=ROW_PX * (len(statuses) + 1) + 3,
             column_config={
                 "Model": st.column_config.TextColumn(pinned=True),
                 "Time per photo": st.column_config.TextColumn(
                     width="medium", help="The median over the photos this model has run in the "
                                          "app on this computer (×: how many), and its engine.")})
st.caption(f"Weights live in `{model_home()}` (set the DEPTHVIZ_HOME environment variable to use "
           "another folder).")

missing = [status for status in statuses if not status.weights_present]
if missing:
    st.subheader("Add weights")
    for status in missing:
        with st.expander(f"{status.card.title} · `{status.card.weights.filename}`"):
            add_weights(status)
