"""The Evaluate page in headless Chromium at desktop and 390x844 phone size: the sample
evaluated with FastDepth, the table, the chart, the photo, the measured and predicted depth on
one colour scale with its colour bar, the error map and the scatter, all drawn; the results
still there after a visit to another page."""

from __future__ import annotations

import io
import re
import zipfile

import cv2
import numpy as np
import pytest
from browsing import DESKTOP, IPHONE, PHONE, go_to, settle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

#: The summary chart, measured depth, aligned prediction, error map and scatter.
CHARTS = 5


def evaluate_the_sample(page, app_url) -> None:
    page.goto(f"{app_url}/evaluate")
    settle(page)
    page.get_by_role("button", name="Use the sample").click()
    settle(page)
    page.get_by_role("button", name="Evaluate").click()
    page.get_by_text("Where it is wrong").wait_for()
    page.get_by_text("motorcycle with fastdepth: AbsRel").wait_for()
    settle(page)
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
    page.wait_for_function(f"""() => document.querySelectorAll(
        '[data-testid="stPlotlyChart"] .plot-container').length == {CHARTS}""")
    page.wait_for_timeout(1000)  # Plotly lays its charts out after they are added


def screenshots(page, path_stem) -> None:
    """The page top, then each part below it scrolled into view (the app scrolls inside its
    main block, so a full-page screenshot holds only the first screen)."""
    page.screenshot(path=f"{path_stem}.png")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    for index, part in enumerate([charts.nth(0), page.get_by_text("Where it is wrong"),
                                  charts.nth(2), charts.nth(CHARTS - 1)]):
        part.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=f"{path_stem}-{index + 1}.png")


def check_drawn(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)
    # Two colour bars in metres (one scale for measured and predicted depth), one for the error.
    titles = page.locator('[data-testid="stPlotlyChart"] .colorbar .cbtitle').evaluate_all(
        "nodes => nodes.map(node => node.textContent)")
    assert sorted(titles) == ["log₁₀ pixels", "metres", "metres", "relative error"]
    photo = page.locator('[data-testid="stMain"] [data-testid="stImage"] img')
    page.wait_for_function("""() => [...document.querySelectorAll(
        '[data-testid="stMain"] [data-testid="stImage"] img')].every(i => i.complete)""")
    assert photo.evaluate("img => img.naturalWidth") > 0


def test_evaluate_on_desktop(page, app_url, shots_dir):
    page.set_viewport_size(DESKTOP)
    evaluate_the_sample(page, app_url)
    check_drawn(page)
    screenshots(page, shots_dir / "evaluate-desktop")
    go_to(page, "Models")
    page.get_by_text("Add weights").wait_for()
    go_to(page, "Evaluate")
    page.get_by_text("motorcycle with fastdepth: AbsRel").wait_for()
    settle(page)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)


def test_evaluate_on_a_phone(browser, app_url, shots_dir):
    context = browser.new_context(viewport=PHONE, user_agent=IPHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        evaluate_the_sample(page, app_url)
        check_drawn(page)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"
        screenshots(page, shots_dir / "evaluate-phone")
    finally:
        context.close()


def many_pairs(count: int) -> bytes:
    """A zip of `count` copies of the motorcycle with its depth in millimetres."""
    from depthviz.evaluation import motorcycle_sample

    sample = motorcycle_sample()
    photo = cv2.imencode(".jpg", cv2.cvtColor(sample.rgb(), cv2.COLOR_RGB2BGR))[1].tobytes()
    metres = sample.depth_metres()
    depth = cv2.imencode(".png", np.where(np.isfinite(metres), np.round(metres * 1000), 0)
                         .astype(np.uint16))[1].tobytes()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for index in range(count):
            zipped.writestr(f"set/m{index:02}.jpg", photo)
            zipped.writestr(f"set/m{index:02}.depth.png", depth)
    return archive.getvalue()


def test_a_long_run_can_be_cancelled_and_run_again(page, app_url):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{app_url}/evaluate")
    settle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(files=[
        {"name": "set.zip", "mimeType": "application/zip", "buffer": many_pairs(60)}])
    page.get_by_text("60 photos with depth from 1 uploaded file.").wait_for()
    settle(page)
    page.get_by_role("button", name="Evaluate").click()
    page.get_by_text(re.compile(r"^fastdepth: \d+ of 60")).wait_for()  # the progress bar
    page.get_by_role("button", name="Cancel").click()
    settle(page)
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)  # no half a table
    page.get_by_role("button", name="Evaluate").click()
    page.get_by_text("Where it is wrong").wait_for()
    settle(page)
    table = page.get_by_test_id("stDataFrame")
    expect(table).to_have_count(1)
