"""Batch: many photos at once, a progress bar, each photo beside its heatmap, one ZIP.

The photos and their depth maps are kept in the session (in memory, never on disk) until the
person clears them or uploads other photos: switching pages and back shows the same results.
"""

import streamlit as st

import depthviz
from depthviz.app.depth import depth_of, model_key
from depthviz.app.downloads import Download, download_button, heatmap_download
from depthviz.app.images import inline
from depthviz.app.model_notice import active_model
from depthviz.app.photos import Photo, photo_view
from depthviz.app.settings import settings
from depthviz.app.style import GALLERY_COLUMNS, TILE_SIDE, colour_bar
from depthviz.app.uploads import MEDIA_UPLOAD_MB, UPLOAD_HINT, UPLOAD_TYPES
from depthviz.io.naming import colours_name
from depthviz.outputs import archive
from depthviz.outputs.display import fit_within

#: Gallery tiles a row (a tile holds a photo and its heatmap, so half the single-image count).
TILES_A_ROW = GALLERY_COLUMNS // 2


def _uploader_key() -> str:
    return f"batch-{st.session_state.get('batch_uploads', 0)}"


def _take_uploads() -> None:
    """New files replace the previous batch; removing every file clears it."""
    files = st.session_state.get(_uploader_key()) or []
    st.session_state.pop("batch_results", None)
    st.session_state["batch_photos"] = [Photo.upload(file.name, file.getvalue())
                                        for file in files]


def _clear() -> None:
    for key in ("batch_photos", "batch_results"):
        st.session_state.pop(key, None)
    st.session_state["batch_uploads"] = st.session_state.get("batch_uploads", 0) + 1


def _results(photos: list[Photo], model: depthviz.DepthModel) -> list[tuple]:
    """(photo, PhotoDepth or the reason it failed) for each photo, computed once per model (and
    engine, detail, precision) and kept in the session; a progress bar while computing."""
    made_by = model_key(model)
    kept = st.session_state.get("batch_results")
    if kept is not None and kept["made_by"] == made_by:
        return kept["results"]
    progress = st.progress(0.0)
    results = []
    for index, photo in enumerate(photos):
        progress.progress(index / len(photos), text=f"{index + 1} of {len(photos)}: {photo.name}")
        try:
            results.append((photo, depth_of(photo, model)))
        except depthviz.ImageError as exc:
            results.append((photo, str(exc)))
    progress.empty()
    st.session_state["batch_results"] = {"made_by": made_by, "results": results}
    return results


st.header("Batch")
st.file_uploader("Photos", type=UPLOAD_TYPES, accept_multiple_files=True,
                 key=_uploader_key(), on_change=_take_uploads,
                 max_upload_size=MEDIA_UPLOAD_MB,
                 help=f"{UPLOAD_HINT} Kept in memory only, never written to disk; the "
                      "results stay here until you clear them or upload other photos.")
with_depth16 = st.checkbox("Add 16-bit depth PNGs to the ZIP", key="batch_depth16")
photos = st.session_state.get("batch_photos")
if not photos:
    st.info("Upload photos to get a heatmap of each and one ZIP with all of them.",
            icon=":material/photo_library:")
    st.stop()

chosen = settings()
results = _results(photos, active_model(chosen.choice))
done = [(photo, result) for photo, result in results if not isinstance(result, str)]
for photo, reason in results:
    if isinstance(reason, str):
        st.error(f"{photo.name}: {reason}", icon=":material/error:")
st.caption(f"{len(done)} of {len(photos)} photos done.")

zip_column, clear_column = st.columns([3, 1])
if done:
    formats = ("heatmap", "depth16") if with_depth16 else ("heatmap",)
    depths = [(photo.name, result.depth) for photo, result in done]
    label = (f"ZIP of {len(done)} heatmap{'s' if len(done) > 1 else ''}"
             + (" and depth PNGs" if with_depth16 else ""))
    with zip_column:
        download_button(
            Download(label, f"depthviz-batch.{colours_name(chosen.cmap, chosen.invert)}.zip",
                     "application/zip",
                     lambda: archive.zip_results(depths, formats, chosen.cmap, chosen.invert,
                                                 metric=done[0][1].metric)),
            key="download-zip", primary=True)
clear_column.button("Clear", key="batch_clear", on_click=_clear, icon=":material/delete:",
                    width="stretch", help="Forget these photos and their results.")
if done:
    _, bar_column = st.columns(2)  # above the heatmaps' side of the tiles
    with bar_column:
        colour_bar(chosen.cmap, chosen.invert)

gallery = st.grid(TILES_A_ROW, border=True)
stems = archive.unique_stems(photo.name for photo, _ in done)
for index, ((photo, result), stem) in enumerate(zip(done, stems)):
    with gallery.cell():
        photo_column, depth_column = st.columns(2)
        photo_column.image(inline(fit_within(photo_view(photo).preview, TILE_SIDE)),
                           caption=photo.name, alt=f"Photo {photo.name}", width="stretch")
        depth_column.image(inline(result.heatmap_preview(chosen.cmap, chosen.invert, TILE_SIDE)),
                           caption=f"Depth ({chosen.cmap})", width="stretch",
                           alt=f"Depth heatmap of {photo.name} in the {chosen.cmap} colormap")
        download_button(
            heatmap_download(photo, result, chosen.cmap, chosen.invert, stem=stem),
            key=f"download-tile-{index}")
