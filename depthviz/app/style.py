"""How the pages look beyond Streamlit's defaults: one style rule, the galleries' sizes and the
colour bar drawn under galleries and videos."""

from __future__ import annotations

import html

import streamlit as st

from depthviz.outputs.display import legend_css

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


def colour_bar(cmap: str, invert: bool, caption: bool = True) -> None:
    """The heatmaps' colour bar, far on the left and near on the right, as a CSS gradient
    (drawn by the browser at any width; the Compare page's bar is a picture under its heatmap)."""
    colours = f"{cmap}, inverted" if invert else cmap
    label = html.escape(f"Colour bar of {colours}: far on the left, near on the right")
    st.html(f'<div role="img" aria-label="{label}" style="height: 14px; border-radius: 2px; '
            f'background: {legend_css(cmap, invert)}"></div>'
            + ('<p style="margin: 0.25rem 0 0; text-align: center; font-size: 0.875rem; '
               'opacity: 0.6">far ⟵ ⟶ near</p>' if caption else ""))
