"""Frames out as H.264 in MP4 (PyAV): the format every browser plays, for depth and parallax
videos."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO, Optional, Union

import av
import numpy as np

from depthviz.errors import VideoError

VideoTarget = Union[str, os.PathLike, BinaryIO]
#: Output names that say MP4, which is what depth videos are.
MP4_SUFFIXES = (".mp4", ".m4v")
#: H.264 quality (lower is better; 18 is visually lossless for smooth heatmaps).
H264_CRF = "18"


def check_output_name(path: Union[str, os.PathLike]) -> None:
    """Depth videos are H.264 in MP4: refuse a name that promises another format (.avi)."""
    suffix = Path(path).suffix.lower()
    if suffix not in MP4_SUFFIXES:
        raise VideoError(f"Depth videos are written as MP4 (H.264): name the output "
                         f"{Path(path).with_suffix('.mp4').name}, not {Path(path).name}.")


def open_mp4(target: VideoTarget) -> av.container.OutputContainer:
    # faststart (index first, so browsers start playing at once) needs a real file.
    faststart = {"movflags": "faststart"} if isinstance(target, (str, os.PathLike)) else {}
    return av.open(target, "w", format="mp4", options=faststart)


class H264Writer:
    """Frames to one H.264 stream, created at the first frame's size; `preset` is x264's
    speed / size trade-off (None: x264's default, medium)."""

    def __init__(self, container: av.container.OutputContainer, fps: Fraction,
                 preset: Optional[str] = None):
        self.container, self.fps, self.preset = container, fps, preset
        self.stream: Optional[av.video.stream.VideoStream] = None
        self.count = 0

    def write(self, picture: np.ndarray) -> None:
        if self.stream is None:
            self.stream = h264_stream(self.container, self.fps, picture.shape[1],
                                      picture.shape[0], self.preset)
        encoded = av.VideoFrame.from_ndarray(picture, format="rgb24")
        encoded.pts, encoded.time_base = self.count, 1 / self.fps
        self.container.mux(self.stream.encode(encoded))
        self.count += 1

    def finish(self) -> None:
        if self.stream is not None:  # no frame, no stream: nothing to flush
            self.container.mux(self.stream.encode(None))


def h264_stream(writer: av.container.OutputContainer, fps: Fraction, width: int,
                height: int, preset: Optional[str] = None) -> av.video.stream.VideoStream:
    """H.264 in 4:2:0, which every browser plays, when the size is even (4:2:0 needs that);
    4:4:4 otherwise, so the size is still kept exactly."""
    options = {"crf": H264_CRF} if preset is None else {"crf": H264_CRF, "preset": preset}
    stream = writer.add_stream("libx264", rate=fps, options=options)
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p" if width % 2 == 0 and height % 2 == 0 else "yuv444p"
    return stream
