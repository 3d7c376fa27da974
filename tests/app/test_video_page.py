"""The Video page under streamlit.testing: clip in, depth video shown and downloadable, kept
across page switches until cleared or replaced, shown in a form browsers play."""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np
from app_helpers import rerun, run_app
from clips import mpeg4_mkv, read_clip, small, write_clip

PAGE = "app_pages/video.py"


def clip_bytes(coffee, frames: int) -> bytes:
    wide = small(coffee, (200, 96))
    buffer = io.BytesIO()
    write_clip(buffer, [np.ascontiguousarray(wide[:, i:i + 160]) for i in range(frames)],
               Fraction(24))
    return buffer.getvalue()


def upload(app, name: str, data: bytes, mime: str = "video/mp4"):
    app.file_uploader[0].upload(name, data, mime)
    return rerun(app)


def test_a_clip_becomes_a_depth_video_to_watch_and_download(model_home, downloads, coffee,
                                                            predictions):
    app = run_app(PAGE)
    assert app.info and not app.get("video")
    app = upload(app, "walk.mp4", clip_bytes(coffee, 12))
    assert not app.error
    assert len(app.get("video")) == 2  # the clip and its depth
    assert any("12 frames, 160×96 px at 24 fps" in caption.value for caption in app.caption)
    frames, rate = read_clip(io.BytesIO(downloads["walk.depth.mp4"]()))
    assert len(frames) == 12 and rate == 24 and frames[0].shape == (96, 160, 3)

    # Kept for the session: a rerun shows it again without predicting again.
    calls = len(predictions)
    rerun(app)
    assert len(predictions) == calls and len(app.get("video")) == 2

    # Side by side is one video holding both, given the whole width (not half a column).
    app.toggle(key="video_side_by_side_toggle").set_value(True)
    rerun(app)
    frames, _ = read_clip(io.BytesIO(downloads["walk.depth.mp4"]()))
    assert len(predictions) == calls + 12 and frames[0].shape == (96, 320, 3)
    assert len(app.get("video")) == 1 and not app.columns[0].get("video")


def test_the_result_stays_across_pages_until_cleared_or_replaced(model_home, coffee,
                                                                 predictions):
    app = upload(run_app(PAGE), "walk.mp4", clip_bytes(coffee, 6))
    app.toggle(key="video_side_by_side_toggle").set_value(True)
    rerun(app)
    calls = len(predictions)

    app.switch_page("app_pages/models.py")
    rerun(app)
    app.switch_page(PAGE)
    rerun(app)
    assert len(app.get("video")) == 1 and not app.info  # still there, still side by side
    assert app.toggle(key="video_side_by_side_toggle").value is True
    assert any("walk.mp4 and its depth" in caption.value for caption in app.caption)
    assert len(predictions) == calls  # shown again, not computed again

    app = upload(app, "other.mp4", clip_bytes(coffee[::-1], 4))  # a new clip replaces it
    assert any("4 frames" in caption.value for caption in app.caption)

    app.button(key="video_clear").click()
    rerun(app)
    assert not app.get("video") and "Upload a short clip" in app.info[0].value
    assert app.file_uploader[0].value is None  # the uploader is empty too


def test_an_mpeg4_mkv_is_shown_through_a_playable_copy(model_home, coffee):
    app = upload(run_app(PAGE), "old.mkv", mpeg4_mkv([small(coffee)] * 3), "video/x-matroska")
    assert not app.error
    assert any("old.mkv (an H.264 copy your browser can play)" in caption.value
               for caption in app.caption)


def test_a_file_that_is_not_a_video_shows_the_reason_and_no_video(model_home):
    app = upload(run_app(PAGE), "notes.mp4", b"not a video at all")
    assert len(app.error) == 1
    assert "notes.mp4: This file is not a video depthviz can read" in app.error[0].value
    assert "Errno" not in app.error[0].value
    assert not app.get("video") and not app.download_button
