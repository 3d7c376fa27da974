"""The Compare page (home) under streamlit.testing: photo in, heatmap and downloads out."""

from __future__ import annotations

import io

import numpy as np
import pytest
from app_helpers import APP, decode_png, image_error, photo_bytes, rerun, run_app
from streamlit.testing.v1 import AppTest

import depthviz


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def ran_on(app, title: str, model: str) -> bool:
    """The summary line names the model and one of that model's engines."""
    engines = next(status.card.engines for status in depthviz.available_models()
                   if status.card.name == model)
    return any(summary(app).startswith(f"**{title}** on {engine} · depth in ")
               for engine in engines)


def summary(app) -> str:
    return next(text for text in texts(app.caption) if " · depth in " in text)


def test_offline_the_picker_starts_on_fastdepth_and_offers_the_default_in_place(model_home):
    """Issue 18: the picker starts on the best model that can run here (no yellow banner);
    the page says why, states the stand-in's limits and offers the default's download."""
    app = run_app()
    assert not app.warning and not app.error
    note = next(text.value for text in app.markdown if "the default model" in text.value)
    assert note == (":material/info: **FastDepth** runs: MiDaS v2.1 small, the default model, "
                    "has no weights here. FastDepth was trained on indoor scenes only "
                    "(NYU-Depth-v2): on outdoor photos its maps show a bright frame of \"near\" "
                    "along the borders.")
    offer = app.button(key="get-midas_small")
    assert offer.label == "Download MiDaS v2.1 small (~85 MB, MIT)"
    assert "midas_v21_small_256.pt" in offer.help and str(model_home) in offer.help
    assert ran_on(app, "FastDepth", "fastdepth")
    assert summary(app).endswith(" · 600×400 px")  # the default example, coffee
    assert app.selectbox(key="model").value == "fastdepth"
    assert [image.captions for image in app.image][:2] == [["coffee.png"], ["Depth (inferno)"]]
    assert [button.label for button in app.download_button] == [
        "Heatmap PNG", "16-bit depth PNG", "Depth .npy", "8-bit grey PNG", "Depth .pfm"]


def test_upload_is_computed_and_downloaded_at_full_resolution(model_home, downloads, app_twin):
    upload = photo_bytes((2400, 1600))
    app = run_app()
    app.file_uploader[0].upload("big.jpg", upload, "image/jpeg")
    rerun(app)
    assert summary(app).endswith(" · 2400×1600 px, shown at 1280×853")
    assert app.image[0].captions == ["big.jpg"]

    depth = np.load(io.BytesIO(downloads["big.depth.npy"]()))
    assert depth.shape == (1600, 2400) and depth.dtype == np.float32
    expected = app_twin("fastdepth").predict(depthviz.load_image(upload))
    np.testing.assert_allclose(depth, expected, rtol=1e-3, atol=1e-3 * float(np.ptp(expected)))
    heatmap = decode_png(downloads["big.inferno.heatmap.png"]())
    np.testing.assert_array_equal(heatmap, depthviz.colorize(depth, "inferno"))
    depth16 = decode_png(downloads["big.depth16.png"]())
    assert depth16.shape == (1600, 2400) and depth16.dtype == np.uint16
    assert depth16.min() == 0 and depth16.max() == 65535
    assert np.corrcoef(depth16.ravel(), depth.ravel())[0, 1] > 0.999

def test_every_photo_format_is_accepted(model_home, predictions):
    app = run_app()
    formats = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "BMP": "bmp", "TIFF": "tiff",
               "GIF": "gif"}
    for fmt, suffix in formats.items():
        app.file_uploader[0].set_value((f"photo.{suffix}", photo_bytes((240, 160), fmt), "image/*"))
        rerun(app)
        assert not app.error, fmt
        assert app.image[0].captions == [f"photo.{suffix}"]
        assert summary(app).endswith(" · 240×160 px")
    assert len(predictions) == 1 + len(formats)


@pytest.mark.parametrize("name, data", [
    ("notes.jpg", b"this is not a photo"),
    ("cut.jpg", photo_bytes((600, 400))[:3000]),
    ("empty.png", b""),
])
def test_bad_upload_shows_the_reason_and_no_traceback(model_home, predictions, name, data):
    app = run_app()
    app.file_uploader[0].upload(name, data, "image/jpeg")
    rerun(app)
    assert texts(app.error) == [f"{name}: {image_error(data)}"]
    assert not app.image and not app.download_button
    assert predictions == ["fastdepth"]  # only the example shown before the upload


def test_too_many_pixels_is_refused_before_decoding(model_home, monkeypatch):
    monkeypatch.setenv("DEPTHVIZ_MAX_PIXELS", str(1000 * 1000))
    data = photo_bytes((1600, 1000), "PNG")
    app = run_app()
    app.file_uploader[0].upload("huge.png", data, "image/png")
    rerun(app)
    assert texts(app.error) == [f"huge.png: {image_error(data)}"]
    assert "megapixels" in app.error[0].value


def test_colormap_invert_and_views_never_rerun_the_network(model_home, predictions, downloads):
    app = run_app()
    first = downloads["coffee.inferno.heatmap.png"]()
    app.selectbox(key="cmap").select("viridis")
    rerun(app)
    assert app.image[1].captions == ["Depth (viridis)"]
    viridis = downloads["coffee.viridis.heatmap.png"]()
    app.toggle(key="invert").set_value(True)
    rerun(app)
    inverted = downloads["coffee.viridis_r.heatmap.png"]()
    for view, slider_key in (("Slider", "wipe"), ("Overlay", "opacity")):
        app.button_group(key="view").set_value(view)
        rerun(app)
        app.slider(key=slider_key).set_value(20)
        rerun(app)
        assert len(app.image) == 2  # the composite view and the legend
    assert predictions == ["fastdepth"]
    assert len({first, viridis, inverted}) == 3


def test_example_picker_and_upload_replace_each_other(model_home, predictions):
    app = run_app()
    app.file_uploader[0].upload("mine.jpg", photo_bytes((300, 200)), "image/jpeg")
    rerun(app)
    assert app.image[0].captions == ["mine.jpg"]
    app.selectbox(key="example").select("rocket.jpg")
    rerun(app)
    assert app.image[0].captions == ["rocket.jpg"]
    assert summary(app).endswith(" · 640×427 px")
    assert app.file_uploader[0].value is None  # the upload was cleared
    assert predictions == ["fastdepth"] * 3


def test_model_and_engine_choice_each_computed_once(with_midas, predictions):
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.session_state["engine"] = "torch"  # the quickest MiDaS engine to load
    rerun(app)
    assert not app.warning  # seeded MiDaS weights are present
    assert summary(app).startswith("**MiDaS v2.1 small** on torch · ")
    app.selectbox(key="model").select("fastdepth")
    rerun(app)
    assert app.selectbox(key="engine").value == "auto"  # torch cannot run FastDepth
    assert ran_on(app, "FastDepth", "fastdepth")
    app.selectbox(key="cmap").select("magma")
    rerun(app)
    assert predictions == ["midas_small", "fastdepth"]


def test_upload_follows_the_user_to_other_pages(model_home, predictions):
    app = run_app()
    app.file_uploader[0].upload("trip.jpg", photo_bytes((300, 200)), "image/jpeg")
    rerun(app)
    app.switch_page("app_pages/colormaps.py")
    rerun(app)
    assert "**trip.jpg**" in app.caption[0].value
    app.switch_page("app_pages/compare.py")
    rerun(app)
    assert app.image[0].captions == ["trip.jpg"]
    assert predictions == ["fastdepth", "fastdepth"]  # the example, then trip.jpg once
