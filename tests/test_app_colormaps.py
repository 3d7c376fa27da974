"""The Colormaps page: one depth map in many colormaps; "Use" sets the app-wide colormap."""

from __future__ import annotations

import io

import numpy as np

import depthviz
from app_helpers import decode_png, rerun, run_app
PAGE = "app_pages/colormaps.py"


def test_tiles_show_the_chosen_maps_and_use_sets_the_app_colormap(model_home, predictions):
    app = run_app(PAGE)
    shown = app.multiselect(key="shown_colormaps").value
    assert shown[:5] == ["inferno", "magma", "plasma", "viridis", "cividis"]
    assert [image.captions[0] for image in app.image] == ["inferno (in use)", *shown[1:]]
    assert app.button(key="use-inferno").disabled

    app.button(key="use-viridis").click()
    rerun(app)
    assert app.selectbox(key="cmap").value == "viridis"
    assert app.image[3].captions == ["viridis (in use)"]
    app.multiselect(key="shown_colormaps").set_value(["turbo", "gray"])
    rerun(app)
    assert [image.captions[0] for image in app.image] == ["turbo", "gray"]
    app.switch_page("app_pages/compare.py")
    rerun(app)
    assert app.image[1].captions == ["Depth (viridis)"]  # the choice holds on every page
    assert predictions == ["fastdepth"]


def test_each_tile_downloads_its_own_full_resolution_heatmap(model_home, downloads):
    app = run_app("app_pages/compare.py")
    depth = np.load(io.BytesIO(downloads["coffee.depth.npy"]()))
    app.switch_page(PAGE)
    rerun(app)
    for name in ("inferno", "gray", "Spectral"):
        heatmap = decode_png(downloads[f"coffee.{name}.heatmap.png"]())
        np.testing.assert_array_equal(heatmap, depthviz.colorize(depth, name))
    app.toggle(key="invert").set_value(True)
    rerun(app)
    inverted = decode_png(downloads["coffee.gray.heatmap.png"]())
    np.testing.assert_array_equal(inverted, depthviz.colorize(depth, "gray", invert=True))
