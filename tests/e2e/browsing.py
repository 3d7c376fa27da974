"""What every browser test needs: the screen sizes, a phone's user agent, and ways to wait for
the app as a person would (a script run over, a page opened, a page switched in the sidebar)."""

from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeout

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1440, "height": 900}
DESKTOP = {"width": 1400, "height": 1000}
#: Safari on an iPhone: Streamlit collapses the sidebar after a page link only for a user agent
#: its parser calls "mobile", so a phone is emulated with a real phone's user agent.
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def settle(page) -> None:
    """Until the script run is over: no element is still stale from the previous run (clicking
    a stale download button would ask for a file the new run has already replaced)."""
    page.wait_for_function("""() => !document.querySelector('[data-stale="true"]')
                                 && !document.querySelector('[data-testid="stStatusWidget"]')""")


def upload(page, name: str, content: bytes, mime: str = "image/jpeg") -> None:
    """Upload one file as a person would, and again if the uploader never lists it (under load,
    a file set while the widget re-renders can be dropped before it is sent)."""
    settle(page)
    uploader = page.get_by_test_id("stFileUploader").first
    listed = uploader.get_by_text(name, exact=True)
    for attempt in range(3):
        uploader.locator('input[type="file"]').set_input_files(
            files=[{"name": name, "mimeType": mime, "buffer": content}])
        try:
            listed.wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def open_page(page, url: str, selector: str, viewport: dict | None = None):
    """Open `url` (at `viewport`, if given) and wait for `selector` and the end of the run."""
    if viewport is not None:
        page.set_viewport_size(viewport)
    page.goto(url)
    element = page.locator(selector)
    element.wait_for()
    settle(page)
    return element


def go_to(page, title: str) -> None:
    """Switch pages inside the app, as a person does (a new URL would start a new session)."""
    sidebar = page.get_by_test_id("stSidebar")
    closed = not sidebar.is_visible() or sidebar.bounding_box()["x"] < 0
    if closed:
        page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    settle(page)
    collapse = page.get_by_role("button", name="Collapse sidebar")
    if closed and collapse.is_visible():  # leave it as it was (a phone's sidebar covers the page)
        collapse.click()
        page.get_by_test_id("stExpandSidebarButton").wait_for()
        page.wait_for_timeout(500)  # the closing animation
