"""The Batch page: many uploads, each photo beside its heatmap with its own download, one ZIP
(bad files reported, not fatal), and results that stay until cleared or replaced."""

from __future__ import annotations

import io
import zipfile

import numpy as np
from app_helpers import decode_png, image_error, photo_bytes, rerun, run_app, upload_files

import depthviz

PAGE = "app_pages/batch.py"


def alt_texts(app) -> list[str]:
    return [img.alt for image in app.image for img in image.proto.imgs]


def test_empty_page_invites_uploads(model_home):
    app = run_app(PAGE)
    assert "Upload photos" in app.info[0].value
    assert not app.main.image and not app.download_button


def test_batch_gallery_zip_and_a_bad_file(model_home, predictions, downloads, app_twin):
    small, wide = photo_bytes((300, 200)), photo_bytes((800, 300), "PNG")
    app = run_app(PAGE)
    predictions.clear()  # the model's warm-up when it loaded
    app = upload_files(app, ("a.jpg", small), ("junk.jpg", b"nope"), ("b.png", wide),
                 ("a.png", small))
    assert [caption.value for caption in app.main.caption] == ["3 of 4 photos done."]
    assert [error.value for error in app.error] == [f"junk.jpg: {image_error(b'nope')}"]
    # each tile: the photo, then its heatmap, then a download of that heatmap
    assert [image.captions[0] for image in app.image] == [
        "a.jpg", "Depth (inferno)", "b.png", "Depth (inferno)", "a.png", "Depth (inferno)"]
    assert alt_texts(app)[:2] == ["Photo a.jpg",
                                  "Depth heatmap of a.jpg in the inferno colormap"]
    assert [button.label for button in app.download_button] == [
        "ZIP of 3 heatmaps", "Heatmap PNG", "Heatmap PNG", "Heatmap PNG"]
    assert predictions == ["fastdepth"] * 2  # a.png has a.jpg's content: computed once

    with zipfile.ZipFile(io.BytesIO(downloads["depthviz-batch.inferno.zip"]())) as archive:
        # the CLI's naming rule: a.jpg and a.png keep their extensions (depthviz.io.naming)
        assert archive.namelist() == ["a.jpg.inferno.heatmap.png", "b.inferno.heatmap.png",
                                      "a.png.inferno.heatmap.png"]
        wide_heatmap = decode_png(archive.read("b.inferno.heatmap.png"))
    assert wide_heatmap.shape == (300, 800, 3)
    expected = depthviz.colorize(app_twin("fastdepth").predict(depthviz.load_image(wide)))
    assert np.mean(np.abs(wide_heatmap.astype(int) - expected)) < 1.0
    # each tile downloads the ZIP's file, named for its colours
    for stem in ("a.jpg", "b", "a.png"):
        tile = decode_png(downloads[f"{stem}.inferno.heatmap.png"]())
        with zipfile.ZipFile(io.BytesIO(downloads["depthviz-batch.inferno.zip"]())) as archive:
            np.testing.assert_array_equal(tile, decode_png(
                archive.read(f"{stem}.inferno.heatmap.png")))
    predictions.clear()  # forget the check's own prediction

    app.checkbox(key="batch_depth16").check()
    app.selectbox(key="cmap").select("viridis")
    rerun(app)
    assert app.download_button[0].label == "ZIP of 3 heatmaps and depth PNGs"
    with zipfile.ZipFile(io.BytesIO(downloads["depthviz-batch.viridis.zip"]())) as archive:
        names = archive.namelist()
        assert len(names) == 6 and "b.depth16.png" in names
        assert decode_png(archive.read("b.depth16.png")).dtype == np.uint16
        viridis = decode_png(archive.read("b.viridis.heatmap.png"))
    assert np.any(viridis != wide_heatmap, axis=2).mean() > 0.9
    assert "b.viridis.heatmap.png" in downloads
    assert predictions == []  # options never rerun the network


def test_results_stay_across_pages_until_cleared_or_replaced(model_home, predictions):
    app = run_app(PAGE)
    predictions.clear()  # the model's warm-up when it loaded
    app = upload_files(app, ("a.jpg", photo_bytes((300, 200))),
                 ("b.png", photo_bytes((200, 300), "PNG")))
    assert [image.captions[0] for image in app.image][::2] == ["a.jpg", "b.png"]
    assert predictions == ["fastdepth"] * 2

    app.switch_page("app_pages/models.py")
    rerun(app)
    app.switch_page(PAGE)
    rerun(app)
    assert [image.captions[0] for image in app.image][::2] == ["a.jpg", "b.png"]
    assert app.main.caption[0].value == "2 of 2 photos done."
    assert predictions == ["fastdepth"] * 2  # shown again, not computed again

    app = upload_files(app, ("c.jpg", photo_bytes((240, 160))))  # new files replace the batch
    assert [image.captions[0] for image in app.image][::2] == ["c.jpg"]
    assert app.download_button[0].label == "ZIP of 1 heatmap"

    app.button(key="batch_clear").click()
    rerun(app)
    assert not app.image and "Upload photos" in app.info[0].value
    assert app.file_uploader[0].value in (None, [])  # the uploader is empty too


def test_uploaders_accept_only_what_load_image_reads_in_the_names_people_know():
    from depthviz.app.uploads import UPLOAD_TYPES
    from depthviz.io.images import IMAGE_EXTENSIONS

    assert {f".{kind}" for kind in UPLOAD_TYPES} <= set(IMAGE_EXTENSIONS)
    assert {"jpeg", "png", "tiff"} <= set(UPLOAD_TYPES)
    assert not {"mpo", "dib", "jpe"} & set(UPLOAD_TYPES)
