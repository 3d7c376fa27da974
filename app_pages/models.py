"""Models: which models exist, which weights are present, and how to add missing ones."""

import streamlit as st

import depthviz
from depthviz import webapp
from depthviz.weights import model_home

st.header("Models")
if "fetched" in st.session_state:
    st.success(st.session_state.pop("fetched"), icon=":material/check_circle:")
st.caption(f"Weights live in `{model_home()}` (set the DEPTHVIZ_HOME environment variable to use "
           "another folder).")


def fetch(status) -> None:
    """Download one model's weights with a progress bar; on success, reload the models."""
    bar = st.progress(0.0, text=f"Fetching {status.weights_file}…")

    def report(done: int, total: int) -> None:
        fraction = done / total if total else 0.0
        bar.progress(min(fraction, 1.0), text=f"{status.weights_file}: {done / 1e6:.1f} MB")

    try:
        path = depthviz.fetch_weights(status.name, progress=report)
    except depthviz.WeightsUnavailable as exc:
        bar.empty()
        st.error(str(exc), icon=":material/cloud_off:")
        return
    webapp.load_model_once.clear()  # forget "weights missing" and load the real thing
    title = webapp.model_title(status.description)
    st.session_state["fetched"] = f"Saved {path}; {title} is ready."
    st.rerun()


for status in depthviz.available_models():
    with st.container(border=True):
        st.subheader(webapp.model_title(status.description))
        st.write(status.description)
        st.caption(f"Name `{status.name}` · engines: {', '.join(status.engines)} "
                   f"(auto picks {status.auto_engine})")
        if status.weights_present:
            st.success(f"Weights present: `{status.weights_path}`", icon=":material/check_circle:")
            continue
        st.warning(f"Weights missing: `{status.weights_file}`", icon=":material/warning:")
        st.markdown(f"To add them offline, copy **`{status.weights_file}`** (from "
                    f"{status.weights_origin}) into this folder:")
        st.code(str(model_home()), language=None)
        if st.button(f"Download {status.weights_file}", key=f"fetch-{status.name}",
                     icon=":material/download:"):
            fetch(status)
