"""depthviz Streamlit app: `streamlit run streamlit_app.py` (or `make app`).

Add a page by adding one st.Page line below; the sidebar settings are shared by all pages.
Page files live in app_pages/, not pages/: Streamlit still runs a `pages/` folder next to the
entry script as a legacy multipage app on a server's first request (a deep link to
/batch would then show the page without this file's sidebar and navigation).
"""

import logging

import streamlit as st

from depthviz.app import webapp

# An emoji icon is drawn locally as an inline SVG; a ":material/...:" page icon would make every
# browser fetch it from fonts.gstatic.com (tests/e2e/test_privacy_browser.py).
st.set_page_config(page_title="depthviz", page_icon="🏞️", layout="wide")
webapp.keep_uploads_in_memory()
webapp.page_style()

PAGES = [
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare:", default=True),
    st.Page("app_pages/colormaps.py", title="Colormaps", icon=":material/palette:"),
    st.Page("app_pages/scene3d.py", title="3D", icon=":material/view_in_ar:", url_path="3d"),
    st.Page("app_pages/batch.py", title="Batch", icon=":material/photo_library:"),
    st.Page("app_pages/video.py", title="Video", icon=":material/movie:"),
    st.Page("app_pages/models.py", title="Models", icon=":material/deployed_code:"),
]

page = st.navigation(PAGES)
webapp.sidebar()
try:
    page.run()
except Exception:  # the last line of defence: st.stop and st.rerun are BaseExceptions
    logging.getLogger("depthviz").exception("Unexpected error on the %s page", page.title)
    st.error("Something went wrong on this page (the details are in the server log). "
             "Try another photo or model, or reload the page.", icon=":material/error:")
