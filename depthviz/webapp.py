"""Streamlit glue shared by the app's pages: the cached model and depth maps, the current
photo, the app-wide sidebar settings and lazy download buttons.

No pixels are computed here: every image step is a depthviz call. What this module adds is
caching (a model loads once per process, a depth map is computed once per photo and model)
and session state (the photo and settings follow the user from page to page).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional

import numpy as np
import streamlit as st
from PIL import Image

from .archive import unique_stems
from .colorize import DEFAULT_COLORMAP, ValueRange, colorize, colormap_names, depth_range
from .display import content_hash, fit_within
from .errors import DepthvizError, EngineUnavailable, ImageError, WeightsUnavailable
from .export import FORMAT_SUFFIXES, depth16_png, depth_npy, heatmap_png
from .images import IMAGE_EXTENSIONS, load_image
from .models import DEFAULT_MODEL, OFFLINE_MODEL, ModelStatus, available_models, load_model
from .models.base import DepthModel
from .weights import model_home

#: File types the upload widgets accept (Streamlit wants them without the dot).
UPLOAD_TYPES = [ext.lstrip(".") for ext in IMAGE_EXTENSIONS]


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
#: Galleries (Colormaps, Batch): up to this many tiles a row, previews this many pixels wide.
GALLERY_COLUMNS = 4
TILE_SIDE = 480
DEFAULT_SETTINGS = {"model": DEFAULT_MODEL, "engine": "auto", "cmap": DEFAULT_COLORMAP,
                    "invert": False, "example": next(iter(EXAMPLES))}


@dataclass(frozen=True)
class Photo:
    """The photo being looked at: an upload (kept in memory only, never on disk) or an example."""

    name: str  # as uploaded; shown in captions and used for download file names
    digest: str  # content hash: the cache key of everything computed from the photo
    data: Optional[bytes] = None  # the uploaded file; None for a built-in example

    @classmethod
    def upload(cls, name: str, data: bytes) -> "Photo":
        return cls(name, content_hash(data), data)

    @classmethod
    def example(cls, name: str) -> "Photo":
        return cls(name, f"example:{name}")

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


@dataclass(frozen=True)
class DepthResult:
    """A depth map at the photo's full resolution, its preview and how it was made."""

    depth: np.ndarray  # HxW float32, larger = nearer
    preview: np.ndarray  # the same map at the photo preview's size
    value_range: ValueRange  # of the full map, so previews are coloured exactly like downloads
    model: str  # the model's title, e.g. "FastDepth"
    engine: str
    seconds: float  # model.predict wall time

    def heatmap(self, cmap: str, invert: bool) -> np.ndarray:
        return colorize(self.depth, cmap, invert, value_range=self.value_range)

    def heatmap_preview(self, cmap: str, invert: bool,
                        max_side: Optional[int] = None) -> np.ndarray:
        depth = self.preview if max_side is None else fit_within(self.preview, max_side)
        return colorize(depth, cmap, invert, value_range=self.value_range)


@dataclass(frozen=True)
class Settings:
    """The app-wide choices made in the sidebar."""

    model: str
    engine: str
    cmap: str
    invert: bool


# ---------------------------------------------------------------- cached computation
# In memory only (uploads never reach the disk); entries expire an hour after computing.
CACHE_SECONDS = 3600


@st.cache_data(max_entries=2, ttl=CACHE_SECONDS, show_spinner=False)
def _pixels(digest: str, _photo: Photo) -> np.ndarray:
    """Decoded once for both the preview and the depth map of a new photo."""
    return _photo.decode()


@st.cache_data(max_entries=64, ttl=CACHE_SECONDS, show_spinner=False)
def _view(digest: str, _photo: Photo) -> PhotoView:
    rgb = _pixels(digest, _photo)
    return PhotoView(fit_within(rgb), width=rgb.shape[1], height=rgb.shape[0])


def photo_view(photo: Photo) -> PhotoView:
    """The photo's preview and size (raises ImageError for a bad upload)."""
    return _view(photo.digest, photo)


