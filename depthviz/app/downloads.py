"""Download buttons whose files are made only when clicked, named as the CLI names its files
(`depthviz.io.naming`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

import streamlit as st

from depthviz.app.depth import PhotoDepth
from depthviz.app.photos import Photo
from depthviz.io.naming import heatmap_name
from depthviz.outputs.export import FORMAT_SUFFIXES, encode, heatmap_png

#: The raw-depth downloads after the heatmap: format -> (button label, MIME type).
RAW_DOWNLOADS = {
    "depth16": ("16-bit depth PNG", "image/png"),
    "npy": ("Depth .npy", "application/octet-stream"),
    "gray8": ("8-bit grey PNG", "image/png"),
    "pfm": ("Depth .pfm", "application/octet-stream"),
}


@dataclass(frozen=True)
class Download:
    """One download button; `make` encodes the file only when the button is clicked."""

    label: str
    file_name: str
    mime: str
    make: Callable[[], bytes]


def heatmap_download(photo: Photo, result: PhotoDepth, cmap: str, invert: bool,
                     label: str = "Heatmap PNG", stem: Optional[str] = None) -> Download:
    """The file is named for its colours too: coffee.inferno.heatmap.png."""
    return Download(label, heatmap_name(stem or photo.stem, cmap, invert), "image/png",
                    lambda: heatmap_png(result.depth, cmap, invert, value_range=result.value_range))


def downloads(photo: Photo, result: PhotoDepth, cmap: str, invert: bool) -> list[Download]:
    """Heatmap first (what most people want), then the raw depth for further work (metric
    models: the 16-bit PNG in millimetres, the .npy in metres, as the CLI writes them)."""
    stem = photo.stem

    def raw(fmt: str) -> Download:
        label, mime = RAW_DOWNLOADS[fmt]
        return Download(label, stem + FORMAT_SUFFIXES[fmt], mime,
                        lambda: encode(fmt, result.depth, metric=result.metric))

    return [heatmap_download(photo, result, cmap, invert), *map(raw, RAW_DOWNLOADS)]


def download_button(download: Download, key: str, primary: bool = False) -> None:
    """A full-width button that makes its file on click, without rerunning the page."""
    st.download_button(download.label, download.make, download.file_name, download.mime,
                       key=key, on_click="ignore", icon=":material/download:",
                       type="primary" if primary else "secondary", width="stretch")
