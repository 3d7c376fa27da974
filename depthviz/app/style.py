"""How the pages look beyond Streamlit's defaults: one style rule and the galleries' sizes."""

from __future__ import annotations

import streamlit as st

#: Galleries (Colormaps, Batch): up to this many tiles a row, previews this many pixels wide.
GALLERY_COLUMNS = 4
TILE_SIDE = 480

#: Streamlit cuts the drop zone's line of accepted types and size limit off with "…" when it
#: does not fit (on a phone it lost everything after BMP); let it wrap instead.
_STYLE = ("<style>[data-testid='stFileUploaderDropzoneInstructions'] span "
          "{white-space: normal; overflow: visible;}</style>")


def page_style() -> None:
    """Add the app's style rule to the page (the entry script calls it on every run)."""
    st.html(_STYLE)
