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
from contextlib import ExitStack
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Optional, Union

import av
import cv2
import numpy as np

from .colorize import DEFAULT_COLORMAP, ValueRange, colorize
from .errors import VideoError
from .models.base import DepthModel

VideoSource = Union[str, os.PathLike, BinaryIO]
VideoTarget = Union[str, os.PathLike, BinaryIO]
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
#: FFmpeg's demuxers of still pictures (JPEG, PNG, ... files are read by "image2" or "*_pipe").
STILL_IMAGE_FORMATS = ("image2", "webp", "tiff")
#: Output names that say MP4, which is what depth videos are.
MP4_SUFFIXES = (".mp4", ".m4v")
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
        with av.open(source) as reader, ExitStack() as outputs:
            stream = video_stream(reader, max_frames)
            fps = Fraction(stream.average_rate or stream.guessed_rate)
            writers = [H264Writer(outputs.enter_context(open_mp4(path)), fps)
                       for path in (target, original) if path is not None]
            return _convert(reader.decode(stream), writers, fps, model, cmap, invert,
                            side_by_side, max_frames, stream.frames or None, on_frame)
    except av.FFmpegError as exc:
        raise VideoError(ffmpeg_failure(exc)) from exc


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


def check_output_name(path: Union[str, os.PathLike]) -> None:
    """Depth videos are H.264 in MP4: refuse a name that promises another format (.avi)."""
    suffix = Path(path).suffix.lower()
    if suffix not in MP4_SUFFIXES:
        raise VideoError(f"Depth videos are written as MP4 (H.264): name the output "
                         f"{Path(path).with_suffix('.mp4').name}, not {Path(path).name}.")


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
        self.stream, self.count = None, 0

    def write(self, picture: np.ndarray) -> None:
        if self.stream is None:
            self.stream = h264_stream(self.container, self.fps, picture.shape[1],
                                      picture.shape[0], self.preset)
        encoded = av.VideoFrame.from_ndarray(picture, format="rgb24")
        encoded.pts, encoded.time_base = self.count, 1 / self.fps
        self.container.mux(self.stream.encode(encoded))
        self.count += 1

    def finish(self) -> None:
        self.container.mux(self.stream.encode(None))


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
    return VideoInfo(count, depth_writer.stream.width, depth_writer.stream.height, fps)


def upright(frame: av.VideoFrame) -> np.ndarray:
    """A decoded frame as HxWx3 RGB, turned as players show it (phones store portrait clips
    sideways with a rotation flag)."""
    rgb = frame.to_ndarray(format="rgb24")
    quarter_turns = round(frame.rotation / 90) % 4  # counter-clockwise, as np.rot90 turns
    return np.ascontiguousarray(np.rot90(rgb, quarter_turns)) if quarter_turns else rgb


def h264_stream(writer: av.container.OutputContainer, fps: Fraction, width: int,
                height: int, preset: Optional[str] = None) -> av.video.stream.VideoStream:
    """H.264 in 4:2:0, which every browser plays, when the size is even (4:2:0 needs that);
    4:4:4 otherwise, so the size is still kept exactly."""
    options = {"crf": H264_CRF} if preset is None else {"crf": H264_CRF, "preset": preset}
    stream = writer.add_stream("libx264", rate=fps, options=options)
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p" if width % 2 == 0 and height % 2 == 0 else "yuv444p"
    return stream