@st.cache_resource(show_spinner="Loading the model…")
def load_model_once(name: str, engine: str) -> DepthModel | DepthvizError:
    """The model, or why it cannot load. Failures are cached too, so an offline app tries a
    download once per process rather than on every rerun (the Models page clears this)."""
    try:
        return load_model(name, engine=engine)
    except DepthvizError as exc:
        return exc
    except Exception as exc:  # a broken install or engine must not take the app down
        return EngineUnavailable(f"{name} failed to load on engine '{engine}': {exc}")


@st.cache_data(max_entries=32, ttl=CACHE_SECONDS, show_spinner="Estimating depth…")
def _depth(digest: str, model_name: str, engine_name: str, _photo: Photo,
           _model: DepthModel) -> DepthResult:
    rgb = _pixels(digest, _photo)
    start = time.perf_counter()
    depth = _model.predict(rgb)
    seconds = time.perf_counter() - start
    return DepthResult(depth, fit_within(depth), depth_range(depth),
                       model_title(_model.family.description), engine_name, seconds)


def depth_of(photo: Photo, model: DepthModel) -> DepthResult:
    """The photo's depth map, computed once per (photo content, model, engine)."""
    return _depth(photo.digest, model.name, model.engine_name, photo, model)


def summary(view: PhotoView, result: DepthResult) -> str:
    """One caption line: model, engine, inference time, photo size and preview size."""
    height, width = view.preview.shape[:2]
    size = f"{view.width}×{view.height} px"
    if (width, height) != (view.width, view.height):
        size += f", shown at {width}×{height}"
    timing = f"depth in {result.seconds * 1000:.0f} ms"
    return f"**{result.model}** on {result.engine} · {timing} · {size}"


# ---------------------------------------------------------------- models

def model_title(description: str) -> str:
    """"MiDaS v2.1 small" from a model's description (the part before the details)."""
    return description.split(" (")[0]


def model_statuses() -> dict[str, ModelStatus]:
    return {status.name: status for status in available_models()}


def unavailable_reason(status: ModelStatus, error: DepthvizError) -> str:
    """One sentence: what is wrong and, for missing weights, the file, folder and fix."""
    title = model_title(status.description)
    if isinstance(error, WeightsUnavailable):
        return (f"{title} weights are missing: put `{status.weights_file}` in `{model_home()}` "
                "or download them on the Models page.")
    return f"{title} cannot run here: {error}"


def active_model(chosen: Settings) -> DepthModel:
    """The chosen model, else FastDepth with one line saying why and how to fix it; stops the
    page with an error if no model can run at all."""
    loaded = load_model_once(chosen.model, chosen.engine)
    if isinstance(loaded, DepthModel):
        return loaded
    statuses = model_statuses()
    reason = unavailable_reason(statuses[chosen.model], loaded)
    fallback = None if chosen.model == OFFLINE_MODEL else load_model_once(OFFLINE_MODEL, "auto")
    if not isinstance(fallback, DepthModel):
        extra = f" {unavailable_reason(statuses[OFFLINE_MODEL], fallback)}" if fallback else ""
        st.error(f"No depth model can run. {reason}{extra}")
        st.stop()
    st.warning(f"{reason} Using {model_title(statuses[OFFLINE_MODEL].description)} for now.",
               icon=":material/info:")
    return fallback


# ---------------------------------------------------------------- settings and photo

def settings() -> Settings:
    state = st.session_state
    return Settings(*(state.get(key, DEFAULT_SETTINGS[key])
                      for key in ("model", "engine", "cmap", "invert")))


def sidebar() -> None:
    """The app-wide model and colour choices; rendered on every page so they persist."""
    state = st.session_state
    for key, value in DEFAULT_SETTINGS.items():
        state.setdefault(key, value)
    statuses = model_statuses()

    def label(name: str) -> str:
        status = statuses[name]
        missing = "" if status.weights_present else " (no weights)"
        return model_title(status.description) + missing

    with st.sidebar:
        st.selectbox("Model", list(statuses), key="model", format_func=label)
        engines = statuses[state["model"]].engines
        if len(engines) > 1:
            if state["engine"] not in ("auto", *engines):
                state["engine"] = "auto"
            st.selectbox("Engine", ["auto", *engines], key="engine")
        st.selectbox("Colormap", colormap_names(), key="cmap")
        st.toggle("Invert colours", key="invert",
                  help="Off: near is the warm end of the colormap (with inferno, yellow).")


