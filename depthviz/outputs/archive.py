"""Many results in one download: a ZIP of heatmaps (and other formats) named like the CLI's."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

import numpy as np

from depthviz.io.naming import output_name, output_stems
from depthviz.outputs.colorize import DEFAULT_COLORMAP
from depthviz.outputs.export import FORMAT_SUFFIXES, encode


def unique_stems(names: Iterable[str]) -> list[str]:
    """Stems for uploaded names by the CLI's rule (`naming.output_stems`: photo.jpg -> photo,
    but photo.jpg and photo.png -> photo.jpg, photo.png), folders dropped (no "../" in a ZIP);
    the very same name uploaded twice gets "-2", "-3" ... (the CLI reports that as a conflict)."""
    taken: set[str] = set()
    stems = []
    base_names = [PurePosixPath(name.replace("\\", "/")).name or "image" for name in names]
    for stem in output_stems(base_names):
        candidate, count = stem, 1
        while candidate.casefold() in taken:
            count += 1
            candidate = f"{stem}-{count}"
        taken.add(candidate.casefold())
        stems.append(candidate)
    return stems


def zip_results(results: Sequence[tuple[str, np.ndarray]], formats: Sequence[str] = ("heatmap",),
                cmap: str = DEFAULT_COLORMAP, invert: bool = False, *,
                metric: bool = False) -> bytes:
    """(file name, depth) pairs -> ZIP bytes with e.g. photo.inferno.heatmap.png,
    photo.depth16.png (`naming.output_name`, as the CLI names its files).
    `metric`: the depths are 1/metres (a metric model): millimetre PNGs and metre .npy files.

    Entries are stored uncompressed: PNGs are compressed already and .npy barely shrinks.
    """
    unknown = [fmt for fmt in formats if fmt not in FORMAT_SUFFIXES]
    if unknown:
        raise ValueError(f"Unknown format(s) {unknown}; choose from {', '.join(FORMAT_SUFFIXES)}.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for stem, (_name, depth) in zip(unique_stems(name for name, _ in results), results):
            for fmt in formats:
                archive.writestr(output_name(stem, FORMAT_SUFFIXES[fmt], cmap, invert),
                                 encode(fmt, depth, cmap, invert, metric=metric))
    return buffer.getvalue()
