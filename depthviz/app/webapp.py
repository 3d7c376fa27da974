"""Streamlit glue shared by the app's pages: the cached model and depth maps, the current
photo, the app-wide sidebar settings and lazy download buttons.

No pixels are computed here: every image step is a depthviz call. What this module adds is
caching (a model loads once per process, a depth map is computed once per photo and model)
and session state (the photo and settings follow the user from page to page).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple, Optional

import numpy as np
import streamlit as st
from PIL import Image

from depthviz.app import timings
from depthviz.app.model_choice import (
    DEFAULT_DETAIL,
    DETAIL_LEVELS,
    ModelChoice,
    Running,
    detail_adjustable,
    model_statuses,
    network_side,
    picker_label,
    running_model,
)
from depthviz.engines.openvino_engine import available_precisions
from depthviz.errors import ImageError
from depthviz.io.images import DEFAULT_MAX_UPLOAD_MB, load_image
from depthviz.models import DEFAULT_MODEL
from depthviz.models.base import DepthModel
from depthviz.outputs.archive import unique_stems
from depthviz.outputs.colorize import (
    DEFAULT_COLORMAP,
    DEPTH_COLORMAPS,
    ValueRange,
    colorize,
    colormap_choices,
    depth_range,
)
from depthviz.outputs.display import content_hash, fit_within
from depthviz.outputs.export import FORMAT_SUFFIXES, encode, heatmap_png

#: File types the upload widgets accept, as Streamlit lists them under the drop zone: the names
#: people know, not rare spellings such as .mpo, .dib or .jpe (load_image still reads those; the
#: CLI takes them). Streamlit adds the twins .jpg and .tif itself and names the first of a pair.
UPLOAD_TYPES = ["jpeg", "png", "webp", "bmp", "tiff", "gif"]
UPLOAD_HINT = "JPEG, PNG, WebP, BMP, TIFF or GIF (first frame)."
#: Upload limit of the photo and video uploaders, MB, the same as the HTTP service's (the server
#: allows more, for a weights file uploaded on the Models page: server.maxUploadSize in
#: .streamlit/config.toml).
MEDIA_UPLOAD_MB = DEFAULT_MAX_UPLOAD_MB


#: Streamlit cuts the drop zone's line of accepted types and size limit off with "…" when it
#: does not fit (on a phone it lost everything after BMP); let it wrap instead.
_STYLE = ("<style>[data-testid='stFileUploaderDropzoneInstructions'] span "
          "{white-space: normal; overflow: visible;}</style>")


def page_style() -> None:
    st.html(_STYLE)


def keep_uploads_in_memory() -> None:
    """Streamlit's server parses uploads with Starlette, which writes any file over 1 MB to a
    temporary file on disk while receiving it; raise that threshold above the largest upload
    the server accepts, so uploads stay in memory from the first byte."""
    from starlette.formparsers import MultiPartParser

    largest = (st.get_option("server.maxUploadSize") + 1) * 1024 * 1024  # + multipart framing
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, largest)


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
DEFAULT_EXAMPLE = next(iter(EXAMPLES))
DEFAULT_SETTINGS = {"model": DEFAULT_MODEL, "engine": "auto", "detail": DEFAULT_DETAIL,
                    "precision": "auto", "cmap": DEFAULT_COLORMAP, "invert": False, "example": DEFAULT_EXAMPLE}


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


@dataclass(frozen=True)
class DepthResult:
    """A depth map at the photo's full resolution, its preview and how it was made."""

    depth: np.ndarray  # HxW float32, larger = nearer
    preview: np.ndarray  # the same map at the photo preview's size
    value_range: ValueRange  # of the full map, so previews are coloured exactly like downloads
    model: str  # the model's title, e.g. "FastDepth"
    engine: str
    seconds: float  # model.predict wall time, on a warmed-up model
    cached: bool = False  # True when this page run reused an earlier computation
    metric: bool = False  # depth is 1/metres: raw downloads hold millimetres / metres

    def heatmap_preview(self, cmap: str, invert: bool,
                        max_side: Optional[int] = None) -> np.ndarray:
        depth = self.preview if max_side is None else fit_within(self.preview, max_side)
        return colorize(depth, cmap, invert, value_range=self.value_range)


@dataclass(frozen=True)
class Settings:
    """The app-wide choices made in the sidebar."""

    model: str
    engine: str
    detail: str
    precision: str
    cmap: str
    invert: bool

    @property
    def choice(self) -> ModelChoice:
        return ModelChoice(self.model, self.engine, self.detail, self.precision)


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


def model_key(model: DepthModel) -> tuple:
    """What makes two loaded models give different depth maps (the depth cache's key)."""
    return model.name, model.engine_name, model.input_size, model.engine.precision


#: Set in the thread of a script run when `_depth` really computed (a cache hit skips its body).
_computed = threading.local()


