"""The Batch page: many uploads, progress, a gallery, one ZIP (bad files reported, not fatal)."""

from __future__ import annotations

import io
import zipfile

import numpy as np

import depthviz
from app_helpers import decode_png, image_error, photo_bytes, rerun, run_app
PAGE = "app_pages/batch.py"


def test_empty_page_invites_uploads(model_home, predictions):
    app = run_app(PAGE)
    assert "Upload photos" in app.info[0].value
    assert not app.image and not app.download_button and predictions == []


def test_batch_gallery_zip_and_a_bad_file(model_home, predictions, downloads, fastdepth):
    small, wide = photo_bytes((300, 200)), photo_bytes((800, 300), "PNG")
    app = run_app(PAGE)
    uploader = app.file_uploader(key="batch")
    uploader.upload("a.jpg", small, "image/jpeg").upload("junk.jpg", b"nope", "image/jpeg")
    uploader.upload("b.png", wide, "image/png").upload("a.png", small, "image/jpeg")
    rerun(app)
    assert (app.progress[0].value, app.progress[0].text) == (100, "3 of 4 photos done.")
    assert [error.value for error in app.error] == [f"junk.jpg: {image_error(b'nope')}"]
    assert [image.captions[0] for image in app.image] == ["a.jpg", "b.png", "a.png"]
    assert app.download_button[0].label == "ZIP of 3 heatmaps"
    assert predictions == ["fastdepth"] * 2  # a.png has a.jpg's content: computed once

    with zipfile.ZipFile(io.BytesIO(downloads["depthviz-batch.zip"]())) as archive:
        assert archive.namelist() == ["a.heatmap.png", "b.heatmap.png", "a-2.heatmap.png"]
        wide_heatmap = decode_png(archive.read("b.heatmap.png"))
    assert wide_heatmap.shape == (300, 800, 3)
    expected = depthviz.colorize(fastdepth.predict(depthviz.load_image(wide)))
    assert np.mean(np.abs(wide_heatmap.astype(int) - expected)) < 1.0
    predictions.clear()  # forget the check's own prediction

    app.checkbox(key="batch_depth16").check()
    app.selectbox(key="cmap").select("viridis")
    rerun(app)
    assert app.download_button[0].label == "ZIP of 3 heatmaps and depth PNGs"
    with zipfile.ZipFile(io.BytesIO(downloads["depthviz-batch.zip"]())) as archive:
        names = archive.namelist()
        assert len(names) == 6 and "b.depth16.png" in names
        assert decode_png(archive.read("b.depth16.png")).dtype == np.uint16
        viridis = decode_png(archive.read("b.heatmap.png"))
    assert np.any(viridis != wide_heatmap, axis=2).mean() > 0.9
    assert predictions == []  # options never rerun the network
