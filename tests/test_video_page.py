"""The Video page under streamlit.testing: clip in, depth video shown and downloadable."""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np

from app_helpers import rerun, run_app
from test_video import read_clip, small, write_clip

PAGE = "app_pages/video.py"


def clip_bytes(coffee, frames: int) -> bytes:
    wide = small(coffee, (200, 96))
    buffer = io.BytesIO()
    write_clip(buffer, [np.ascontiguousarray(wide[:, i:i + 160]) for i in range(frames)],
               Fraction(24))
    return buffer.getvalue()


def test_a_clip_becomes_a_depth_video_to_watch_and_download(model_home, downloads, coffee,
                                                            predictions):
    app = run_app(PAGE)
    assert app.info and not app.get("video")
    app.file_uploader(key="video_upload").upload("walk.mp4", clip_bytes(coffee, 12), "video/mp4")
    rerun(app)
    assert not app.error
    assert len(app.get("video")) == 2  # the clip and its depth
    assert any("12 frames, 160×96 px at 24 fps" in caption.value for caption in app.caption)
    frames, rate = read_clip(io.BytesIO(downloads["walk.depth.mp4"]()))
    assert len(frames) == 12 and rate == 24 and frames[0].shape == (96, 160, 3)

    # Kept for the session: a rerun shows it again without predicting again.
    calls = len(predictions)
    rerun(app)
    assert len(predictions) == calls and len(app.get("video")) == 2

    app.toggle(key="video_side_by_side").set_value(True)
    rerun(app)
    frames, _ = read_clip(io.BytesIO(downloads["walk.depth.mp4"]()))
    assert len(predictions) == calls + 12 and frames[0].shape == (96, 320, 3)


def test_a_file_that_is_not_a_video_shows_the_reason_and_no_video(model_home):
    app = run_app(PAGE)
    app.file_uploader(key="video_upload").upload("notes.mp4", b"not a video at all", "video/mp4")
    rerun(app)
    assert len(app.error) == 1 and "notes.mp4: This file is not a video we can read" in app.error[0].value
    assert not app.get("video") and not app.download_button
