"""Colormaps: the current depth map in many colormaps at once; pick one for the whole app."""

import streamlit as st

import depthviz
from depthviz import webapp
from depthviz.colorize import PERCEPTUAL_COLORMAPS

SHOWN_BY_DEFAULT = (*PERCEPTUAL_COLORMAPS, "turbo", "Spectral", "coolwarm", "twilight",
                    "cubehelix", "terrain", "gray")

st.header("Colormaps")
photo, _, chosen, result = webapp.current()

st.caption(f"The depth of **{photo.name}** ({result.model}) in each colormap. **Use** makes one "
           "the colormap of every page; change the photo on the Compare page.")
available = depthviz.colormap_names()
names = st.multiselect("Colormaps shown", available, key="shown_colormaps",
                       default=[name for name in SHOWN_BY_DEFAULT if name in available],
                       persist_state="session")
gallery = st.grid(webapp.GALLERY_COLUMNS, border=True)
for name in names:
    in_use = name == chosen.cmap
    with gallery.cell():
        st.image(result.heatmap_preview(name, chosen.invert, webapp.TILE_SIDE), width="stretch",
                 caption=f"{name} (in use)" if in_use else name)
        use_column, save_column = st.columns(2)
        use_column.button("Use", key=f"use-{name}", on_click=webapp.use_colormap, args=(name,),
                          disabled=in_use, icon=":material/check:", width="stretch")
        with save_column:
            webapp.download_button(
                webapp.heatmap_download(photo, result, name, chosen.invert, label="PNG",
                                        tag=f".{name}"),
                key=f"download-{name}")
