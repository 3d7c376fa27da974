"""8-bit palette PNG files, compressed on every core: what a heatmap download is made of.

A heatmap has at most 256 colours, so it is written as the colormap's levels (one byte per
pixel) plus the colormap as the palette: a third of the bytes of an RGB PNG before
compression and no RGB image ever built. Rows are "up"-filtered (depth changes smoothly from
row to row, so the differences are mostly zero) and deflated by ISA-L (`isal`, several times
faster than zlib at a similar size) in horizontal strips on a thread pool; the strips' deflate
streams join into the one zlib stream PNG wants (each strip but the last ends on a byte boundary
via a sync flush, as pigz does).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from isal import isal_zlib

from depthviz.outputs.strips import map_strips

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: ISA-L level 1: the 12 MP heatmap in ~16 ms on one core, 2.3x smaller than an RGB PNG.
DEFLATE_LEVEL = 1
#: PNG's "up" filter type: each byte minus the byte above it.
FILTER_UP = 2

def palette_png(indices: np.ndarray, palette: np.ndarray) -> bytes:
    """HxW uint8 palette indices and an N x 3 (N <= 256) uint8 RGB palette -> PNG bytes
    (colour type 3, bit depth 8): every decoder shows pixel (y, x) as palette[indices[y, x]]."""
    indices = np.ascontiguousarray(indices, dtype=np.uint8)
    palette = np.asarray(palette, dtype=np.uint8).reshape(-1, 3)
    if indices.ndim != 2 or indices.size == 0:
        raise ValueError(f"Expected a non-empty HxW array of indices, got shape {indices.shape}.")
    if not 1 <= len(palette) <= 256:
        raise ValueError(f"A PNG palette holds 1 to 256 colours, not {len(palette)}.")
    height, width = indices.shape
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return b"".join((PNG_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"PLTE", palette.tobytes()),
                     _chunk(b"IDAT", _zlib_stream(indices)), _chunk(b"IEND", b"")))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return b"".join((struct.pack(">I", len(data)), kind, data,
                     struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))))


def _zlib_stream(indices: np.ndarray) -> bytes:
    """The up-filtered rows as one zlib stream, its deflate data made strip by strip in parallel."""
    parts = map_strips(lambda start, stop: _deflate_strip(indices, start, stop),
                       *indices.shape)
    checksum = 1
    for filtered, _ in parts:  # adler32 of the filtered bytes, in order
        checksum = isal_zlib.adler32(filtered, checksum)
    return b"".join((b"\x78\x01", *(deflated for _, deflated in parts),
                     struct.pack(">I", checksum)))


def _deflate_strip(indices: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, bytes]:
    """Rows start:stop, each prefixed with the filter byte and up-filtered, as raw deflate (the
    last strip ends the stream; the others end on a byte boundary, to be joined)."""
    rows = indices[start:stop]
    filtered = np.empty((stop - start, indices.shape[1] + 1), np.uint8)
    filtered[:, 0] = FILTER_UP
    above = indices[start - 1] if start > 0 else 0  # PNG's row above the first is all zeros
    np.subtract(rows[:1], above, out=filtered[:1, 1:])
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])  # uint8: wraps modulo 256, as PNG
    compressor = isal_zlib.compressobj(DEFLATE_LEVEL, isal_zlib.DEFLATED, -15)
    deflated = compressor.compress(filtered) + compressor.flush(
        isal_zlib.Z_FINISH if stop == indices.shape[0] else isal_zlib.Z_SYNC_FLUSH)
    return filtered, deflated
