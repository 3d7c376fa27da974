"""Batch, Models and Colormaps in headless Chromium, at desktop and 390x844 phone size: Batch
results survive a page switch, every image has alt text, the accepted-types hint is whole."""

from __future__ import annotations

import io

import pytest
from browsing import DESKTOP, PHONE, go_to, open_page, settle
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def jpeg(photo) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def image_alts(page, count: int) -> list[str]:
    """The alt texts of the page's images, once `count` of them have loaded."""
    images = '[data-testid="stMain"] [data-testid="stImage"] img'
    page.wait_for_function(f"""() => {{
        const shown = [...document.querySelectorAll('{images}')];
        return shown.length == {count} && shown.every(img => img.complete && img.naturalWidth);
    }}""")
    return page.locator(images).evaluate_all("images => images.map(image => image.alt)")


def test_batch_results_survive_a_page_switch_on_desktop_and_phone(page, app_url, shots_dir):
    from skimage import data

    page.goto(f"{app_url}/batch")
    settle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(files=[
        {"name": "coffee.jpg", "mimeType": "image/jpeg", "buffer": jpeg(data.coffee())},
        {"name": "cat.jpg", "mimeType": "image/jpeg", "buffer": jpeg(data.chelsea())}])
    page.get_by_text("2 of 2 photos done.").wait_for()
    settle(page)
    go_to(page, "Models")
    page.get_by_text("Add weights").wait_for()
    go_to(page, "Batch")
    page.get_by_text("2 of 2 photos done.").wait_for()
    settle(page)
    alts = image_alts(page, 4)
    assert alts == ["Photo coffee.jpg", "Depth heatmap of coffee.jpg in the inferno colormap",
                    "Photo cat.jpg", "Depth heatmap of cat.jpg in the inferno colormap"]
    # Each tile's button follows its images in the stream: wait for it, then count.
    expect(page.get_by_role("button", name="Heatmap PNG")).to_have_count(2)
    page.screenshot(path=shots_dir / "batch-after-switch.png", full_page=True)
    page.get_by_role("button", name="Collapse sidebar").click()
    page.set_viewport_size(PHONE)
    page.get_by_test_id("stExpandSidebarButton").wait_for()
    page.wait_for_timeout(500)  # the sidebar's closing animation, for the screenshot
    page.screenshot(path=shots_dir / "batch-after-switch-phone.png", full_page=True)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_models_page(page, app_url, shots_dir, size):
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    page.goto(app_url)  # Compare runs the example photo, so the table has a measured time
    page.locator('[data-testid="stMain"] [data-testid="stImage"] img').first.wait_for()
    settle(page)
    go_to(page, "Models")
    page.get_by_text("Add weights").wait_for()
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_test_id("stDataFrame").wait_for()  # the table of models
    page.screenshot(path=shots_dir / f"models-{size}.png", full_page=True)
    page.get_by_text("MiDaS v2.1 small ·").click()  # open "Add weights" for MiDaS
    page.get_by_role("button", name="Download midas_v21_small_256.pt").wait_for()
    expander = page.get_by_test_id("stExpander").first
    assert "Upload" in expander.inner_text() and "MB per file" in expander.inner_text()
    expander.screenshot(path=shots_dir / f"models-add-weights-{size}.png")


def test_types_hint_is_whole_on_a_phone_and_every_image_has_alt_text(page, app_url, shots_dir):
    hint = open_page(page, f"{app_url}/batch",
                     '[data-testid="stFileUploaderDropzoneInstructions"]', PHONE)
    text = hint.inner_text()
    listed = set(text.split("•")[-1].replace(",", " ").split())
    assert {"JPG", "PNG", "WEBP", "TIF"} <= listed and not {"MPO", "DIB", "JPE", "JFIF"} & listed
    cut = hint.locator("span").evaluate_all(
        "spans => spans.filter(span => span.scrollWidth > span.clientWidth + 1).length")
    assert cut == 0, f"the hint is cut off: {text!r}"
    box = hint.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.screenshot(path=shots_dir / "batch-phone-types.png")

    page.goto(f"{app_url}/colormaps")
    page.get_by_text("Spectral", exact=True).last.wait_for()
    settle(page)
    alts = image_alts(page, 7)
    assert len(alts) == 7 and all(alt.startswith("Depth heatmap of coffee.png in ") for alt in alts)
