"""Compare (home): a photo and its depth heatmap side by side, as a wipe, or blended."""

import streamlit as st

from depthviz import display, webapp

VIEWS = ("Side by side", "Slider", "Overlay")

st.header("Depth from a single photo")
webapp.photo_picker()
photo, view, chosen, result = webapp.current()
heatmap = result.heatmap_preview(chosen.cmap, chosen.invert)

mode = st.segmented_control("View", VIEWS, default=VIEWS[0], required=True, key="view",
                            persist_state="session")
if mode == "Side by side":
    photo_column, depth_column = st.columns(2)
    photo_column.image(view.preview, caption=photo.name, width="stretch")
    depth_column.image(heatmap, caption=f"Depth ({chosen.cmap})", width="stretch")
    view_column = depth_column  # the legend goes under the heatmap
else:
    _, view_column, _ = st.columns([1, 2, 1])
    if mode == "Slider":
        position = view_column.slider("Wipe: photo on the left, depth on the right", 0, 100, 50,
                                        format="%d%%", key="wipe", persist_state="session")
        composite = display.wipe(view.preview, heatmap, position / 100)
    else:
        opacity = view_column.slider("Heatmap opacity", 0, 100, 50, format="%d%%",
                                       key="opacity", persist_state="session")
        composite = display.blend(view.preview, heatmap, opacity / 100)
    view_column.image(composite, caption=f"{photo.name} and its depth ({chosen.cmap})",
                        width="stretch")
view_column.image(display.legend(chosen.cmap, chosen.invert), caption="far ⟵ ⟶ near",
                    width="stretch")

st.caption(webapp.summary(view, result))
downloads = webapp.downloads(photo, result, chosen.cmap, chosen.invert)
for index, (column, download) in enumerate(zip(st.columns(len(downloads)), downloads)):
    with column:
        webapp.download_button(download, key=f"download-{index}", primary=index == 0)
