"""3D: the current photo as a scene to orbit and zoom, its PLY and GLB files, a parallax video.

The view is Plotly's (`st.plotly_chart`): plotly.js ships inside Streamlit, so the WebGL view
works offline with no CDN; deck.gl (`st.pydeck_chart`) is map-first and fetches basemap tiles.
depthviz/app/plot3d.py has the details. The view is built from the screen-sized preview (a
browser-sized payload) and cached, so moving a slider only redraws it; the PLY and GLB files are
made from the full-size photo and depth map, like the CLI's, only when their button is clicked.
The parallax video is rendered from the preview (up to 1280 px: seconds, not minutes) into
memory, never to disk.
"""

import io
import time
from typing import Optional

import numpy as np
import streamlit as st

import depthviz
from depthviz.app import plot3d
from depthviz.app.current import current
from depthviz.app.depth import PhotoDepth, summary
from depthviz.app.downloads import Download, download_button
from depthviz.app.photo_picker import photo_picker
from depthviz.app.photos import CACHE_SECONDS, Photo, PhotoView
from depthviz.app.scene_camera import kept_camera, report_camera
from depthviz.io.images import exif_fov_deg
from depthviz.outputs.display import content_hash
from depthviz.scene.camera import DEFAULT_FOV_DEG
from depthviz.scene.formats import SCENE_FORMAT_SUFFIXES, glb_file, ply_file
from depthviz.scene.parallax import DEFAULT_SECONDS, MOTIONS, write_parallax

#: Density -> (mesh faces, cloud points) sent to the browser: from quick on a phone to sharp.
DENSITY = {"Low": (20_000, 30_000), "Medium": (60_000, 80_000), "High": (150_000, 200_000)}
SHAPES = ("Mesh", "Points")


@st.cache_data(max_entries=8, ttl=CACHE_SECONDS, show_spinner=False)
def view_scene(rgb: np.ndarray, depth: np.ndarray, shape: str, budget: int, metric: bool,
               fov_deg: Optional[float]) -> plot3d.Scene:
    """The view's mesh or point cloud, built once per (preview, shape, density, camera): the
    depth-scale slider and the parallax controls only redraw it."""
    if shape == "Mesh":
        return depthviz.to_mesh(rgb, depth, metric=metric, fov_deg=fov_deg, max_faces=budget)
    return depthviz.to_points(rgb, depth, metric=metric, fov_deg=fov_deg, max_points=budget)


def scene_downloads(photo: Photo, result: PhotoDepth,
                    fov_deg: Optional[float]) -> list[Download]:
    """PLY (coloured point cloud) and GLB (mesh textured with the photo) of the full-size photo,
    named like the CLI's files (coffee.ply, coffee.glb); each is built only when clicked."""
    stem = photo.stem
    return [
        Download("Download PLY", stem + SCENE_FORMAT_SUFFIXES["ply"], "application/octet-stream",
                 lambda: ply_file(photo.decode(), result.depth, result.metric, fov_deg)),
        Download("Download GLB", stem + SCENE_FORMAT_SUFFIXES["glb"], "model/gltf-binary",
                 lambda: glb_file(photo.decode(), result.depth, result.metric, fov_deg)),
    ]


def make_parallax(view: PhotoView, result: PhotoDepth, motion: str) -> bytes:
    """The parallax loop of the preview as MP4 bytes, with a progress bar while it renders."""
    progress = st.progress(0.0, text="Rendering the parallax video…")

    def on_frame(done: int, total: int) -> None:
        progress.progress(min(done / total, 1.0), text=f"Frame {done} of {total}")

    output = io.BytesIO()
    try:
        write_parallax(output, view.preview, result.preview, result.metric, motion=motion,
                       on_frame=on_frame)
    finally:
        progress.empty()
    return output.getvalue()


def on_a_phone() -> bool:
    """A phone's browser, by its user agent ("Mobi", as MDN advises; Streamlit tells phones the
    same way): its chart is narrow, so it is made as short as a landscape photo at that width."""
    return "Mobi" in (st.context.headers.get("User-Agent") or "")


