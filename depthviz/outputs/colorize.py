"""Depth array -> colour heatmap with any matplotlib colormap (OpenCV LUT, so 12 MP is fast)."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Optional

import cv2
import numpy as np

from depthviz.errors import UnknownColormap
from depthviz.outputs.strips import map_strips

#: matplotlib's perceptually uniform sequential maps: listed first in pickers.
PERCEPTUAL_COLORMAPS = ("inferno", "magma", "plasma", "viridis", "cividis")
DEFAULT_COLORMAP = "inferno"
#: Maps that suit depth, offered first: the perceptually uniform ones, turbo (a smooth rainbow
#: with more contrast) and Spectral (diverging, popular in depth papers).
DEPTH_COLORMAPS = (*PERCEPTUAL_COLORMAPS, "turbo", "Spectral")
#: Below this many colours a map is qualitative (Set1, tab10, ...): categories, not distances.
_QUALITATIVE_BELOW = 256
#: Misc maps whose colours repeat along the scale: near and far get the same colour.
_REPEATING = ("flag", "prism")

ValueRange = tuple[float, float]


def colormap_names() -> list[str]:
    """Perceptually uniform maps first, then every other matplotlib map (reversed "_r" twins
    are left out: `invert` does that)."""
    import matplotlib

    others = sorted((name for name in matplotlib.colormaps
                     if not name.endswith("_r") and name not in PERCEPTUAL_COLORMAPS),
                    key=str.lower)
    return [*PERCEPTUAL_COLORMAPS, *others]


@lru_cache(maxsize=2)
def colormap_choices(more: bool = False) -> tuple[str, ...]:
    """What a colormap picker offers: the maps that suit depth, then with `more` every other
    distinct map. Each map appears once: aliases (gray/grey/gist_gray) and reversed twins
    (binary is gray upside down; `invert` does that) are merged, keeping the plainest name.
    Qualitative and repeating maps, which show categories rather than distances, are left out;
    `colormap_names()` still lists (and the CLI still accepts) every name."""
    import matplotlib

    if not more:
        return DEPTH_COLORMAPS
    usable = [name for name in colormap_names() if name not in _REPEATING
              and matplotlib.colormaps[name].N >= _QUALITATIVE_BELOW]
    plainest_first = sorted(usable, key=lambda name: (name not in DEPTH_COLORMAPS,
                                                      name.startswith("gist_"), len(name),
                                                      name.lower()))
    kept: dict[bytes, str] = {}
    for name in plainest_first:
        lut = colormap_lut(name)
        kept.setdefault(min(lut.tobytes(), lut[::-1].tobytes()), name)
    distinct = set(kept.values())
    return (*DEPTH_COLORMAPS, *(name for name in usable
                                if name in distinct and name not in DEPTH_COLORMAPS))


@cache
def colormap_lut(name: str) -> np.ndarray:
    """256 x 1 x 3 uint8 RGB lookup table of a matplotlib colormap."""
    import matplotlib

    try:
        cmap = matplotlib.colormaps[name]
    except KeyError:
        raise UnknownColormap(f"Unknown colormap '{name}'. Try one of: "
                         f"{', '.join(PERCEPTUAL_COLORMAPS)}.") from None
    rgba = cmap(np.linspace(0.0, 1.0, 256))
    lut = np.round(rgba[:, :3] * 255.0).astype(np.uint8).reshape(256, 1, 3)
    lut.setflags(write=False)
    return lut


def depth_range(depth: np.ndarray) -> ValueRange:
    """(min, max) over finite values; (0, 0) if there are none."""
    low, high = float(np.min(depth)), float(np.max(depth))
    if np.isfinite(low) and np.isfinite(high):
        return low, high
    finite = depth[np.isfinite(depth)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)


def normalize(depth: np.ndarray, value_range: Optional[ValueRange] = None) -> np.ndarray:
    """Depth -> float32 in [0, 1] over `value_range` (default: the map's own finite range).

    A flat map gives all zeros, non-finite values give 0: never NaN, never a division by zero.
    A fixed `value_range` keeps colours stable across frames of a video.
    """
    low, high = depth_range(depth) if value_range is None else value_range
    span = high - low
    scale = np.float32(1.0 / span) if span > 0 and np.isfinite(span) else np.float32(0.0)
    with np.errstate(invalid="ignore", over="ignore"):  # inf * 0 -> NaN, replaced just below
        unit = (np.asarray(depth, dtype=np.float32) - np.float32(low)) * scale
    np.nan_to_num(unit, copy=False, nan=0.0, posinf=1.0, neginf=0.0)
    return np.clip(unit, 0.0, 1.0, out=unit)


def colorize(depth: np.ndarray, cmap: str = DEFAULT_COLORMAP, invert: bool = False,
             value_range: Optional[ValueRange] = None) -> np.ndarray:
    """HxW depth -> HxWx3 uint8 RGB heatmap. Larger values (nearer) get the map's high end
    (warm with inferno); `invert=True` swaps that."""
    lut = colormap_lut(cmap)
    return cv2.applyColorMap(colour_levels(depth, value_range, invert), lut)


def colour_levels(depth: np.ndarray, value_range: Optional[ValueRange] = None,
                  invert: bool = False) -> np.ndarray:
    """Depth -> uint8 LUT index 0..255, as `normalize` scaled to 255 and rounded.

    A finite map (the usual case) takes one saturating OpenCV pass instead of numpy's half a
    dozen over a 12 MP float array, in row strips on every core; NaN and infinities go through
    `normalize`.
    """
    depth = np.asarray(depth, dtype=np.float32)
    height, width = depth.shape[0], int(np.prod(depth.shape[1:]))
    extremes = map_strips(lambda start, stop: (np.min(depth[start:stop]),
                                               np.max(depth[start:stop])), height, width)
    own_low = float(min(low for low, _ in extremes))  # NaN if any strip holds one
    own_high = float(max(high for _, high in extremes))
    if any(np.isnan(low) or np.isnan(high) for low, high in extremes):
        own_low = own_high = float("nan")
    if not (np.isfinite(own_low) and np.isfinite(own_high)):
        unit = normalize(depth, value_range)
        if invert:
            np.subtract(1.0, unit, out=unit)
        return (unit * 255.0 + 0.5).astype(np.uint8)
    low, high = (own_low, own_high) if value_range is None else value_range
    span = high - low
    scale = 255.0 / span if span > 0 and np.isfinite(span) else 0.0
    alpha, beta = (-scale, 255.0 + low * scale) if invert else (scale, -low * scale)
    depth = np.ascontiguousarray(depth)
    levels = np.empty(depth.shape, np.uint8)
    map_strips(lambda start, stop: cv2.addWeighted(
        depth[start:stop], alpha, depth[start:stop], 0.0, beta, dst=levels[start:stop],
        dtype=cv2.CV_8U), height, width)
    return levels
