"""The 3D page in headless Chromium (WebGL through SwiftShader), at desktop and 390x844 phone
size: the Plotly view is drawn, in the photo's colours, upright and not mirrored."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from browsing import DESKTOP, IPHONE, PHONE, settle, upload
from PIL import Image

pytestmark = pytest.mark.browser

BLUE, GREEN = (0, 60, 255), (0, 230, 40)


def marked_photo() -> np.ndarray:
    """The coffee photo with a blue band along its top and a green block left of centre: where
    they show up in the view says whether it is upright and not mirrored."""
    from skimage import data

    photo = data.coffee().copy()
    height, width = photo.shape[:2]
    photo[: height // 8] = BLUE
    photo[height * 2 // 5: height * 3 // 5, width * 3 // 10: width * 2 // 5] = GREEN
    return photo


def png(photo: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, "PNG")
    return buffer.getvalue()


def near(pixels: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> np.ndarray:
    return np.abs(pixels.astype(int) - np.array(colour)).max(axis=-1) <= tolerance


def drawn_view(page, path, shows=lambda view: True, seconds: float = 30) -> np.ndarray:
    """Screenshot of the 3D view once WebGL has drawn it (and it `shows` what is expected: the
    upload's rerun replaces the example's chart a moment later), as an HxWx3 array."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + seconds
    while True:
        page.wait_for_function("""() => {
            const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
            const canvas = charts.length == 1 && charts[0].querySelector('canvas');
            return canvas && canvas.width > 100 && canvas.height > 100;
        }""")
        page.wait_for_timeout(1500)  # SwiftShader draws the first frame after the canvas appears
        try:
            chart = page.get_by_test_id("stPlotlyChart")
            chart.scroll_into_view_if_needed()
            chart.screenshot(path=path)
        except Error:  # replaced by a rerun meanwhile
            if time.monotonic() > deadline:
                raise
            continue
        view = np.asarray(Image.open(path).convert("RGB"))
        if shows(view) or time.monotonic() > deadline:
            return view


@pytest.fixture(params=["desktop", "phone"])
def sized_page(request, browser):
    """(size, page): a desktop browser, or a phone's (390x844, Safari on an iPhone's user agent,
    as Streamlit and the page tell phones apart)."""
    phone = request.param == "phone"
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        **({"user_agent": IPHONE, "is_mobile": True} if phone else {}))
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield request.param, page
    context.close()


def test_the_3d_view_is_drawn_upright_in_the_photos_colours(sized_page, app_url, shots_dir):
    size, page = sized_page
    page.goto(f"{app_url}/3d")
    settle(page)
    upload(page, "marked.png", png(marked_photo()), "image/png")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    view = drawn_view(page, shots_dir / f"view-{size}.png",
                      shows=lambda view: near(view, BLUE).sum() > 1000)
    page.screenshot(path=shots_dir / f"page-{size}.png", full_page=True)

    # Not blank: many colours, real contrast.
    assert view.reshape(-1, 3).std(axis=0).min() > 25
    assert len(np.unique(view.reshape(-1, 3) // 8, axis=0)) > 500
    # The photo's colours, upright and not mirrored: the blue band at the top, the green
    # block left of the middle and below the band.
    blue, green = near(view, BLUE), near(view, GREEN)
    assert blue.sum() > 1000 and green.sum() > 200
    blue_rows, green_rows = np.nonzero(blue)[0], np.nonzero(green)
    assert np.median(blue_rows) < np.median(green_rows[0])
    assert np.median(green_rows[1]) < view.shape[1] / 2
    # The whole photo is in view at the start, on a phone too: the band ends inside the chart.
    band = np.nonzero(blue.any(axis=0))[0]
    assert band[0] > 3 and band[-1] < view.shape[1] - 4
    # Drag a little to orbit: the view turns about the subject and still shows the scene (it
    # is a live WebGL scene, not a picture; orbiting about the box's middle carried the eye
    # past the nearest things, leaving streaks over a third of the view).
    box = page.get_by_test_id("stPlotlyChart").bounding_box()
    middle_x, middle_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(middle_x, middle_y)
    page.mouse.down()
    page.mouse.move(middle_x + box["width"] / 16, middle_y, steps=8)  # a short drag
    page.mouse.up()
    page.wait_for_timeout(1000)
    orbited = drawn_view(page, shots_dir / f"view-orbited-{size}.png")
    assert np.abs(orbited.astype(int) - view.astype(int)).mean() > 5
    background = page.evaluate("""() => getComputedStyle(
        document.querySelector('[data-testid="stApp"]')).backgroundColor""")
    red, green_, blue_ = (int(value) for value in background[4:-1].split(",")[:3])
    covered = np.abs(orbited.astype(int) - np.array([red, green_, blue_])).max(axis=-1) > 12
    assert covered.mean() > 0.5, f"only {covered.mean():.0%} of the orbited view is drawn"


def test_the_parallax_video_plays_in_the_browser(page, app_url, shots_dir):
    page.goto(f"{app_url}/3d")
    settle(page)
    page.get_by_role("button", name="Make parallax video").click()
    video = page.locator('[data-testid="stMain"] video')
    video.wait_for()
    settle(page)
    page.wait_for_function("""() => {
        const video = document.querySelector('[data-testid="stMain"] video');
        return video && video.readyState >= 2 && video.videoWidth > 0;
    }""")
    size = video.evaluate("video => [video.videoWidth, video.videoHeight, video.duration]")
    assert size[:2] == [600, 400] and 2.9 < size[2] < 3.1  # the coffee photo, a 3 s loop
    assert page.get_by_role("button", name="Parallax MP4").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    video.scroll_into_view_if_needed()
    page.screenshot(path=shots_dir / "page-parallax-desktop.png")
