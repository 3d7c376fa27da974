"""End to end in headless Chromium: upload, both images, colormap switch, download, errors."""

from __future__ import annotations

import io
import re
import time

import numpy as np
import pytest
from browsing import settle, upload
from PIL import Image
from playwright.sync_api import expect

import depthviz

pytestmark = pytest.mark.browser

#: page -> (URL path, the text a page shows last, once its script has finished)
PAGES = {"batch": ("batch", re.compile("^Upload photos to get a heatmap")),
         "colormaps": ("colormaps", re.compile("^Spectral$")),
         "models": ("models", re.compile("^Add weights$")),
         "compare": ("", re.compile("^far ⟵ ⟶ near$"))}


def photo_jpeg(size: tuple[int, int]) -> bytes:
    """A real photo (scikit-image's cat), enlarged past the preview size so the app has to
    show it downscaled and still download at full resolution."""
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.chelsea()).resize(size, Image.LANCZOS).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def download_heatmap(page, cmap: str) -> np.ndarray:
    settle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Heatmap PNG").click()
    download = info.value
    assert download.suggested_filename == f"cat.{cmap}.heatmap.png"
    with Image.open(download.path()) as png:
        assert png.mode == "P"  # a palette PNG: the colormap's 256 colours
        return np.asarray(png.convert("RGB"))


def colormap_picker(page):
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name="Colormap", exact=True)


def choose_colormap(page, name: str) -> None:
    colormap_picker(page).click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")


def assert_coloured(heatmap: np.ndarray) -> None:
    red, green, blue = np.moveaxis(heatmap.astype(np.int32), 2, 0)
    assert (np.abs(red - green) + np.abs(green - blue)).mean() > 30, "the heatmap is grey"
    packed = (red << 16) | (green << 8) | blue
    assert len(np.unique(packed)) > 50, "the heatmap is nearly flat"


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_with_the_shared_sidebar(page, app_url, shots_dir, name):
    """Runs first, so a deep link is the fresh server's first request (where a legacy
    `pages/` folder would bypass streamlit_app.py and lose the sidebar)."""
    path, last_text = PAGES[name]
    page.goto(f"{app_url}/{path}")
    page.get_by_text(last_text).last.wait_for()
    expect(colormap_picker(page)).to_be_visible()
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=shots_dir / f"{name}.png", full_page=True)


def test_upload_compare_switch_colormap_download(page, app_url, shots_dir):
    width, height = 2400, 1800
    page.goto(app_url)
    page.get_by_text("far ⟵ ⟶ near").wait_for()  # the example photo is shown first

    started = time.perf_counter()
    upload(page, "cat.jpg", photo_jpeg((width, height)))
    page.get_by_text(f"{width}×{height} px, shown at 1280×960").wait_for()
    page.get_by_text("Depth (inferno)").wait_for()
    settle(page)
    page.wait_for_function("""() => {
        const shown = [...document.querySelectorAll('[data-testid="stImage"] img')].slice(0, 2);
        return shown.length == 2 && shown.every(img => img.complete && img.naturalWidth == 1280);
    }""")  # the photo and its heatmap, previews downscaled from 2400 px, on screen
    elapsed = time.perf_counter() - started
    print(f"\nupload-to-heatmap in the browser: {elapsed:.2f} s for a {width}x{height} JPEG")

    images = page.locator('[data-testid="stImage"] img')
    photo_box, heatmap_box = images.nth(0).bounding_box(), images.nth(1).bounding_box()
    assert (photo_box["width"], photo_box["height"]) == (heatmap_box["width"],
                                                         heatmap_box["height"])  # same size
    assert photo_box["width"] > 400
    page.screenshot(path=shots_dir / "compare-upload.png")

    inferno = download_heatmap(page, "inferno")
    assert inferno.shape == (height, width, 3)
    assert_coloured(inferno)

    choose_colormap(page, "viridis")
    page.get_by_text("Depth (viridis)").wait_for()
    viridis = download_heatmap(page, "viridis")
    assert viridis.shape == (height, width, 3)
    assert_coloured(viridis)
    changed = np.any(inferno != viridis, axis=2).mean()
    assert changed > 0.9, f"only {changed:.0%} of pixels changed with the colormap"

    for view, control in (("Slider", "Wipe: photo on the left"), ("Overlay", "Heatmap opacity")):
        page.get_by_role("radio", name=view, exact=True).click()
        page.get_by_text(control).wait_for()
        settle(page)
        page.screenshot(path=shots_dir / f"compare-{view.lower()}.png")

    garbage = b"this is not a photo at all"
    with pytest.raises(depthviz.ImageError) as reason:
        depthviz.load_image(garbage)
    upload(page, "garbage.jpg", garbage, "image/jpeg")
    error = page.locator('[data-testid="stAlertContentError"]')
    error.wait_for()
    assert f"garbage.jpg: {reason.value}" in error.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=shots_dir / "compare-garbage.png")
