"""Many results in one download: a ZIP of heatmaps (and other formats) named like the CLI's."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath
from typing import Iterable, Sequence

import numpy as np

from .colorize import DEFAULT_COLORMAP, colorize
from .export import FORMAT_SUFFIXES, encode


def unique_stems(names: Iterable[str]) -> list[str]:
    """Safe file stems for uploaded names: folders dropped (no "../" in a ZIP), "-2", "-3" ...
    added where two would collide (photo.jpg and photo.png)."""
    taken: set[str] = set()
    stems = []
    for name in names:
        stem = PurePosixPath(name.replace("\\", "/")).stem or "image"
        candidate, count = stem, 1
        while candidate.lower() in taken:
            count += 1
            candidate = f"{stem}-{count}"
        taken.add(candidate.lower())
        stems.append(candidate)
    return stems


def zip_results(results: Sequence[tuple[str, np.ndarray]], formats: Sequence[str] = ("heatmap",),
                cmap: str = DEFAULT_COLORMAP, invert: bool = False) -> bytes:
    """(file name, depth) pairs -> ZIP bytes with e.g. photo.heatmap.png, photo.depth16.png.

    Entries are stored uncompressed: PNGs are compressed already and .npy barely shrinks.
    """
    unknown = [fmt for fmt in formats if fmt not in FORMAT_SUFFIXES]
    if unknown:
        raise ValueError(f"Unknown format(s) {unknown}; choose from {', '.join(FORMAT_SUFFIXES)}.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for stem, (_name, depth) in zip(unique_stems(name for name, _ in results), results):
            heatmap = colorize(depth, cmap=cmap, invert=invert) if "heatmap" in formats else None
            for fmt in formats:
                archive.writestr(stem + FORMAT_SUFFIXES[fmt], encode(fmt, depth, heatmap))
    return buffer.getvalue()
