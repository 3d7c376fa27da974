"""Video in, depth heatmap video out: each frame through the model and colorize, frames read by
io.video and written by outputs.mp4.

Colours must not flicker, so the colour range is not each frame's min-max: see StableRange.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Optional

import av
import cv2
import numpy as np

from depthviz.errors import VideoError
from depthviz.io.video import VideoSource, ffmpeg_failure, upright, video_stream
from depthviz.models.depth_model import DepthModel
from depthviz.outputs.colorize import DEFAULT_COLORMAP, ValueRange, colorize
from depthviz.outputs.mp4 import H264Writer, VideoTarget, open_mp4

#: on_frame(frames done, frames expected or None when the header does not say).
FrameProgress = Callable[[int, Optional[int]], None]

#: Percentiles that span a frame's depth: a few stray pixels cannot stretch the range, and no
#: more than about 1% of a frame sits flat at either end of the colormap.
RANGE_PERCENTILES = (1.0, 99.0)
#: Time constant with which the colour range narrows again (it widens at once).
RANGE_SMOOTHING_SECONDS = 1.0
#: Percentiles are taken on every n-th pixel of every n-th row, n chosen so the sample's shorter
#: side keeps at least this many pixels: depth maps are upsampled from a network input of about
#: this size, so a 1080p frame costs 16x less work for the same range.
RANGE_SAMPLE_SIDE = 256


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
    How far the range reaches around them (the 1st and 99th percentiles, in units of that
    spread) widens at once when a frame needs more room, so moving footage never sits flat at
    the colormap's ends (a plain moving average lagged behind a pan and clipped up to 27% of a
    frame), and narrows again over about `seconds`, so a still scene keeps its colours and a
    cut settles within a second.
    """

    def __init__(self, fps: float, seconds: float = RANGE_SMOOTHING_SECONDS):
        self.weight = 1.0 - math.exp(-1.0 / max(fps * seconds, 1.0))
        self.reach: Optional[np.ndarray] = None  # (low, high) in spreads from the median

    def update(self, depth: np.ndarray) -> ValueRange:
        sample = range_sample(depth)
        if not sample.size:
            return (0.0, 0.0)
        low, lower_quartile, median, upper_quartile, high = np.percentile(
            sample, (RANGE_PERCENTILES[0], 25.0, 50.0, 75.0, RANGE_PERCENTILES[1]))
        spread = upper_quartile - lower_quartile
        if spread <= 0:  # a flat frame (or nearly): nothing to place, fall back to its extent
            spread = max(high - low, np.finfo(np.float32).tiny)
        reach = np.array([low - median, high - median]) / spread
        if self.reach is None:
            self.reach = reach
        else:
            narrowed = self.reach + self.weight * (reach - self.reach)
            self.reach = np.array([min(reach[0], narrowed[0]), max(reach[1], narrowed[1])])
        return float(median + self.reach[0] * spread), float(median + self.reach[1] * spread)


def range_sample(depth: np.ndarray) -> np.ndarray:
    """The finite depth values that place a frame's colours. A 3x3 median first removes lone
    stray pixels (they would widen the range and dim everything else); areas that really are
    nearer or farther, even small ones, are kept."""
    step = max(1, min(depth.shape[:2]) // RANGE_SAMPLE_SIDE)
    sample = np.ascontiguousarray(depth[::step, ::step], dtype=np.float32)
    finite = np.isfinite(sample)
    if finite.all() and min(sample.shape) >= 3:
        return cv2.medianBlur(sample, 3).ravel()
    return sample[finite]


def depth_video(source: VideoSource, target: VideoTarget, model: DepthModel,
                cmap: str = DEFAULT_COLORMAP, invert: bool = False, side_by_side: bool = False,
                max_frames: Optional[int] = None, on_frame: Optional[FrameProgress] = None,
                original: Optional[VideoTarget] = None) -> VideoInfo:
    """Write an H.264 MP4 of every frame's depth heatmap to `target` (a path or a file object):
    same frame count and rate as `source`, same size (twice the width with `side_by_side`:
    the frame on the left, its heatmap on the right). Audio is not copied. With `original`,
    the frames themselves (upright) are written there too, as an H.264 MP4 that browsers play
    whatever the source's codec. Raises VideoError for input that is not a readable video, is
    a still image, or has more than `max_frames` frames."""
    if isinstance(source, (str, os.PathLike)) and not Path(source).is_file():
        raise VideoError(f"There is no video file at {source}. Check the path.")
    try:
        with av.open(source, "r") as reader, ExitStack() as outputs:
            stream = video_stream(reader, max_frames)
            fps = Fraction(stream.average_rate or stream.guessed_rate or 0)
            writers = [H264Writer(outputs.enter_context(open_mp4(path)), fps)
                       for path in (target, original) if path is not None]
            return _convert(reader.decode(stream), writers, fps, model, cmap, invert,
                            side_by_side, max_frames, stream.frames or None, on_frame)
    except av.FFmpegError as exc:
        raise VideoError(ffmpeg_failure(exc)) from exc


def _convert(frames: Iterator[av.VideoFrame], writers: list[H264Writer], fps: Fraction,
             model: DepthModel, cmap: str, invert: bool, side_by_side: bool,
             max_frames: Optional[int], expected: Optional[int],
             on_frame: Optional[FrameProgress]) -> VideoInfo:
    depth_writer, *original_writer = writers
    stable = StableRange(float(fps))
    count = 0
    for frame in frames:
        if max_frames is not None and count >= max_frames:
            raise VideoError(f"The video has more than {max_frames} frames. Trim it and try again.")
        rgb = upright(frame)
        depth = model.predict(rgb)
        heatmap = colorize(depth, cmap=cmap, invert=invert, value_range=stable.update(depth))
        depth_writer.write(np.hstack([rgb, heatmap]) if side_by_side else heatmap)
        for writer in original_writer:
            writer.write(rgb)
        count += 1
        if on_frame is not None:
            on_frame(count, expected)
    if not count:
        raise VideoError("The video has no frames that could be decoded. It may be damaged; "
                         "re-save it and try again.")
    if count == 1:
        raise VideoError("The video has a single frame: that is a still photo. For a photo's "
                         "depth map use `depthviz predict` (command line) or the Compare page "
                         "(app).")
    for writer in writers:
        writer.finish()
    stream = depth_writer.stream
    assert stream is not None, "frames were written, so the stream exists"
    return VideoInfo(count, stream.width, stream.height, fps)


