"""Views for people rather than files: screen-sized previews, the wipe and blend comparisons,
and content hashes that key caches. The app composes these; it draws no pixels itself."""

from __future__ import annotations

import hashlib

import cv2
import numpy as np

from depthviz.outputs.colorize import colorize

#: Longest side of an on-screen preview: sharp in a half-width column of a wide page.
PREVIEW_SIDE = 1280


def fit_within(image: np.ndarray, max_side: int = PREVIEW_SIDE) -> np.ndarray:
    """Downscale (area averaging, aspect kept) so neither side exceeds `max_side`; never
    upscales. Works on HxW depth maps and HxWx3 photos alike, so a photo and its depth map
    get identical preview sizes."""
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def wipe(left: np.ndarray, right: np.ndarray, position: float) -> np.ndarray:
    """Comparison-slider view: `left` up to `position` (0..1 of the width), `right` after,
    with a thin white divider so the seam is visible on any picture."""
    if left.shape != right.shape:
        raise ValueError(f"Images differ in shape: {left.shape} vs {right.shape}.")
    width = left.shape[1]
    seam = round(min(max(position, 0.0), 1.0) * width)
    view = right.copy()
    view[:, :seam] = left[:, :seam]
    if 0 < seam < width:
        half = max(1, width // 500)
        view[:, max(0, seam - half):seam + half] = 255
    return view


def blend(base: np.ndarray, overlay: np.ndarray, alpha: float) -> np.ndarray:
    """Overlay view: `overlay` over `base` at opacity `alpha` (0 = base only, 1 = overlay only)."""
    if base.shape != overlay.shape:
        raise ValueError(f"Images differ in shape: {base.shape} vs {overlay.shape}.")
    alpha = min(max(float(alpha), 0.0), 1.0)
    return cv2.addWeighted(overlay, alpha, base, 1.0 - alpha, 0.0)


def legend(cmap: str, invert: bool = False, width: int = 512, height: int = 14) -> np.ndarray:
    """A colour bar in the heatmaps' colours: far on the left, near on the right."""
    ramp = np.tile(np.linspace(0.0, 1.0, width, dtype=np.float32), (height, 1))
    return colorize(ramp, cmap, invert, value_range=(0.0, 1.0))


def legend_css(cmap: str, invert: bool = False, stops: int = 32) -> str:
    """The same colour bar as a CSS gradient (`stops` colours of the map, evenly spaced): sharp
    at any width, and no picture to send."""
    colours = legend(cmap, invert, width=stops, height=1)[0]
    return "linear-gradient(to right, " + ", ".join(
        f"rgb({red}, {green}, {blue})" for red, green, blue in colours) + ")"


def content_hash(data: bytes) -> str:
    """A short, stable name for file contents (cache key: same bytes, same depth map)."""
    return hashlib.sha256(data).hexdigest()[:32]
