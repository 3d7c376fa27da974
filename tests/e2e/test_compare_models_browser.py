"""Two models side by side in headless Chromium (issue 9), the Compare page after a page switch
(issue 12 item 1) and on a phone (item 3). Seeded MiDaS small weights in a temporary model home
make two models available offline (their depth is not MiDaS' real depth, but it is computed by
the real network and the real app)."""

from __future__ import annotations

import base64
import io
import shutil

import numpy as np
import pytest
from browsing import IPHONE, PHONE, settle, upload
from midas_seeded import write_seeded_checkpoint
from PIL import Image
from streamlit_server import streamlit_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def two_models_url(tmp_path_factory, fastdepth):
    home = tmp_path_factory.mktemp("two-models-home")
    shutil.copyfile(fastdepth.weights_path, home / fastdepth.weights_path.name)
    write_seeded_checkpoint(home / "midas_v21_small_256.pt")
    with streamlit_app(home, ("--server.address", "127.0.0.1", "--server.headless", "true")) \
            as url:
        yield url


def choose(page, label: str, option: str, in_sidebar: bool = False) -> None:
    scope = page.get_by_test_id("stSidebar") if in_sidebar else page.get_by_test_id("stMain")
    scope.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def shown_images(page) -> list[np.ndarray]:
    """The pixels of the page's images, as the browser decoded them (sent inline: data: URIs)."""
    images = []
    for source in page.locator('[data-testid="stImage"] img').evaluate_all(
            "images => images.map(img => img.src)"):
        data = (base64.b64decode(source.split(",", 1)[1]) if source.startswith("data:")
                else page.request.get(source).body())
        with Image.open(io.BytesIO(data)) as image:
            images.append(np.asarray(image.convert("RGB")))
    return images


def test_two_models_side_by_side_then_their_difference(browser, two_models_url, shots_dir):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(240_000)  # first loads convert and check models on a shared CPU
    page.goto(two_models_url)
    page.get_by_text("far ⟵ ⟶ near").wait_for()
    settle(page)
    assert page.get_by_test_id("stAlertContentWarning").count() == 0  # MiDaS weights are here
    choose(page, "Engine", "torch", in_sidebar=True)
    choose(page, "Compare with", "FastDepth")
    page.get_by_text("MiDaS v2.1 small · torch · depth in").wait_for()
    page.get_by_text("FastDepth · ").first.wait_for()
    settle(page)

    boxes = [page.locator('[data-testid="stImage"] img').nth(index).bounding_box()
             for index in range(3)]
    assert len({(round(box["width"]), round(box["height"])) for box in boxes}) == 1
    assert boxes[0]["width"] / boxes[0]["height"] == pytest.approx(600 / 400, rel=0.02)
    assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"]  # one row: photo, MiDaS, FastDepth
    photo, first, second, legend = shown_images(page)[:4]
    assert photo.shape == first.shape == second.shape == (400, 600, 3)
    assert np.any(first != second, axis=2).mean() > 0.5  # two different models' maps
    assert legend[:, -1].mean() > legend[:, 0].mean() + 100  # inferno: near (right) is bright
    page.screenshot(path=shots_dir / "compare-two-models.png")

    page.get_by_role("radio", name="Difference", exact=True).click()
    page.get_by_text("least squares in inverse depth").wait_for()
    settle(page)
    difference = shown_images(page)[1]
    assert difference.shape == (400, 600, 3)
    red, green, blue = np.moveaxis(difference.astype(int), 2, 0)
    assert ((red - blue) > 60).mean() > 0.01 and ((blue - red) > 60).mean() > 0.01  # both signs
    page.screenshot(path=shots_dir / "compare-difference.png")
    context.close()


def test_compare_after_a_page_switch_keeps_the_picker_honest(browser, two_models_url,
                                                             shots_dir):
    """Issue 12 item 1 in the browser: upload, Models, back, then choose coffee.png."""
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.stereo_motorcycle()[0]).save(buffer, "JPEG", quality=90)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(240_000)
    page.goto(two_models_url)
    page.get_by_text("far ⟵ ⟶ near").wait_for()
    upload(page, "motorcycle.jpg", buffer.getvalue())
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Models").click()
    page.get_by_role("heading", name="Models").wait_for()
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Compare").click()
    page.get_by_text("Showing your upload").wait_for()
    page.get_by_test_id("stImage").first.get_by_text("motorcycle.jpg").wait_for()
    settle(page)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stImage"] img')]
                                 .every(img => img.complete && img.naturalWidth > 0)""")
    example_box = page.get_by_role("combobox", name="…or an example photo")
    assert "coffee.png" not in example_box.locator("xpath=../..").inner_text()
    page.screenshot(path=shots_dir / "compare-after-page-switch.png")

    choose(page, "…or an example photo", "coffee.png")
    page.get_by_test_id("stImage").first.get_by_text("coffee.png").wait_for()
    settle(page)
    page.get_by_text("Showing your upload").wait_for(state="detached")
    context.close()


def test_phone_layout_and_sidebar(browser, two_models_url, shots_dir):
    """Issue 12 item 3: on a phone the heatmap is within 1.5 screens, and tapping a page link
    closes the sidebar (Streamlit does that for phones' user agents)."""
    context = browser.new_context(viewport=PHONE, user_agent=IPHONE, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(240_000)
    page.goto(two_models_url)
    page.get_by_text("far ⟵ ⟶ near").wait_for()
    settle(page)
    heatmap = page.locator('[data-testid="stImage"] img').nth(1).bounding_box()
    scroll = page.evaluate("window.scrollY")
    assert heatmap["y"] + scroll + heatmap["height"] <= 1.5 * PHONE["height"], heatmap
    assert heatmap["width"] > 300  # one column: the photo above, the heatmap below, full width
    hint = page.get_by_test_id("stFileUploaderDropzoneInstructions")
    assert hint.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # not cut off
    page.screenshot(path=shots_dir / "phone-compare.png")
    page.locator('[data-testid="stImage"] img').nth(1).scroll_into_view_if_needed()
    page.screenshot(path=shots_dir / "phone-compare-heatmap.png")

    page.get_by_test_id("stExpandSidebarButton").tap()
    sidebar = page.get_by_test_id("stSidebar")
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]')"
                           ".dataset.collapsed === 'false'")
    page.screenshot(path=shots_dir / "phone-sidebar-open.png")
    sidebar.get_by_role("link", name="Models").tap()
    page.get_by_role("heading", name="Models").wait_for()
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]')"
                           ".dataset.collapsed === 'true'")
    assert sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"] <= 0  # off screen
    settle(page)
    page.screenshot(path=shots_dir / "phone-after-page-link.png")
    context.close()
