"""Video: a short clip in, its depth heatmap video out, played here and downloadable.

The clip stays in memory (PyAV reads the upload and writes the result to bytes). The clip and
its result are kept in the session until the person clears them or uploads another clip:
switching pages and back shows the same result without redoing the work.
"""

import io
import time

import streamlit as st

import depthviz
from depthviz.app.downloads import Download, download_button
from depthviz.app.model_notice import active_model
from depthviz.app.settings import settings
from depthviz.app.style import colour_bar
from depthviz.app.uploads import MEDIA_UPLOAD_MB
from depthviz.batch.video import depth_video
from depthviz.io.video import browser_plays
from depthviz.outputs.archive import unique_stems
from depthviz.outputs.display import content_hash

#: What a 2-core machine turns around while someone waits (about 20 s of 30 fps video).
MAX_FRAMES = 600
VIDEO_TYPES = ["mp4", "mov", "m4v", "webm", "mkv", "avi"]


def _uploader_key() -> str:
    return f"video-{st.session_state.get('video_uploads', 0)}"


def _take_upload() -> None:
    """A new clip replaces the previous one and its result; removing it clears both."""
    upload = st.session_state.get(_uploader_key())
    st.session_state.pop("video_result", None)
    if upload is None:
        st.session_state.pop("video_clip", None)
    else:
        st.session_state["video_clip"] = {"name": upload.name, "type": upload.type,
                                          "data": upload.getvalue()}


def _clear() -> None:
    for key in ("video_clip", "video_result"):
        st.session_state.pop(key, None)
    st.session_state["video_uploads"] = st.session_state.get("video_uploads", 0) + 1


def _remember_side_by_side() -> None:
    """Kept outside the widget's own state, which Streamlit drops when the page is left."""
    st.session_state["video_side_by_side"] = st.session_state["video_side_by_side_toggle"]


st.header("Video")
st.file_uploader("Short video clip", type=VIDEO_TYPES, key=_uploader_key(),
                 on_change=_take_upload, max_upload_size=MEDIA_UPLOAD_MB,
                 help=f"MP4, MOV, WebM, MKV or AVI, up to {MAX_FRAMES} frames. Kept in memory "
                      "only, never written to disk; the result stays here until you clear it "
                      "or upload another clip.")
side_by_side = st.toggle("Side by side", key="video_side_by_side_toggle",
                         value=st.session_state.get("video_side_by_side", False),
                         on_change=_remember_side_by_side,
                         help="One video: the clip on the left, its depth on the right.")
clip = st.session_state.get("video_clip")
if clip is None:
    st.info("Upload a short clip to get a depth video: every frame's heatmap, same length, size "
            "and frame rate, with colours that stay steady over time. The sound is not kept.",
            icon=":material/movie:")
    st.stop()

chosen = settings()
model = active_model(chosen.choice)
data = clip["data"]
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
    # Browsers play H.264 MP4 and WebM only: other clips (MPEG-4 in MKV, HEVC, ...) are shown
    # through an H.264 copy made in the same pass.
    playable = side_by_side or browser_plays(io.BytesIO(data))
    original = None if playable else io.BytesIO()
    try:
        info = depth_video(io.BytesIO(data), output, model, chosen.cmap, chosen.invert,
                           side_by_side, max_frames=MAX_FRAMES, on_frame=on_frame,
                           original=original)
    except depthviz.DepthvizError as exc:
        progress.empty()
        st.error(f"{clip['name']}: {exc}", icon=":material/error:")
        st.button("Clear", key="video_clear", on_click=_clear, icon=":material/delete:",
                  help="Forget this clip.")
        st.stop()
    progress.empty()
    result = {"wanted": wanted, "video": output.getvalue(), "info": info,
              "playable_copy": None if original is None else original.getvalue(),
              "seconds": time.perf_counter() - started}
    st.session_state["video_result"] = result

info = result["info"]
st.caption(f"**{model.card.title}** on {model.engine_name} · "
           f"{info.frames} frames, {info.width}×{info.height} px at {float(info.fps):.3g} fps · "
           f"{result['seconds']:.1f} s")
if side_by_side:  # the result holds the clip already: give it the whole width
    st.video(result["video"], format="video/mp4",
             alt=f"{clip['name']} on the left, its depth in {chosen.cmap} on the right")
    caption_column, bar_column = st.columns(2)  # the bar under the depth half
    caption_column.caption(f"{clip['name']} and its depth ({chosen.cmap})")
    with bar_column:
        colour_bar(chosen.cmap, chosen.invert)
else:
    original_column, depth_column = st.columns(2)
    copy = result["playable_copy"]
    original_column.video(data if copy is None else copy,
                          format=clip["type"] if copy is None else "video/mp4",
                          alt=f"The clip {clip['name']}")
    original_column.caption(clip["name"] if copy is None
                            else f"{clip['name']} (an H.264 copy your browser can play)")
    depth_column.video(result["video"], format="video/mp4",
                       alt=f"Depth video of {clip['name']} in the {chosen.cmap} colormap")
    depth_column.caption(f"Depth ({chosen.cmap})")
    with depth_column:
        colour_bar(chosen.cmap, chosen.invert)
stem = unique_stems([clip["name"]])[0]
download_column, clear_column = st.columns([3, 1])
with download_column:
    download_button(
        Download("Depth video MP4", f"{stem}.depth.mp4", "video/mp4", lambda: result["video"]),
        key="download-video", primary=True)
clear_column.button("Clear", key="video_clear", on_click=_clear, icon=":material/delete:",
                    width="stretch", help="Forget this clip and its depth video.")