def use_colormap(name: str) -> None:
    """Button callback: make `name` the app-wide colormap (callbacks run before the sidebar)."""
    st.session_state["cmap"] = name


def current_photo() -> Photo:
    """The last upload, else the chosen example photo."""
    return st.session_state.get("photo") or Photo.example(
        st.session_state.get("example", DEFAULT_SETTINGS["example"]))


class Current(NamedTuple):
    """Everything a page shows about the current photo."""

    photo: Photo
    view: PhotoView
    settings: Settings
    result: DepthResult


def current() -> Current:
    """The current photo, its preview and its depth map under the sidebar's settings. A bad
    upload is shown as an error (the reason, never a traceback) and stops the page."""
    photo = current_photo()
    try:
        view = photo_view(photo)
    except ImageError as exc:
        st.error(f"{photo.name}: {exc}", icon=":material/error:")
        st.stop()
    chosen = settings()
    return Current(photo, view, chosen, depth_of(photo, active_model(chosen)))


def _take_upload(key: str) -> None:
    upload = st.session_state.get(key)
    if upload is None:
        st.session_state.pop("photo", None)
    else:
        st.session_state["photo"] = Photo.upload(upload.name, upload.getvalue())


def _take_example() -> None:
    st.session_state.pop("photo", None)
    st.session_state["uploads"] = st.session_state.get("uploads", 0) + 1  # empties the uploader


def photo_picker() -> None:
    """Upload widget and example picker; the choice is kept in session state across pages."""
    upload_key = f"upload-{st.session_state.get('uploads', 0)}"
    upload_column, example_column = st.columns([3, 1], vertical_alignment="bottom")
    upload_column.file_uploader("Photo", type=UPLOAD_TYPES, key=upload_key,
                                on_change=_take_upload, args=(upload_key,),
                                help="JPEG, PNG, WebP, BMP, TIFF or GIF (first frame). "
                                     "Kept in memory only, never written to disk.")
    example_column.selectbox("…or an example photo", list(EXAMPLES), key="example",
                             on_change=_take_example, persist_state="session",
                             help="Shown while no photo is uploaded; choosing one clears it.")


# ---------------------------------------------------------------- downloads

@dataclass(frozen=True)
class Download:
    """One download button; `make` encodes the file only when the button is clicked."""

    label: str
    file_name: str
    mime: str
    make: Callable[[], bytes]


def heatmap_download(photo: Photo, result: DepthResult, cmap: str, invert: bool,
                     label: str = "Heatmap PNG", tag: str = "") -> Download:
    stem = unique_stems([photo.name])[0] + tag
    return Download(label, stem + FORMAT_SUFFIXES["heatmap"], "image/png",
                    lambda: heatmap_png(result.heatmap(cmap, invert)))


def downloads(photo: Photo, result: DepthResult, cmap: str, invert: bool) -> list[Download]:
    """Heatmap first (what most people want), then the raw depth for further work."""
    stem = unique_stems([photo.name])[0]
    return [
        heatmap_download(photo, result, cmap, invert),
        Download("16-bit depth PNG", stem + FORMAT_SUFFIXES["depth16"], "image/png",
                 lambda: depth16_png(result.depth)),
        Download("Depth .npy", stem + FORMAT_SUFFIXES["npy"], "application/octet-stream",
                 lambda: depth_npy(result.depth)),
    ]


def download_button(download: Download, key: str, primary: bool = False) -> None:
    st.download_button(download.label, download.make, download.file_name, download.mime,
                       key=key, on_click="ignore", icon=":material/download:",
                       type="primary" if primary else "secondary", width="stretch")
