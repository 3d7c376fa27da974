"""Resize policy and resampling shared by every model (OpenCV, float32 throughout)."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np


def fit_to_multiple(height: int, width: int, limit: int, multiple: int) -> tuple[int, int]:
    """MiDaS' "upper_bound" policy: scale to fit inside limit x limit keeping the aspect ratio,
    then each side to the nearest multiple (down when that would exceed the limit).

    This is `midas.transforms.Resize.constrain_to_multiple_of` of the official code, plus a
    floor of one multiple so slivers (e.g. 4000x6) still give a valid network input.
    """
    scale = min(limit / height, limit / width)

    def constrain(x: float) -> int:
        y = int(np.round(x / multiple) * multiple)
        if y > limit:
            y = int(np.floor(x / multiple) * multiple)
        return max(y, multiple)

    return constrain(scale * height), constrain(scale * width)


def lower_bound_to_multiple(height: int, width: int, side: int,
                            multiple: int) -> tuple[int, int]:
    """Depth Anything V2's "lower_bound" policy: scale so that both sides are at least `side`
    keeping the aspect ratio, each side to the nearest multiple (numpy's round half to even),
    up when that would fall below `side` (small photos are upscaled).

    This is `depth_anything_v2.util.transform.Resize(side, side, keep_aspect_ratio=True,
    ensure_multiple_of=multiple, resize_method="lower_bound").get_size` of the official code.
    """
    scale = max(side / height, side / width)

    def constrain(x: float) -> int:
        y = int(np.round(x / multiple) * multiple)
        return int(np.ceil(x / multiple) * multiple) if y < side else y

    return constrain(scale * height), constrain(scale * width)


def resize_image(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """HxWx3 uint8 -> float32 (0..255) at size=(h, w): OpenCV's INTER_CUBIC on the float photo,
    as the official recipe computes it (which notices even 8-bit rounding of its input).

    Cubic reads 4 rows and 4 columns per output pixel, so a large reduction (a 12 MP photo to
    256x192) gathers just those pixels (one multi-threaded OpenCV remap, nearest) and weighs
    them as OpenCV would, columns then rows, instead of converting all 36 M values to float.
    """
    height, width = size
    if rgb.shape[0] < 4 * height or rgb.shape[1] < 4 * width:
        return cv2.resize(rgb.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    tap_map, row_weights, column_weights = cubic_gather(rgb.shape[0], rgb.shape[1], height, width)
    channels = rgb.shape[2]
    # taps[i, y, j, x] = the pixel at row tap i of output row y, column tap j of output column x
    taps = cv2.remap(rgb, tap_map, None, cv2.INTER_NEAREST).reshape(
        4, height, 4, width * channels)
    across = np.zeros((4, height, width * channels), np.float32)
    for j in range(4):  # each output column from its 4 source columns (long rows: fast loops)
        across += taps[:, :, j] * np.repeat(column_weights[:, j], channels)
    result = np.zeros((height, width * channels), np.float32)
    for i in range(4):  # then each output row from its 4 source rows
        result += across[i] * row_weights[:, i, None]
    return result.reshape(height, width, channels)


@lru_cache(maxsize=8)
def cubic_gather(source_height: int, source_width: int, height: int,
                 width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (x, y) source pixel of every tap as a 4h x 4w int16 map for cv2.remap, tap-major
    (row i * h + y, column j * w + x), and the row and column weights: the same for every photo
    of one size, so computed once."""
    rows, row_weights = cubic_taps(source_height, height)
    columns, column_weights = cubic_taps(source_width, width)
    tap_map = np.empty((rows.size, columns.size, 2), np.int16)  # sides < 32768 (images.MAX_SIDE)
    tap_map[..., 0] = columns.T.ravel()[None, :]
    tap_map[..., 1] = rows.T.ravel()[:, None]
    for array in (tap_map, row_weights, column_weights):
        array.setflags(write=False)
    return tap_map, row_weights, column_weights


#: The cubic kernel's free parameter in OpenCV (and torch): Keys' a = -0.75.
CUBIC_A = np.float32(-0.75)


def cubic_taps(source: int, target: int) -> tuple[np.ndarray, np.ndarray]:
    """OpenCV's INTER_CUBIC along one axis: for each of `target` outputs, the 4 source indices
    (clamped at the edges) and their float32 weights."""
    position = (np.arange(target) + 0.5) * (source / target) - 0.5
    start = np.floor(position)
    t = (position - start).astype(np.float32)  # OpenCV takes the fraction in double precision
    a = CUBIC_A
    w0 = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a
    w1 = ((a + 2) * t - (a + 3)) * t * t + 1
    w2 = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1
    weights = np.stack([w0, w1, w2, 1 - w0 - w1 - w2], axis=1)
    indices = np.clip(start.astype(np.int64)[:, None] + np.arange(-1, 3), 0, source - 1)
    return indices, weights


def resize_depth(depth: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Network-resolution depth -> float32 at size=(h, w), bicubic (half-pixel centres)."""
    height, width = size
    depth = np.ascontiguousarray(depth, dtype=np.float32)
    if depth.shape == (height, width):
        return depth
    return cv2.resize(depth, (width, height), interpolation=cv2.INTER_CUBIC)


def linear_taps_aligned(source: int, target: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """torch's bilinear with align_corners=True along one axis: for each output, the two source
    indices and the float32 weight of the second (src = dst * (source - 1) / (target - 1))."""
    scale = np.float32((source - 1) / (target - 1)) if target > 1 else np.float32(0)
    position = np.arange(target, dtype=np.float32) * scale
    first = np.minimum(position.astype(np.int64), source - 1)
    second = np.minimum(first + 1, source - 1)
    return first, second, (position - first).astype(np.float32)


def resize_depth_aligned(depth: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Network-resolution depth -> float32 at size=(h, w), bilinear with align_corners=True
    (corner pixels map to corner pixels), one axis after the other, as Depth Anything V2 does
    with F.interpolate(..., mode="bilinear", align_corners=True)."""
    depth = np.ascontiguousarray(depth, dtype=np.float32)
    if depth.shape == tuple(size):
        return depth
    top, bottom, down = linear_taps_aligned(depth.shape[0], size[0])
    rows = depth[top] + (depth[bottom] - depth[top]) * down[:, None]
    left, right, across = linear_taps_aligned(depth.shape[1], size[1])
    return rows[:, left] + (rows[:, right] - rows[:, left]) * across