def camera_caption(result: PhotoDepth, fov_deg: Optional[float]) -> str:
    """What the scene's numbers mean: metres or only up to scale, and whose field of view."""
    units = (f"Metric depth: {result.model} measures distances in metres, so the scene and "
             "its files are in metres." if result.metric else
             "Relative depth: the scene's shape is right up to scale, not in metres.")
    if fov_deg is None:
        return (f"{units} Field of view {DEFAULT_FOV_DEG:.0f}° (assumed: the photo does not "
                "record its focal length).")
    return f"{units} Field of view {fov_deg:.0f}° (from the photo's EXIF focal length)."


st.header("3D")
photo_picker()
photo, view, chosen, result = current()
fov = exif_fov_deg(photo.data) if photo.data is not None else None

shape_column, detail_column, scale_column = st.columns(3)
shape = shape_column.segmented_control("Show", SHAPES, default=SHAPES[0], required=True,
                                       key="scene_shape", persist_state="session")
detail = detail_column.select_slider("Density", list(DENSITY), value="Medium", key="scene_density",
                                     persist_state="session",
                                     help="How many triangles or points the view draws.")
depth_scale = scale_column.slider("Depth scale", 0.25, 3.0, 1.0, step=0.25, format="%.2f×",
                                  key="scene_depth_scale", persist_state="session",
                                  help="Stretches the relief in the view only; files keep "
                                       "the true proportions.")

faces, points = DENSITY[detail]
scene = view_scene(view.preview, result.preview, shape, faces if shape == "Mesh" else points,
                   result.metric, fov)
chart = plot3d.PHONE_CHART if on_a_phone() else {}
report_camera(photo.digest)  # the camera is kept for this photo while the settings change
st.plotly_chart(plot3d.scene_figure(scene, depth_scale, camera=kept_camera(photo.digest),
                                    revision=photo.digest, **chart),
                key="scene_view", config={"displaylogo": False})
st.caption(f"{summary(view, result)} · {len(scene.vertices):,} points"
           + (f", {len(scene.faces):,} triangles" if shape == "Mesh" else "")
           + " · drag to orbit, scroll or pinch to zoom.")
st.caption(camera_caption(result, fov))

files = scene_downloads(photo, result, fov)
for index, (column, download) in enumerate(zip(st.columns(len(files)), files)):
    with column:
        download_button(download, key=f"download-3d-{index}", primary=index == 1)
st.caption(f"Files of the full photo ({view.width}×{view.height} px), made when you click: a "
           "coloured point cloud (PLY) and a mesh textured with the photo (GLB) for Blender, "
           "game engines and 3D viewers; +y is up, the camera looks along −z.")

st.subheader("Parallax video")
motion_column, make_column = st.columns([2, 1], vertical_alignment="bottom")
motion = motion_column.segmented_control(
    "Motion", MOTIONS, default=MOTIONS[0], required=True, key="parallax_motion",
    persist_state="session", format_func=str.capitalize,
    help="Circle: the camera circles a little, the background stays still. Dolly: it moves "
         "in and back out.")
wanted = (photo.digest, content_hash(result.preview.tobytes()), result.metric, motion)
if make_column.button("Make parallax video", key="parallax_make", icon=":material/movie:",
                      width="stretch"):
    started = time.perf_counter()
    try:
        video = make_parallax(view, result, motion)
    except (depthviz.DepthvizError, ValueError, OSError) as exc:
        st.error(f"The parallax video could not be made: {exc} Try another model or photo.",
                 icon=":material/error:")
    else:
        st.session_state["parallax_video"] = {"wanted": wanted, "data": video,
                                              "seconds": time.perf_counter() - started}
made = st.session_state.get("parallax_video")
if made is not None and made["wanted"] == wanted:
    st.video(made["data"], format="video/mp4", loop=True, autoplay=True, muted=True,
             alt=f"Parallax video of {photo.name}: the camera moves a little ({motion}), "
                 "nearer things shift more than far ones")
    st.caption(f"A {DEFAULT_SECONDS:g} s loop of the photo as shown here, made in "
               f"{made['seconds']:.1f} s.")
    download_button(
        Download("Parallax MP4", f"{photo.stem}.{motion}.parallax.mp4", "video/mp4",
                 lambda: made["data"]),
        key="download-parallax", primary=True)
else:
    st.caption("A short loop in which the camera moves a little and nearer things shift more "
               "than far ones, like a \"3D photo\"; made from the photo as shown here.")
