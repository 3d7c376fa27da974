"""Resize policy and resampling shared by every model (OpenCV, float32 throughout)."""

from __future__ import annotations

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


def resize_image(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """HxWx3 uint8 -> float32 (0..255) at size=(h, w): OpenCV's INTER_CUBIC on the float photo,
    as the official recipe computes it (which notices even 8-bit rounding of its input).

    Cubic reads 4 rows and 4 columns per output pixel, so a large reduction (a 12 MP photo to
    256x192) gathers just those pixels and weighs them as OpenCV would, instead of converting
    all 36 M values to float first.
    """
    height, width = size
    if rgb.shape[0] < 4 * height or rgb.shape[1] < 4 * width:
        return cv2.resize(rgb.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    rows, row_weights = cubic_taps(rgb.shape[0], height)
    columns, column_weights = cubic_taps(rgb.shape[1], width)
    taps = np.take(np.take(rgb, rows.ravel(), axis=0), columns.ravel(), axis=1).astype(np.float32)
    taps = taps.reshape(height, 4, width, 4, rgb.shape[2])
    return np.einsum("yi,xj,yixjc->yxc", row_weights, column_weights, taps, optimize=True)


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
