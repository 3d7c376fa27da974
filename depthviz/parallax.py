"""New views of a photo from its depth: the parallax "3D photo" loop, stereo pairs, anaglyphs.

Each view moves the camera a little and forward-warps every pixel by its distance (nearer
pixels shift more), with a z-buffer so the nearer of two pixels landing on the same spot wins.
What the moved camera sees but the photo hid (behind a person's edge, beyond the frame) is
filled from the surrounding *background*: a push-pull pyramid whose weights favour far pixels,
so a gap behind a person takes the wall's colours, not the person's. All vectorised: one
frame of a 1 MP photo is a few tens of milliseconds.

The motion is given in pixels (how far the nearest things move, relative to the background),
not in metres, so the same strength suits any photo, metric or relative.
"""

from __future__ import annotations

import math
import os
from typing import BinaryIO, Callable, Iterator, Optional, Union

import cv2
import numpy as np

from .camera import distance_from_depth

#: How far the nearest things move relative to the background, as a fraction of the width.
DEFAULT_PARALLAX_STRENGTH = 0.02
#: The stereo pair's largest disparity (nearest vs background), as a fraction of the width.
DEFAULT_STEREO_STRENGTH = 0.03
DEFAULT_SECONDS = 3.0
DEFAULT_FPS = 30
#: Percentiles of distance taken as "the nearest things" and "the background" (the pivot that
#: stays still): a few stray pixels cannot decide the motion.
NEAR_PERCENTILE, FAR_PERCENTILE = 2.0, 98.0
#: How strongly the hole filling prefers far pixels (weight = distance ** this).
BACKGROUND_PREFERENCE = 4.0
#: GIFs carry 256 colours and decode slowly in browsers: they are rendered this wide at most,
#: at this frame rate.
GIF_MAX_WIDTH, GIF_FPS = 640, 15
MOTIONS = ("circle", "dolly")

FrameProgress = Callable[[int, int], None]


