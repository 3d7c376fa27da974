"""Fixtures and helpers for the AppTest tests of the Streamlit app (tests/app/test_*.py)."""

from __future__ import annotations

import io
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from midas_seeded import write_seeded_checkpoint
from PIL import Image
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import depthviz
from depthviz.app import model_choice as app_models
from depthviz.models.depth_model import DepthModel

APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"


def offline(*args, **kwargs):
    raise urllib.error.URLError("no network in this test")


@pytest.fixture
def model_home(tmp_path, monkeypatch, fastdepth) -> Path:
    """A fresh model home holding only FastDepth, no network, and empty Streamlit caches:
    the app as on an offline machine where MiDaS was never downloaded."""
    home = tmp_path / "depthviz-home"
    home.mkdir()
    shutil.copyfile(fastdepth.weights_path, home / fastdepth.weights_path.name)
    monkeypatch.setenv("DEPTHVIZ_HOME", str(home))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield home
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def with_midas(model_home) -> Path:
    """Seeded (random but well-formed) MiDaS weights in the model home."""
    return write_seeded_checkpoint(model_home / "midas_v21_small_256.pt")


@pytest.fixture
def predictions(monkeypatch) -> list[str]:
    """Names of the models whose `predict` ran on a photo, in order (to prove what is cached;
    the blank-frame warm-up after each load is left out)."""
    calls: list[str] = []
    warming: list[bool] = []
    original, original_warm_up = DepthModel.predict, app_models.warm_up

    def counted(self, image):
        if not warming:
            calls.append(self.name)
        return original(self, image)

    def warm_up(model):
        warming.append(True)
        try:
            return original_warm_up(model)
        finally:
            warming.pop()

    monkeypatch.setattr(DepthModel, "predict", counted)
    monkeypatch.setattr(app_models, "warm_up", warm_up)
    return calls


@pytest.fixture
def app_twin(monkeypatch) -> Callable[[str], DepthModel]:
    """name -> that model loaded again outside the app, on the engine and precision the app's copy
    runs (auto may pick OpenVINO bf16 on one CPU, onnxruntime f32 on another: like with like)."""
    loaded: dict[str, DepthModel] = {}
    original = app_models.warm_up

    def recording(model):
        loaded[model.name] = model
        return original(model)

    monkeypatch.setattr(app_models, "warm_up", recording)

    def twin(name: str) -> DepthModel:
        model = loaded[name]
        return depthviz.load_model(name, engine=model.engine_name, input_size=model.input_size,
                                   precision=model.engine.precision)
    return twin


@pytest.fixture
def downloads(monkeypatch) -> dict[str, Callable[[], bytes]]:
    """file name -> the callable a download button would run when clicked (latest run wins)."""
    made: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return made


def run_app(page: str | None = None) -> AppTest:
    """Run the app on its home page, or on `page` (e.g. "app_pages/batch.py") if given."""
    app = AppTest.from_file(str(APP), default_timeout=60)
    if page is not None:
        app.switch_page(page)
    return rerun(app)


def upload_files(app: AppTest, *files: tuple[str, bytes], mime: str = "image/jpeg") -> AppTest:
    """Put (name, bytes) files into the page's first uploader, then run the app."""
    uploader = app.file_uploader[0]
    for name, data in files:
        uploader.upload(name, data, mime)
    return rerun(app)


def rerun(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [item.value for item in app.exception]
    return app


def jpeg_bytes(rgb: np.ndarray, **save_args) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=92, **save_args)
    return buffer.getvalue()


def photo_bytes(size: tuple[int, int], fmt: str = "JPEG") -> bytes:
    """scikit-image's coffee photo at `size`, encoded as `fmt`."""
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.coffee()).resize(size, Image.LANCZOS).save(buffer, fmt)
    return buffer.getvalue()


def image_error(data: bytes) -> str:
    """What depthviz says about these bytes (the app must show exactly this)."""
    with pytest.raises(depthviz.ImageError) as error:
        depthviz.load_image(data)
    return str(error.value)


def decode_png(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as png:
        return np.asarray(png.convert("RGB") if png.mode == "P" else png)  # heatmaps: palette
