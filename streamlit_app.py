"""depthviz Streamlit app (entry point). Built out in the app issue."""

import streamlit as st

import depthviz

st.set_page_config(page_title="depthviz", layout="wide")
st.title("depthviz")
upload = st.file_uploader("Photo")
if upload is not None:
    try:
        rgb = depthviz.load_image(upload)
    except depthviz.ImageError as exc:
        st.error(str(exc))
    else:
        st.image(rgb)
