"""Colormaps: the current depth map in many colormaps at once; pick one for the whole app."""

import streamlit as st

from depthviz.app.current import current
from depthviz.app.downloads import download_button, heatmap_download
from depthviz.app.images import inline
from depthviz.app.settings import use_colormap
from depthviz.app.style import GALLERY_COLUMNS, TILE_SIDE, colour_bar
from depthviz.outputs.colorize import DEPTH_COLORMAPS, colormap_choices

st.header("Colormaps")
photo, _, chosen, result = current()

st.caption(f"The depth of **{photo.name}** ({result.model}) in each colormap, its colour bar "
           "under it (far ⟵ ⟶ near). **Use** makes one the colormap of every page; change the "
           "photo on the Compare page.")
names = st.multiselect("Colormaps shown", colormap_choices(more=True), key="shown_colormaps",
                       default=DEPTH_COLORMAPS, persist_state="session",
                       help="The first seven suit depth; the others are there to compare.")
gallery = st.grid(GALLERY_COLUMNS, border=True)
for name in names:
    in_use = name == chosen.cmap
    with gallery.cell():
        st.image(inline(result.heatmap_preview(name, chosen.invert, TILE_SIDE)), width="stretch",
                 caption=f"{name} (in use)" if in_use else name,
                 alt=f"Depth heatmap of {photo.name} in {name}")
        colour_bar(name, chosen.invert, caption=False)
        use_column, save_column = st.columns(2)
        use_column.button("Use", key=f"use-{name}", on_click=use_colormap, args=(name,),
                          disabled=in_use, icon=":material/check:", width="stretch")
        with save_column:
            download_button(
                heatmap_download(photo, result, name, chosen.invert, label="PNG"),
                key=f"download-{name}")
