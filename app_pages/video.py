"""Video: a short clip in, its depth heatmap video out, played here and downloadable.

The clip stays in memory (PyAV reads the upload and writes the result to bytes). The result is
kept in the session, so switching pages or toggling unrelated things does not redo the work.
"""

import io
import time

import streamlit as st

import depthviz
from depthviz import webapp
from depthviz.archive import unique_stems
from depthviz.display import content_hash
from depthviz.video import depth_video

#: What a 2-core machine turns around while someone waits (about 20 s of 30 fps video).
MAX_FRAMES = 600
VIDEO_TYPES = ["mp4", "mov", "m4v", "webm", "mkv", "avi"]

st.header("Video")
upload = st.file_uploader("Short video clip", type=VIDEO_TYPES, key="video_upload",
                          help=f"MP4, MOV, WebM, MKV or AVI, up to {MAX_FRAMES} frames. "
                               "Kept in memory only, never written to disk.")
side_by_side = st.toggle("Side by side", key="video_side_by_side",
                         help="The clip on the left and its depth on the right (twice as wide).")
if upload is None:
    st.info("Upload a short clip to get a depth video: every frame's heatmap, same length, size "
            "and frame rate, with colours that stay steady over time. The sound is not kept.",
            icon=":material/movie:")
    st.stop()

chosen = webapp.settings()
model = webapp.active_model(chosen)
data = upload.getvalue()
wanted = (content_hash(data), model.name, model.engine_name, chosen.cmap, chosen.invert,
          side_by_side)
result = st.session_state.get("video_result")
if result is None or result["wanted"] != wanted:
    progress = st.progress(0.0, text="Estimating depth, frame by frame…")

    def on_frame(done: int, expected: int | None) -> None:
        if expected:
            progress.progress(min(done / expected, 1.0), text=f"Frame {done} of {expected}")

    started = time.perf_counter()
    output = io.BytesIO()
    try:
        info = depth_video(io.BytesIO(data), output, model, chosen.cmap, chosen.invert,
                           side_by_side, max_frames=MAX_FRAMES, on_frame=on_frame)
    except depthviz.DepthvizError as exc:
        progress.empty()
        st.error(f"{upload.name}: {exc}", icon=":material/error:")
        st.stop()
    progress.empty()
    result = {"wanted": wanted, "video": output.getvalue(), "info": info,
              "seconds": time.perf_counter() - started}
    st.session_state["video_result"] = result

info = result["info"]
st.caption(f"**{webapp.model_title(model.family.description)}** on {model.engine_name} · "
           f"{info.frames} frames, {info.width}×{info.height} px at {float(info.fps):.3g} fps · "
           f"{result['seconds']:.1f} s")
original, depth = st.columns(2)
original.video(data)
original.caption(upload.name)
depth.video(result["video"], format="video/mp4")
depth.caption(f"Depth ({chosen.cmap})")
stem = unique_stems([upload.name])[0]
webapp.download_button(
    webapp.Download("Depth video MP4", f"{stem}.depth.mp4", "video/mp4", lambda: result["video"]),
    key="download-video", primary=True)
