"""The drop-in for the Flask tutorial's server: its upload-and-show page, served at /demo,
posts a photo the way the tutorial's page does (FormData with `image` to /predict, the answer
read back as a blob) in headless Chromium, and shows the heatmap at the photo's size."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from app_helpers import jpeg_bytes
from streamlit_server import free_port

from depthviz.serve.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def service_url(fastdepth):
    """The service on uvicorn in a thread, on a free loopback port."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(fastdepth), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_demo_page_posts_form_data_and_shows_the_blob(page, service_url, coffee, tmp_path):
    """No console error or failed request either (the e2e conftest watches every page)."""
    photo = tmp_path / "coffee.jpg"
    photo.write_bytes(jpeg_bytes(np.ascontiguousarray(coffee[:240, :320])))
    posted = []
    page.on("request", lambda request: posted.append(request) if request.method == "POST" else None)
    page.goto(f"{service_url}/demo")
    assert page.locator("script[src], link[rel=stylesheet]").count() == 0  # nothing external
    page.set_input_files("#image", str(photo))
    page.get_by_role("button", name="Estimate depth").click()
    page.wait_for_function("() => document.getElementById('depth').naturalWidth > 0")
    size = page.evaluate("() => [document.getElementById('depth').naturalWidth, "
                         "document.getElementById('depth').naturalHeight]")
    assert size == [320, 240]
    assert page.evaluate("() => document.getElementById('depth').src").startswith("blob:")
    assert page.locator("#status").inner_text().startswith("Done: fastdepth")
    (request,) = posted
    assert request.url == f"{service_url}/predict"
    assert request.headers["content-type"].startswith("multipart/form-data")
