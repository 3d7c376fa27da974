"""Batch: many photos at once, a progress bar, a gallery of heatmaps and one ZIP download."""

import streamlit as st

import depthviz
from depthviz import archive, webapp


st.header("Batch")
uploads = st.file_uploader("Photos", type=webapp.UPLOAD_TYPES, accept_multiple_files=True,
                           key="batch", help="Kept in memory only, never written to disk.")
with_depth16 = st.checkbox("Add 16-bit depth PNGs to the ZIP", key="batch_depth16")
if not uploads:
    st.info("Upload photos to get a heatmap of each and one ZIP with all of them.",
            icon=":material/photo_library:")
    st.stop()

chosen = webapp.settings()
model = webapp.active_model(chosen)
progress = st.progress(0.0)
done: list[tuple[webapp.Photo, webapp.DepthResult]] = []
for index, upload in enumerate(uploads):
    progress.progress(index / len(uploads), text=f"{index + 1} of {len(uploads)}: {upload.name}")
    photo = webapp.Photo.upload(upload.name, upload.getvalue())
    try:
        done.append((photo, webapp.depth_of(photo, model)))
    except depthviz.ImageError as exc:
        st.error(f"{upload.name}: {exc}", icon=":material/error:")
progress.progress(1.0, text=f"{len(done)} of {len(uploads)} photos done.")
if not done:
    st.stop()

formats = ("heatmap", "depth16") if with_depth16 else ("heatmap",)
depths = [(photo.name, result.depth) for photo, result in done]
label = f"ZIP of {len(done)} heatmaps" + (" and depth PNGs" if with_depth16 else "")
webapp.download_button(
    webapp.Download(label, "depthviz-batch.zip", "application/zip",
                    lambda: archive.zip_results(depths, formats, chosen.cmap, chosen.invert)),
    key="download-zip", primary=True)
gallery = st.grid(webapp.GALLERY_COLUMNS)
for photo, result in done:
    gallery.image(result.heatmap_preview(chosen.cmap, chosen.invert, webapp.TILE_SIDE),
                  caption=photo.name, width="stretch")