@st.cache_data(max_entries=32, ttl=CACHE_SECONDS, show_spinner="Estimating depth…")
def _depth(digest: str, key: tuple, _photo: Photo, _model: DepthModel) -> DepthResult:
    rgb = _pixels(digest, _photo)
    start = time.perf_counter()
    depth = _model.predict(rgb)
    seconds = time.perf_counter() - start
    timings.record(_model.name, _model.engine_name, seconds)  # for the Models page
    _computed.flag = True
    return DepthResult(depth, fit_within(depth), depth_range(depth), _model.family.title,
                       _model.engine_name, seconds, metric=_model.metric)


def depth_of(photo: Photo, model: DepthModel) -> DepthResult:
    """The photo's depth map, computed once per (photo content, model, engine, input size);
    `cached` says whether this call reused it."""
    _computed.flag = False
    result = _depth(photo.digest, model_key(model), photo, model)
    return result if _computed.flag else replace(result, cached=True)


def timing(result: DepthResult) -> str:
    """"depth in 21 ms" (a warm run: models are warmed up when loaded), and whether that was
    now or an earlier run reused from the cache."""
    took = f"depth in {result.seconds * 1000:.0f} ms"
    return f"{took} (earlier; reused from the cache)" if result.cached else took


def summary(view: PhotoView, result: DepthResult) -> str:
    """One caption line: model, engine, inference time, photo size and preview size."""
    height, width = view.preview.shape[:2]
    size = f"{view.width}×{view.height} px"
    if (width, height) != (view.width, view.height):
        size += f", shown at {width}×{height}"
    return f"**{result.model}** on {result.engine} · {timing(result)} · {size}"


# ---------------------------------------------------------------- models

def model_title(description: str) -> str:
    """"MiDaS v2.1 small" from a model's description (the part before the details)."""
    return description.split(" (")[0]


def running(choice: ModelChoice) -> Running:
    """What runs for a choice; stops the page with the reason if no model can run at all."""
    outcome = running_model(choice)
    if isinstance(outcome, str):
        st.error(outcome, icon=":material/error:")
        st.stop()
    return outcome


def active_model(chosen: Settings) -> DepthModel:
    """The chosen model, else the best one that runs here, with one line saying why and how to
    get the chosen one; stops the page with an error if no model can run at all."""
    outcome = running(chosen.choice)
    if outcome.warning:
        st.warning(outcome.warning, icon=":material/info:")
    return outcome.model


# ---------------------------------------------------------------- settings and photo

def settings() -> Settings:
    state = st.session_state
    return Settings(*(state.get(key, DEFAULT_SETTINGS[key])
                      for key in ("model", "engine", "detail", "precision", "cmap", "invert")))


def sidebar() -> None:
    """The app-wide model and colour choices; rendered on every page so they persist."""
    state = st.session_state
    for key, value in DEFAULT_SETTINGS.items():
        state.setdefault(key, value)
    statuses = model_statuses()

    with st.sidebar:
        st.selectbox("Model", list(statuses), key="model",
                     format_func=lambda name: picker_label(statuses[name]),
                     help="Name · parameters · licence of the weights · whether they are here. "
                          "Weights come from the Models page.")
        status = statuses[state["model"]]
        fixed = not detail_adjustable(status.name)
        st.select_slider("Detail", list(DETAIL_LEVELS), key="detail", disabled=fixed,
                         help=f"The network's input size: fewer pixels are faster, more are "
                              f"sharper. {status.title}: {network_side(status, state['detail'])}"
                              f" px (standard {status.input_size} px"
                              + (", fixed)." if fixed else ")."))
        engines = status.engines
        if len(engines) > 1:
            if state["engine"] not in ("auto", *engines):
                state["engine"] = "auto"
            st.selectbox("Engine", ["auto", *engines], key="engine")
        precisions = available_precisions() if "openvino" in engines and state["engine"] in (
            "auto", "openvino") else ("auto",)
        if state["precision"] not in precisions:
            state["precision"] = "auto"
        if len(precisions) > 1:
            st.selectbox("Precision", precisions, key="precision",
                         help="auto: a reduced precision only where it was shown not to hurt "
                              "this model's depth on this CPU (README, Performance); f32 is full "
                              "precision.")
        runs = running_model(settings().choice)
        if isinstance(runs, Running):
            st.caption(f"Runs: **{runs.title}** on {runs.model.engine_name} "
                       f"{runs.model.engine.precision} at "
                       f"{runs.model.input_size} px" + (f" ({runs.why})" if runs.why else ""))
        if state["cmap"] not in DEPTH_COLORMAPS:  # e.g. chosen on the Colormaps page
            state["more_colormaps"] = True
        st.selectbox("Colormap", colormap_choices(state.get("more_colormaps", False)), key="cmap")
        st.checkbox("More colormaps", key="more_colormaps",
                    disabled=state["cmap"] not in DEPTH_COLORMAPS,
                    help="Off: only the maps that suit depth. On: every other distinct map too.")
        st.toggle("Invert colours", key="invert",
                  help="Swaps the ends of the colormap: near takes the colour far had. The "
                       "colour bar under the heatmap shows which colour is near (right).")


def use_colormap(name: str) -> None:
    """Button callback: make `name` the app-wide colormap (callbacks run before the sidebar)."""
    st.session_state["cmap"] = name


