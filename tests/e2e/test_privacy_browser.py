"""No request leaves the machine while a person uses the app (issue 12 item 15): every request
the browser makes goes to the app's own address, and the server process looks up or connects to
no other machine, from start through every page."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest
from browsing import settle
from streamlit_server import streamlit_app

pytestmark = pytest.mark.browser

PAGES = ("", "colormaps", "batch", "video", "evaluate", "models")


def test_no_page_makes_a_request_to_another_machine(browser, tmp_path, fastdepth, shots_dir):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(fastdepth.weights_path, home / fastdepth.weights_path.name)
    server_log = tmp_path / "outbound.log"
    requested: list[str] = []
    with streamlit_app(home, ("--server.headless", "true"), outbound_log=server_log) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.on("request", lambda request: requested.append(request.url))
        for path in PAGES:
            page.goto(f"{url}/{path}")
            page.get_by_test_id("stSidebar").wait_for()
            settle(page)
            page.wait_for_load_state("networkidle")
        favicon = page.locator("link[rel='shortcut icon']").get_attribute("href")
        page.screenshot(path=shots_dir / "privacy-models.png")
        context.close()
    hosts = {urlsplit(address).hostname for address in requested if not address.startswith("data:")}
    assert hosts == {"127.0.0.1"}, sorted(address for address in requested
                                          if urlsplit(address).hostname != "127.0.0.1")
    assert favicon.startswith("data:image/svg+xml")  # drawn locally, not fetched
    assert not server_log.exists(), f"the server reached out: {server_log.read_text()}"
