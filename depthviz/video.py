"""Video in, depth heatmap video out: frame I/O (PyAV) around the core's predict and colorize.

Why PyAV rather than OpenCV's VideoWriter: OpenCV's PyPI wheels cannot encode H.264, and
browsers do not play their "mp4v" (MPEG-4 part 2) files; PyAV's wheels bundle FFmpeg with
libx264. PyAV also reads and writes file objects, so the app never puts an upload on disk, and
keeps exact frame rates (30000/1001, not 29.97).

Colours must not flicker, so the colour range is not each frame's min-max: see StableRange.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import BinaryIO, Callable, Iterator, Optional, Union

import av
import numpy as np

from .colorize import DEFAULT_COLORMAP, ValueRange, colorize
from .errors import VideoError
from .models.base import DepthModel

VideoSource = Union[str, os.PathLike, BinaryIO]
#: on_frame(frames done, frames expected or None when the header does not say).
FrameProgress = Callable[[int, Optional[int]], None]

#: Percentiles that span a frame's depth: a few stray pixels cannot stretch the range.
RANGE_PERCENTILES = (2.0, 98.0)
#: Time constant of the colour range's moving average.
RANGE_SMOOTHING_SECONDS = 1.0
#: Percentiles are taken on every 4th pixel of every 4th row: 16x less work, the same range.
RANGE_SAMPLE_STEP = 4
#: H.264 quality (lower is better; 18 is visually lossless for smooth heatmaps).
H264_CRF = "18"


@dataclass(frozen=True)
class VideoInfo:
    """What was written: frame count, size of each frame and the frame rate."""

    frames: int
    width: int
    height: int
    fps: Fraction


class StableRange:
    """The colour range of each frame, steady over time.

    Depth models give relative depth whose scale and offset drift from frame to frame (MiDaS'
    output is only defined up to them), so each frame is placed by its own median and
    inter-quartile spread: robust statistics that a few pixels cannot move, unlike min-max.
    How far the range reaches around them (the 2nd and 98th percentiles, in units of that
    spread) is a moving average that settles in about `seconds`: a still scene keeps its
    colours, a cut settles within a second.
    """

    def __init__(self, fps: float, seconds: float = RANGE_SMOOTHING_SECONDS):
        self.weight = 1.0 - math.exp(-1.0 / max(fps * seconds, 1.0))
        self.reach: Optional[np.ndarray] = None  # (low, high) in spreads from the median

    def update(self, depth: np.ndarray) -> ValueRange:
        sample = depth[::RANGE_SAMPLE_STEP, ::RANGE_SAMPLE_STEP]
        sample = sample[np.isfinite(sample)]
        if not sample.size:
            return (0.0, 0.0)
        low, lower_quartile, median, upper_quartile, high = np.percentile(
            sample, (RANGE_PERCENTILES[0], 25.0, 50.0, 75.0, RANGE_PERCENTILES[1]))
        spread = upper_quartile - lower_quartile
        if spread <= 0:  # a flat frame (or nearly): nothing to place, fall back to its extent
            spread = max(high - low, np.finfo(np.float32).tiny)
        reach = np.array([low - median, high - median]) / spread
        self.reach = reach if self.reach is None else self.reach + self.weight * (reach - self.reach)
        return float(median + self.reach[0] * spread), float(median + self.reach[1] * spread)


def depth_video(source: VideoSource, target: Union[str, os.PathLike, BinaryIO], model: DepthModel,
                cmap: str = DEFAULT_COLORMAP, invert: bool = False, side_by_side: bool = False,
                max_frames: Optional[int] = None,
                on_frame: Optional[FrameProgress] = None) -> VideoInfo:
    """Write an H.264 MP4 of every frame's depth heatmap to `target` (a path or a file object):
    same frame count and rate as `source`, same size (twice the width with `side_by_side`:
    the frame on the left, its heatmap on the right). Audio is not copied. Raises VideoError
    for input that is not a readable video, or has more than `max_frames` frames."""
    try:
        with av.open(source) as reader:
            if not reader.streams.video:
                raise VideoError("The file has no video stream.")
            stream = reader.streams.video[0]
            stream.thread_type = "AUTO"
            fps = stream.average_rate or stream.guessed_rate
            if not fps:
                raise VideoError("The video does not say its frame rate.")
            expected = stream.frames or None
            if max_frames is not None and expected is not None and expected > max_frames:
                raise VideoError(f"The video has {expected} frames; the limit is {max_frames}. "
                                 "Trim it and try again.")
            # faststart (index first, so browsers start playing at once) needs a real file.
            faststart = {"movflags": "faststart"} if isinstance(target, (str, os.PathLike)) else {}
            with av.open(target, "w", format="mp4", options=faststart) as writer:
                return _convert(reader.decode(stream), writer, Fraction(fps), model, cmap, invert,
                                side_by_side, max_frames, expected, on_frame)
    except av.FFmpegError as exc:
        raise VideoError(f"This file is not a video we can read or write ({exc}).") from exc


def _convert(frames: Iterator[av.VideoFrame], writer: av.container.OutputContainer, fps: Fraction, model: DepthModel, cmap: str, invert: bool,
             side_by_side: bool, max_frames: Optional[int], expected: Optional[int],
             on_frame: Optional[FrameProgress]) -> VideoInfo:
    stable = StableRange(float(fps))
    output = None
    count = 0
    for frame in frames:
        if max_frames is not None and count >= max_frames:
            raise VideoError(f"The video has more than {max_frames} frames. Trim it and try again.")
        rgb = upright(frame)
        depth = model.predict(rgb)
        heatmap = colorize(depth, cmap=cmap, invert=invert, value_range=stable.update(depth))
        picture = np.hstack([rgb, heatmap]) if side_by_side else heatmap
        if output is None:
            output = _h264_stream(writer, fps, picture.shape[1], picture.shape[0])
        encoded = av.VideoFrame.from_ndarray(picture, format="rgb24")
        encoded.pts, encoded.time_base = count, 1 / fps
        writer.mux(output.encode(encoded))
        count += 1
        if on_frame is not None:
            on_frame(count, expected)
    if output is None:
        raise VideoError("The video has no frames.")
    writer.mux(output.encode(None))
    return VideoInfo(count, output.width, output.height, fps)


def upright(frame: av.VideoFrame) -> np.ndarray:
    """A decoded frame as HxWx3 RGB, turned as players show it (phones store portrait clips
    sideways with a rotation flag)."""
    rgb = frame.to_ndarray(format="rgb24")
    quarter_turns = round(frame.rotation / 90) % 4  # counter-clockwise, as np.rot90 turns
    return np.ascontiguousarray(np.rot90(rgb, quarter_turns)) if quarter_turns else rgb


def _h264_stream(writer: av.container.OutputContainer, fps: Fraction, width: int,
                 height: int) -> av.video.stream.VideoStream:
    """H.264 in 4:2:0, which every browser plays, when the size is even (4:2:0 needs that);
    4:4:4 otherwise, so the size is still kept exactly."""
    stream = writer.add_stream("libx264", rate=fps, options={"crf": H264_CRF})
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p" if width % 2 == 0 and height % 2 == 0 else "yuv444p"
    return stream
