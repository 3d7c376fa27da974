"""depthviz Streamlit app: `streamlit run streamlit_app.py` (or `make app`).

Add a page by adding one st.Page line below; the sidebar settings are shared by all pages.
Page files live in app_pages/, not pages/: Streamlit still runs a `pages/` folder next to the
entry script as a legacy multipage app on a server's first request (a deep link to
/batch would then show the page without this file's sidebar and navigation).
"""

import ipaddress
import logging
import sys

import streamlit as st

from depthviz.app.sidebar import sidebar
from depthviz.app.style import page_style
from depthviz.app.uploads import keep_uploads_in_memory

# An emoji icon is drawn locally as an inline SVG; a ":material/...:" page icon would make every
# browser fetch it from fonts.gstatic.com (tests/e2e/test_privacy_browser.py).
st.set_page_config(page_title="depthviz", page_icon="🏞️", layout="wide")
keep_uploads_in_memory()
page_style()

PAGES = [
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare:", default=True),
    st.Page("app_pages/colormaps.py", title="Colormaps", icon=":material/palette:"),
    st.Page("app_pages/scene3d.py", title="3D", icon=":material/view_in_ar:", url_path="3d"),
    st.Page("app_pages/batch.py", title="Batch", icon=":material/photo_library:"),
    st.Page("app_pages/video.py", title="Video", icon=":material/movie:"),
    st.Page("app_pages/evaluate.py", title="Evaluate", icon=":material/straighten:"),
    st.Page("app_pages/models.py", title="Models", icon=":material/deployed_code:"),
]


def private_address(address: str) -> bool:
    """Whether only this computer can reach a server bound to `address` ("" is every interface)."""
    if address == "localhost" or address.startswith("unix://"):
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:  # "" or a host name
        return False


@st.cache_resource(show_spinner=False)  # once per server, not once per visit
def warn_if_public() -> None:
    """The app binds to 127.0.0.1 (.streamlit/config.toml); say so when someone opened it up."""
    address = st.get_option("server.address") or ""
    if not private_address(address):
        print(f"depthviz: listening on {address or 'every interface'}: anyone on that network "
              "can open the app and see the photos uploaded to it.", file=sys.stderr, flush=True)


warn_if_public()
page = st.navigation(PAGES)
sidebar()
try:
    page.run()
except Exception:  # the last line of defence: st.stop and st.rerun are BaseExceptions
    logging.getLogger("depthviz").exception("Unexpected error on the %s page", page.title)
    st.error("Something went wrong on this page (the details are in the server log). "
             "Try another photo or model, or reload the page.", icon=":material/error:")
