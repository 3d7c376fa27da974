"""Video clips for the tests: H.264 and MPEG-4 clips written in memory, read back as frames."""

from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction
from typing import Optional

import av
import cv2
import numpy as np


def write_clip(target, frames: Sequence[np.ndarray], fps: Fraction,
               rotation: Optional[int] = None) -> None:
    """An H.264 clip at near-lossless quality, optionally flagged as rotated like phone video."""
    with av.open(target, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps, options={"crf": "4"})
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for frame in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        out.mux(stream.encode(None))


def read_clip(source) -> tuple[list[np.ndarray], Fraction]:
    with av.open(source) as clip:
        stream = clip.streams.video[0]
        frames = [frame.to_ndarray(format="rgb24") for frame in clip.decode(stream)]
        return frames, stream.average_rate


def small(rgb: np.ndarray, size=(160, 120)) -> np.ndarray:
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def mpeg4_mkv(frames: list[np.ndarray]) -> bytes:
    """MPEG-4 part 2 in Matroska: what the issue's clip was, and what browsers cannot play."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="matroska") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for frame in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        out.mux(stream.encode(None))
    return buffer.getvalue()
