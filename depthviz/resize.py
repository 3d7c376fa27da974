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
    """HxWx3 uint8 -> float32 (0..255) at size=(h, w), bicubic like the official recipe."""
    height, width = size
    return cv2.resize(rgb.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)


def resize_depth(depth: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Network-resolution depth -> float32 at size=(h, w), bicubic (half-pixel centres)."""
    height, width = size
    depth = np.ascontiguousarray(depth, dtype=np.float32)
    if depth.shape == (height, width):
        return depth
    return cv2.resize(depth, (width, height), interpolation=cv2.INTER_CUBIC)
