"""ImageNet normalisation: the last preprocessing step of every family trained on ImageNet
backbones (MiDaS, Depth Anything V2)."""

from __future__ import annotations

import numpy as np

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def imagenet_batch(resized: np.ndarray) -> np.ndarray:
    """HxWx3 float32 (0..255) -> 1x3xHxW ImageNet-normalised network input."""
    # (x / 255 - mean) / std as one multiply-add in float32 (the recipes use float64).
    scale = 1.0 / (255.0 * IMAGENET_STD)
    normalised = resized * scale - IMAGENET_MEAN / IMAGENET_STD
    return np.ascontiguousarray(normalised.transpose(2, 0, 1)[None], dtype=np.float32)
