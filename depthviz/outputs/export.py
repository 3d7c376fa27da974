"""Encode results for download or disk: heatmap PNG, 16-bit depth PNG, float32 .npy, 8-bit grey
PNG (near = white), PFM (as MiDaS writes it)."""

from __future__ import annotations

import io
from typing import Optional

import cv2
import numpy as np

from depthviz.io.naming import HEATMAP_SUFFIX
from depthviz.outputs.colorize import (
    DEFAULT_COLORMAP,
    ValueRange,
    colorize,
    colormap_lut,
    colour_levels,
    normalize,
)
from depthviz.outputs.png import palette_png

#: Output format name -> file suffix appended to the input's stem (a heatmap's name carries its
#: colours before its suffix: `naming.output_name`).
FORMAT_SUFFIXES = {"heatmap": HEATMAP_SUFFIX, "depth16": ".depth16.png", "npy": ".depth.npy",
                   "gray8": ".gray8.png", "pfm": ".depth.pfm"}
#: zlib level 1 with every row "up"-filtered (depth maps change smoothly from row to row):
#: ~3x faster than libpng's adaptive filters and ~10x faster than Pillow's defaults, into a
#: file of about the same size.
PNG_PARAMS = [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP]


def heatmap_png(depth: np.ndarray, cmap: str = DEFAULT_COLORMAP, invert: bool = False, *,
                value_range: Optional[ValueRange] = None) -> bytes:
    """HxW depth -> the heatmap as an 8-bit palette PNG, decoding to exactly the pixels of
    `colorize(depth, cmap, invert, value_range)`: the colour levels are written as they are with
    the colormap as the palette (no RGB image is built), compressed on every core (see png.py)."""
    return palette_png(colour_levels(depth, value_range, invert), colormap_lut(cmap))


def heatmap_jpeg(depth: np.ndarray, cmap: str = DEFAULT_COLORMAP, invert: bool = False,
                 quality: int = 90) -> bytes:
    """The heatmap as a JPEG, what the Flask tutorial's `/predict` answered: `colorize`'s
    pixels, lossy, for clients written against that tutorial."""
    bgr = cv2.cvtColor(colorize(depth, cmap, invert), cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"JPEG encoding failed for an array of shape {depth.shape}.")
    return encoded.tobytes()


def depth16_png(depth: np.ndarray, value_range: Optional[ValueRange] = None, *,
                metric: bool = False) -> bytes:
    """Depth -> single-channel 16-bit PNG. Relative depth: normalised to 0..65535 (larger =
    nearer). Metric models (`depth` in 1/metres): millimetres, 0 = no value (NYU/TUM style)."""
    if metric:
        return _encode_png(millimetres(depth))
    levels = (normalize(depth, value_range) * 65535.0 + 0.5).astype(np.uint16)
    return _encode_png(levels)


def millimetres(inverse_metres: np.ndarray) -> np.ndarray:
    """1/metres -> uint16 millimetres, rounded; 0 where there is no value or it exceeds 65.535 m."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mm = np.rint(1000.0 / np.asarray(inverse_metres, dtype=np.float64))
    valid = np.isfinite(mm) & (mm >= 1) & (mm <= np.iinfo(np.uint16).max)
    return np.where(valid, mm, 0).astype(np.uint16)


def gray8_png(depth: np.ndarray) -> bytes:
    """Depth -> single-channel 8-bit PNG, near = white, far = black (what ControlNet's depth
    conditioning and most image editors expect); normalised like the heatmap."""
    return _encode_png(colour_levels(depth))


def depth_pfm(depth: np.ndarray) -> bytes:
    """Depth as a greyscale PFM, byte for byte what MiDaS' run.py writes: header "Pf", width and
    height, scale -1 (little-endian), then float32 rows from the bottom up."""
    rows = np.flipud(np.asarray(depth, dtype="<f4"))
    header = f"Pf\n{rows.shape[1]} {rows.shape[0]}\n{-1.0:f}\n".encode("ascii")
    return header + np.ascontiguousarray(rows).tobytes()


def depth_npy(depth: np.ndarray, *, metric: bool = False) -> bytes:
    """Depth as a float32 .npy file (np.load reads it back exactly). Metric models (`depth` in
    1/metres): metres instead."""
    depth = np.asarray(depth, dtype=np.float32)
    if metric:
        depth = np.float32(1.0) / depth
    buffer = io.BytesIO()
    np.save(buffer, depth, allow_pickle=False)
    return buffer.getvalue()


def _encode_png(array: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", array, PNG_PARAMS)
    if not ok:
        raise ValueError(f"PNG encoding failed for an array of shape {array.shape}.")
    return encoded.tobytes()


def encode(fmt: str, depth: np.ndarray, cmap: str = DEFAULT_COLORMAP, invert: bool = False,
           *, metric: bool = False) -> bytes:
    """Bytes of one output format (`cmap` and `invert` colour the heatmap; `metric`: `depth` is
    1/metres, and the 16-bit PNG holds millimetres, the .npy metres)."""
    if fmt == "heatmap":
        return heatmap_png(depth, cmap, invert)
    if fmt == "depth16":
        return depth16_png(depth, metric=metric)
    if fmt == "npy":
        return depth_npy(depth, metric=metric)
    if fmt == "gray8":
        return gray8_png(depth)
    if fmt == "pfm":
        return depth_pfm(depth)
    raise ValueError(f"Unknown format '{fmt}'; choose from {', '.join(FORMAT_SUFFIXES)}.")