class ViewWarper:
    """A photo and its depth, ready to render from nearby cameras.

    The camera moves by (dx, dy) pixels of parallax for the nearest things, and rotates to keep
    the background (the FAR_PERCENTILE distance) still: the look of a "3D photo". `dolly` moves
    it forward by that fraction of the nearest distance instead (near things grow more)."""

    def __init__(self, rgb: np.ndarray, depth: np.ndarray, metric: bool = False):
        rgb = np.asarray(rgb)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"Expected an HxWx3 uint8 RGB photo, got {rgb.shape} {rgb.dtype}.")
        if np.shape(depth) != rgb.shape[:2]:
            raise ValueError(f"The depth map is {np.shape(depth)} but the photo is "
                             f"{rgb.shape[:2]}; they must be the same size.")
        self.height, self.width = rgb.shape[:2]
        distance = distance_from_depth(depth, metric)
        finite = np.isfinite(distance)
        if not finite.any():
            raise ValueError("The depth map has no valid values.")
        near, far = np.percentile(distance[finite][:: max(1, int(finite.sum()) // 250_000)],
                                  (NEAR_PERCENTILE, FAR_PERCENTILE))
        # Invalid pixels are put at the background, so they neither move nor hide anything.
        distance = np.where(finite, distance, far).astype(np.float32).ravel()
        self.near = float(near)
        # Parallax per pixel, 1 at the nearest things and 0 at the background (negative beyond).
        span = 1.0 / near - 1.0 / far if far > near else 1.0
        parallax = (1.0 / distance - 1.0 / far) / span
        # Far pixels first: drawn in this order, a nearer pixel overwrites a farther one.
        order = np.argsort(-distance, kind="stable")
        self.parallax = parallax[order].astype(np.float32)
        self.distance = distance[order]
        rows, cols = np.divmod(order, self.width)
        self.u = cols.astype(np.float32)
        self.v = rows.astype(np.float32)
        # A last, empty entry: pixels nothing lands on (z-buffer -1) read it.
        self.colours = np.vstack([rgb.reshape(-1, 3)[order], np.zeros((1, 3), np.uint8)])
        self.fill_weight = np.append((self.distance / far) ** BACKGROUND_PREFERENCE,
                                     np.float32(0)).astype(np.float32)
        self.rank = np.arange(order.size, dtype=np.int32 if order.size < 2**31 else np.int64)

    def render(self, dx: float = 0.0, dy: float = 0.0, dolly: float = 0.0) -> np.ndarray:
        """The view from the moved camera, HxWx3 uint8, holes filled."""
        u = self.u + np.float32(dx) * self.parallax
        v = self.v + np.float32(dy) * self.parallax
        if dolly:
            # Moving forward by dolly * near: a pixel at distance Z scales about the centre by
            # Z / (Z - dolly * near).
            zoom = self.distance / np.maximum(self.distance - np.float32(dolly * self.near), 1e-6)
            u = (u - (self.width - 1) / 2.0) * zoom + (self.width - 1) / 2.0
            v = (v - (self.height - 1) / 2.0) * zoom + (self.height - 1) / 2.0
        col = np.rint(u, out=u).astype(self.rank.dtype)
        row = np.rint(v, out=v).astype(self.rank.dtype)
        outside = (col < 0) | (col >= self.width) | (row < 0) | (row >= self.height)
        target = row * self.width + col
        pixels = self.height * self.width
        target[outside] = pixels  # one spare slot collects everything off the frame
        winner = np.full(pixels + 1, -1, self.rank.dtype)
        np.maximum.at(winner, target, self.rank)  # the z-buffer: the nearest pixel wins
        winner = winner[:pixels]
        image = self.colours[winner].reshape(self.height, self.width, 3)
        weight = self.fill_weight[winner].reshape(self.height, self.width)
        return fill_holes(image, weight)


def fill_holes(image: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Fill pixels of weight 0 from a push-pull pyramid of weighted averages: each hole takes
    the nearest coarser level's colour, where heavier (farther) pixels dominate."""
    holes = weight <= 0
    if not holes.any():
        return image
    levels = [(image.astype(np.float32) * weight[..., None], weight)]
    while min(levels[-1][1].shape) > 1 and (levels[-1][1] <= 0).any():
        colour_sum, weight_sum = levels[-1]
        size = (max(1, colour_sum.shape[1] // 2), max(1, colour_sum.shape[0] // 2))
        levels.append((cv2.resize(colour_sum, size, interpolation=cv2.INTER_AREA),
                       cv2.resize(weight_sum, size, interpolation=cv2.INTER_AREA)))
    colour_sum, weight_sum = levels[-1]
    for finer_colour, finer_weight in reversed(levels[1:-1]):
        size = (finer_weight.shape[1], finer_weight.shape[0])
        empty = finer_weight <= 0
        colour_sum = np.where(empty[..., None], cv2.resize(colour_sum, size), finer_colour)
        weight_sum = np.where(empty, cv2.resize(weight_sum, size), finer_weight)
    # The full-size level: only its holes are needed.
    size = (image.shape[1], image.shape[0])
    filled = (cv2.resize(colour_sum, size)[holes]
              / np.maximum(cv2.resize(weight_sum, size)[holes], 1e-12)[:, None])
    result = image.copy()
    result[holes] = np.clip(filled + 0.5, 0, 255).astype(np.uint8)
    return result


def stereo_pair(rgb: np.ndarray, depth: np.ndarray, metric: bool = False,
                strength: float = DEFAULT_STEREO_STRENGTH) -> tuple[np.ndarray, np.ndarray]:
    """(left eye, right eye) views: cameras `strength` x width apart in parallax for the
    nearest things; the background has no disparity (the screen plane), near things come out."""
    warper = ViewWarper(rgb, depth, metric)
    shift = strength * warper.width / 2.0
    return warper.render(dx=shift), warper.render(dx=-shift)


def side_by_side(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The pair for parallel viewing (3D TVs, VR viewers): left eye's view on the left."""
    return np.hstack([left, right])


def anaglyph(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Red-cyan anaglyph: red from the left eye's view, green and blue from the right's."""
    return np.dstack([left[..., 0], right[..., 1], right[..., 2]])


def camera_path(frames: int, motion: str = "circle") -> Iterator[tuple[float, float, float]]:
    """(dx, dy, dolly) per frame of a seamless loop, in units of the strength: a circle in the
    image plane, or a dolly forward and back."""
    if motion not in MOTIONS:
        raise ValueError(f"Unknown motion '{motion}'; choose from {', '.join(MOTIONS)}.")
    for index in range(frames):
        angle = 2.0 * math.pi * index / frames
        if motion == "circle":
            yield math.cos(angle), math.sin(angle), 0.0
        else:
            yield 0.0, 0.0, (1.0 - math.cos(angle)) / 2.0


def parallax_frames(rgb: np.ndarray, depth: np.ndarray, metric: bool = False,
                    frames: int = round(DEFAULT_SECONDS * DEFAULT_FPS), motion: str = "circle",
                    strength: float = DEFAULT_PARALLAX_STRENGTH) -> Iterator[np.ndarray]:
    """The loop's frames (HxWx3 uint8). The nearest things move up to `strength` x width
    relative to the background (a circle), or the camera dollies in by `strength` x 10 of the
    nearest distance and back."""
    warper = ViewWarper(rgb, depth, metric)
    amplitude = strength * warper.width
    for dx, dy, dolly in camera_path(frames, motion):
        yield warper.render(dx * amplitude, dy * amplitude, dolly * strength * 10.0)


def write_parallax(target: Union[str, os.PathLike, BinaryIO], rgb: np.ndarray,
                   depth: np.ndarray, metric: bool = False, seconds: float = DEFAULT_SECONDS,
                   fps: int = DEFAULT_FPS, motion: str = "circle",
                   strength: float = DEFAULT_PARALLAX_STRENGTH, gif: bool = False,
                   on_frame: Optional[FrameProgress] = None) -> int:
    """Write the parallax loop to `target` as an H.264 MP4 (or an animated GIF, smaller and at
    GIF_FPS); returns the number of frames."""
    if gif:
        rgb, depth = _gif_size(rgb, depth)
        fps = min(fps, GIF_FPS)
    frames = max(2, round(seconds * fps))
    rendered = parallax_frames(_even(rgb), _even(depth), metric, frames, motion, strength)
    if gif:
        return _write_gif(target, rendered, frames, fps, on_frame)
    return _write_mp4(target, rendered, frames, fps, on_frame)


def _even(image: np.ndarray) -> np.ndarray:
    """Crop to an even width and height: H.264 in 4:2:0 (what every browser plays) needs it."""
    return image[: image.shape[0] // 2 * 2 or 1, : image.shape[1] // 2 * 2 or 1]


def _gif_size(rgb: np.ndarray, depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    height, width = rgb.shape[:2]
    if width <= GIF_MAX_WIDTH:
        return rgb, depth
    size = (GIF_MAX_WIDTH, max(1, round(height * GIF_MAX_WIDTH / width)))
    return (cv2.resize(rgb, size, interpolation=cv2.INTER_AREA),
            cv2.resize(np.asarray(depth, np.float32), size, interpolation=cv2.INTER_NEAREST))


def _write_mp4(target, rendered: Iterator[np.ndarray], frames: int, fps: int,
               on_frame: Optional[FrameProgress]) -> int:
    import av
    from fractions import Fraction

    from .video import h264_stream

    faststart = {"movflags": "faststart"} if isinstance(target, (str, os.PathLike)) else {}
    with av.open(target, "w", format="mp4", options=faststart) as writer:
        stream = None
        for index, picture in enumerate(rendered):
            if stream is None:
                stream = h264_stream(writer, Fraction(fps), picture.shape[1], picture.shape[0])
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            writer.mux(stream.encode(frame))
            if on_frame is not None:
                on_frame(index + 1, frames)
        writer.mux(stream.encode(None))
    return frames


def _write_gif(target, rendered: Iterator[np.ndarray], frames: int, fps: int,
               on_frame: Optional[FrameProgress]) -> int:
    from PIL import Image

    images = []
    for index, picture in enumerate(rendered):
        images.append(Image.fromarray(picture).quantize(colors=256, method=Image.Quantize.MEDIANCUT))
        if on_frame is not None:
            on_frame(index + 1, frames)
    images[0].save(target, format="GIF", save_all=True, append_images=images[1:],
                   duration=round(1000 / fps), loop=0, optimize=False)
    return frames
