"""The Colormaps page and the colormap picker: maps that suit depth first, the rest behind
"More colormaps", each map once; "Use" sets the app-wide colormap; downloads named for it."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
from app_helpers import decode_png, rerun, run_app

import depthviz
from depthviz.outputs.colorize import DEPTH_COLORMAPS, colormap_choices, colormap_lut

PAGE = "app_pages/colormaps.py"
QUALITATIVE = ("Accent", "Dark2", "Paired", "Pastel1", "Set1", "Set3", "tab10", "tab20", "flag",
               "prism")


def test_the_picker_offers_depth_maps_first_each_map_once_and_no_qualitative_ones():
    main, more = colormap_choices(), colormap_choices(more=True)
    assert main == ("inferno", "magma", "plasma", "viridis", "cividis", "turbo", "Spectral")
    assert more[:len(main)] == main and len(more) == len(set(more))
    assert not set(QUALITATIVE) & set(more)
    tables = [colormap_lut(name).tobytes() for name in more]
    flipped = [colormap_lut(name)[::-1].tobytes() for name in more]
    assert len(set(tables)) == len(more) and not set(tables) & set(flipped)  # no alias, no twin
    assert "gray" in more
    assert not {"grey", "gist_gray", "gist_grey", "gist_yerg", "binary"} & set(more)
    # every matplotlib name still works where a name is typed (the CLI, the Python API)
    every = set(depthviz.colormap_names())
    assert set(more) <= every and {"grey", "Set1", "twilight"} <= every
    assert every == {name for name in matplotlib.colormaps if not name.endswith("_r")}


def test_sidebar_lists_depth_maps_and_more_on_request(model_home):
    app = run_app()
    assert tuple(app.selectbox(key="cmap").options) == DEPTH_COLORMAPS
    app.checkbox(key="more_colormaps").check()
    rerun(app)
    assert tuple(app.selectbox(key="cmap").options) == colormap_choices(more=True)
    app.selectbox(key="cmap").select("gray")
    rerun(app)
    assert app.checkbox(key="more_colormaps").disabled  # "gray" must stay in the list


def test_tiles_show_the_chosen_maps_and_use_sets_the_app_colormap(model_home, predictions):
    app = run_app(PAGE)
    shown = app.multiselect(key="shown_colormaps").value
    assert tuple(shown) == DEPTH_COLORMAPS  # starts on maps that suit depth
    assert [image.captions[0] for image in app.image] == ["inferno (in use)", *shown[1:]]
    assert app.image[0].proto.imgs[0].alt.startswith("Depth heatmap of coffee.png in inferno")
    assert app.button(key="use-inferno").disabled

    predictions.clear()  # the model's warm-up when it loaded
    app.button(key="use-viridis").click()
    rerun(app)
    assert app.selectbox(key="cmap").value == "viridis"
    assert app.image[3].captions == ["viridis (in use)"]
    app.multiselect(key="shown_colormaps").set_value(["turbo", "gray"])
    rerun(app)
    assert [image.captions[0] for image in app.image] == ["turbo", "gray"]
    app.button(key="use-gray").click()
    rerun(app)
    assert app.selectbox(key="cmap").value == "gray"  # offered in the sidebar, though not first
    app.switch_page("app_pages/compare.py")
    rerun(app)
    assert app.image[1].captions == ["Depth (gray)"]  # the choice holds on every page
    assert predictions == []


def test_each_tile_downloads_its_own_full_resolution_heatmap(model_home, downloads):
    app = run_app("app_pages/compare.py")
    depth = np.load(io.BytesIO(downloads["coffee.depth.npy"]()))
    assert "coffee.inferno.heatmap.png" in downloads  # Compare names the colormap too
    app.switch_page(PAGE)
    rerun(app)
    app.multiselect(key="shown_colormaps").set_value(["inferno", "gray", "Spectral"])
    rerun(app)
    for name in ("inferno", "gray", "Spectral"):
        heatmap = decode_png(downloads[f"coffee.{name}.heatmap.png"]())
        np.testing.assert_array_equal(heatmap, depthviz.colorize(depth, name))
    app.toggle(key="invert").set_value(True)
    rerun(app)
    inverted = decode_png(downloads["coffee.gray_r.heatmap.png"]())
    np.testing.assert_array_equal(inverted, depthviz.colorize(depth, "gray", invert=True))