def current_photo() -> Photo:
    """The upload being looked at, else the chosen example photo."""
    state = st.session_state
    return state.get("photo") or Photo.example(state.get("example") or DEFAULT_EXAMPLE)


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


# The photo picker. What is shown, the uploader and the example box must always agree:
# - an upload empties the example box (so choosing any example, even the one shown before,
#   is a change that takes effect);
# - an example empties the uploader (a new widget key);
# - after a page switch Streamlit has forgotten the uploader's file (it cannot be refilled), so
#   the upload still shown is named under it with its own Remove button.

def _take_upload(key: str) -> None:
    state = st.session_state
    upload = state.get(key)
    if upload is None:  # removed in the uploader: back to the example shown before it
        _show_example(state.pop("example_before_upload", DEFAULT_EXAMPLE))
        return
    if state.get("example") is not None:
        state["example_before_upload"] = state["example"]
    state["photo"] = Photo.upload(upload.name, upload.getvalue())
    state["example"] = None


def _show_example(name: str) -> None:
    state = st.session_state
    state.pop("photo", None)
    state["example"] = name
    state["uploads"] = state.get("uploads", 0) + 1  # a new, empty uploader


def _take_example() -> None:
    state = st.session_state
    if state.get("example") is None:  # never shown while no photo is uploaded; just in case
        state["example"] = DEFAULT_EXAMPLE
    state.pop("example_before_upload", None)
    _show_example(state["example"])


def _remove_upload() -> None:
    _show_example(st.session_state.pop("example_before_upload", DEFAULT_EXAMPLE))


def photo_picker() -> None:
    """Upload widget and example picker; the choice is kept in session state across pages."""
    state = st.session_state
    upload_key = f"upload-{state.get('uploads', 0)}"
    photo = state.get("photo")
    if photo is None and state.get("example") is None:
        state["example"] = DEFAULT_EXAMPLE
    upload_column, example_column = st.columns([3, 1], vertical_alignment="bottom")
    upload_column.file_uploader("Photo", type=UPLOAD_TYPES, key=upload_key,
                                max_upload_size=MEDIA_UPLOAD_MB,
                                on_change=_take_upload, args=(upload_key,),
                                help=f"{UPLOAD_HINT} Kept in memory only, never written to disk.")
    example_column.selectbox("…or an example photo", list(EXAMPLES), key="example",
                             on_change=_take_example, persist_state="session",
                             placeholder="Choose one",
                             help="Choosing one replaces the uploaded photo.")
    if photo is not None and state.get(upload_key) is None:  # the uploader forgot it
        name_column, remove_column = upload_column.columns([3, 1], vertical_alignment="center")
        name_column.caption(f"Showing your upload **{photo.name}** (kept in memory).")
        remove_column.button("Remove", key="remove-upload", on_click=_remove_upload,
                             icon=":material/close:", type="tertiary",
                             help="Forget this photo and show the example again.")


# ---------------------------------------------------------------- downloads

@dataclass(frozen=True)
class Download:
    """One download button; `make` encodes the file only when the button is clicked."""

    label: str
    file_name: str
    mime: str
    make: Callable[[], bytes]


def heatmap_download(photo: Photo, result: DepthResult, cmap: str, invert: bool,
                     label: str = "Heatmap PNG", stem: Optional[str] = None) -> Download:
    """The file is named for its colours too (coffee.inferno.heatmap.png; "_r" when inverted,
    as matplotlib names a reversed map), so heatmaps saved in several colormaps never clash."""
    stem = stem or photo.stem
    colours = cmap + ("_r" if invert else "")
    return Download(label, f"{stem}.{colours}{FORMAT_SUFFIXES['heatmap']}", "image/png",
                    lambda: heatmap_png(result.depth, cmap, invert, value_range=result.value_range))


#: The raw-depth downloads after the heatmap: format -> (button label, MIME type).
RAW_DOWNLOADS = {
    "depth16": ("16-bit depth PNG", "image/png"),
    "npy": ("Depth .npy", "application/octet-stream"),
    "gray8": ("8-bit grey PNG", "image/png"),
    "pfm": ("Depth .pfm", "application/octet-stream"),
}


def downloads(photo: Photo, result: DepthResult, cmap: str, invert: bool) -> list[Download]:
    """Heatmap first (what most people want), then the raw depth for further work (metric
    models: the 16-bit PNG in millimetres, the .npy in metres, as the CLI writes them)."""
    stem = photo.stem

    def raw(fmt: str) -> Download:
        label, mime = RAW_DOWNLOADS[fmt]
        return Download(label, stem + FORMAT_SUFFIXES[fmt], mime,
                        lambda: encode(fmt, result.depth, metric=result.metric))

    return [heatmap_download(photo, result, cmap, invert), *map(raw, RAW_DOWNLOADS)]


def download_button(download: Download, key: str, primary: bool = False) -> None:
    st.download_button(download.label, download.make, download.file_name, download.mime,
                       key=key, on_click="ignore", icon=":material/download:",
                       type="primary" if primary else "secondary", width="stretch")
