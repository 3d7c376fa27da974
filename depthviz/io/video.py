"""Video frames in (PyAV): the clip's stream, its frames upright, and what went wrong in words.

Why PyAV rather than OpenCV: OpenCV's PyPI wheels cannot encode H.264, and browsers do not play
their "mp4v" files; PyAV's wheels bundle FFmpeg with libx264. PyAV also reads file objects, so
the app never puts an upload on disk, and keeps exact frame rates (30000/1001, not 29.97).
"""

from __future__ import annotations

import os
from typing import BinaryIO, Optional, Union

import av
import numpy as np

from depthviz.errors import VideoError

VideoSource = Union[str, os.PathLike, BinaryIO]
#: FFmpeg's demuxers of still pictures (JPEG, PNG, ... files are read by "image2" or "*_pipe").
STILL_IMAGE_FORMATS = ("image2", "webp", "tiff")


def video_stream(reader: av.container.InputContainer,
                 max_frames: Optional[int]) -> av.video.stream.VideoStream:
    """The clip's video stream, after refusing what cannot make a depth video."""
    if reader.format.name in STILL_IMAGE_FORMATS or reader.format.name.endswith("_pipe"):
        raise VideoError("This file is a still image, not a video. For a photo's depth map use "
                         "`depthviz predict` (command line) or the Compare page (app).")
    if not reader.streams.video:
        raise VideoError("The file has no video in it (sound only?). Choose a video clip.")
    stream = reader.streams.video[0]
    stream.thread_type = "AUTO"
    if not (stream.average_rate or stream.guessed_rate):
        raise VideoError("The video does not say its frame rate, so its timing cannot be kept. "
                         "Re-save it as MP4 and try again.")
    if max_frames is not None and stream.frames and stream.frames > max_frames:
        raise VideoError(f"The video has {stream.frames} frames; the limit is {max_frames}. "
                         "Trim it and try again.")
    return stream


def ffmpeg_failure(exc: av.FFmpegError) -> str:
    """What went wrong with a video file, in words a person can act on (no errno)."""
    if isinstance(exc, FileNotFoundError):
        return f"There is no video file at {exc.filename}. Check the path."
    if isinstance(exc, PermissionError):
        return f"{exc.filename} cannot be opened: permission denied."
    if isinstance(exc, av.error.InvalidDataError):
        return ("This file is not a video depthviz can read: it is damaged, cut short or not a "
                "video at all. Use MP4 (H.264), MOV, WebM, MKV or AVI.")
    return (f"The video could not be processed ({exc.strerror or 'FFmpeg failed'}); it may be "
            "damaged or use a codec this FFmpeg build lacks. Re-save it as MP4 (H.264).")


def browser_plays(source: VideoSource) -> bool:
    """Whether browsers play this clip as it is (H.264 in MP4/MOV, VP8/VP9/AV1 in WebM); others
    (MPEG-4 part 2, HEVC, MKV, AVI) need the H.264 copy `depth_video(original=...)` writes."""
    try:
        with av.open(source) as reader:
            if not reader.streams.video:
                return False
            codec = reader.streams.video[0].codec_context.name
            container = reader.format.name.split(",")
    except av.FFmpegError:
        return False
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    return ("mp4" in container and codec == "h264") or ("webm" in container
                                                        and codec in ("vp8", "vp9", "av1"))


def upright(frame: av.VideoFrame) -> np.ndarray:
    """A decoded frame as HxWx3 RGB, turned as players show it (phones store portrait clips
    sideways with a rotation flag)."""
    rgb = frame.to_ndarray(format="rgb24")
    quarter_turns = round(frame.rotation / 90) % 4  # counter-clockwise, as np.rot90 turns
    return np.ascontiguousarray(np.rot90(rgb, quarter_turns)) if quarter_turns else rgb
