"""The photo being looked at (an upload or a built-in example) and its screen-sized view,
each decoded once and cached in memory.

Streamlit's caches are in memory only (uploads never reach the disk); entries expire an hour
after computing (CACHE_SECONDS, also used by the depth and 3D caches).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

import numpy as np
import streamlit as st
from PIL import Image

from depthviz.io.images import load_image
from depthviz.outputs.archive import unique_stems
from depthviz.outputs.display import content_hash, fit_within

CACHE_SECONDS = 3600


def _skimage_data():
    from skimage import data  # imported on first use: it takes a moment

    return data


#: Built-in example photos (scikit-image's public-domain samples): file name -> loader.
EXAMPLES: dict[str, Callable[[], np.ndarray]] = {
    "coffee.png": lambda: _skimage_data().coffee(),
    "chelsea.png": lambda: _skimage_data().chelsea(),
    "rocket.jpg": lambda: _skimage_data().rocket(),
    "motorcycle.png": lambda: _skimage_data().stereo_motorcycle()[0],
}
DEFAULT_EXAMPLE = next(iter(EXAMPLES))


@dataclass(frozen=True)
class Photo:
    """The photo being looked at: an upload (kept in memory only, never on disk) or an example."""

    name: str  # as uploaded; shown in captions and used for download file names
    digest: str  # content hash: the cache key of everything computed from the photo
    data: Optional[bytes] = None  # the uploaded file; None for a built-in example

    @classmethod
    def upload(cls, name: str, data: bytes) -> Photo:
        return cls(name, content_hash(data), data)

    @classmethod
    def example(cls, name: str) -> Photo:
        return cls(name, f"example:{name}")

    @property
    def stem(self) -> str:
        """What its downloads are named after, as the CLI and the batch ZIP name files."""
        return unique_stems([self.name])[0]

    def decode(self) -> np.ndarray:
        """HxWx3 uint8 RGB; ImageError (with a reason to show) for a bad upload."""
        if self.data is None:
            return load_image(Image.fromarray(EXAMPLES[self.name]()))
        return load_image(self.data)


@dataclass(frozen=True)
class PhotoView:
    """A photo as shown: a screen-sized preview and the full size."""

    preview: np.ndarray
    width: int
    height: int


@st.cache_data(max_entries=2, ttl=CACHE_SECONDS, show_spinner=False)
def _decoded(digest: str, _photo: Photo) -> np.ndarray:
    return _photo.decode()


def pixels(photo: Photo) -> np.ndarray:
    """The photo decoded, once for both the preview and the depth map of a new photo."""
    return _decoded(photo.digest, photo)


@st.cache_data(max_entries=64, ttl=CACHE_SECONDS, show_spinner=False)
def _view(digest: str, _photo: Photo) -> PhotoView:
    rgb = pixels(_photo)
    return PhotoView(fit_within(rgb), width=rgb.shape[1], height=rgb.shape[0])


def photo_view(photo: Photo) -> PhotoView:
    """The photo's preview and size (raises ImageError for a bad upload)."""
    return _view(photo.digest, photo)
