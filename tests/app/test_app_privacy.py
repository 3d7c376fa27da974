"""No request leaves the machine: the server asks no one for anything at start (issue 12 item 15),
and `make app`, the app settings and the README agree on opening a browser (item 16)."""

from __future__ import annotations

import re
import shutil
import tomllib
import urllib.request

from app_helpers import run_app
from streamlit_server import REPO, streamlit_app


def test_the_server_reaches_no_other_machine_at_start(tmp_path, fastdepth):
    """Started as a server is (headless, listening on every interface, which is when Streamlit
    would look up its public address at checkip.amazonaws.com), then asked for the page."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(fastdepth.weights_path, home / fastdepth.weights_path.name)
    log = tmp_path / "outbound.log"
    with streamlit_app(home, ("--server.headless", "true"), outbound_log=log) as url:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert b"<title>Streamlit</title>" in response.read()
    started = (home / next(p.name for p in home.glob("streamlit-*.log"))).read_text()
    assert "URL: http://localhost:" in started  # the recorder was running and so was the app
    assert not log.exists(), f"outbound attempts: {log.read_text()}"


def test_make_app_opens_the_browser_as_the_readme_says_and_tests_stay_headless():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"].get("headless", False) is False
    assert config["server"]["showEmailPrompt"] is False  # an opened browser, no terminal prompt
    app_recipe = re.search(r"^app:.*\n((?:\t.*\n)+)", (REPO / "Makefile").read_text(), re.M)
    assert "streamlit run" in app_recipe.group(1) and "headless" not in app_recipe.group(1)
    readme = (REPO / "README.md").read_text()
    assert re.search(r"`make app`[^\n]*opens[^\n]*browser", readme)


def test_an_upload_is_received_in_memory_not_spooled_to_disk(model_home, monkeypatch):
    """Streamlit's server parses uploads with Starlette, which by default writes every file over
    1 MB to a temporary file while receiving it. Parse a 3 MB photo upload as the server does,
    after the app has started, with temporary files forbidden."""
    import asyncio
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    from starlette.requests import Request

    run_app()

    def no_disk(*args, **kwargs):
        raise AssertionError("the upload went to a temporary file on disk")

    monkeypatch.setattr(tempfile, "TemporaryFile", no_disk)
    photo = bytes(range(256)) * (3 * 4096)  # 3 MB
    boundary = "depthviz-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode() + photo + \
        f"\r\n--{boundary}--\r\n".encode()

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def received() -> bytes:
        request = Request({"type": "http", "method": "PUT", "headers": [
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode())]}, receive)
        form = await request.form()
        return await form["file"].read()

    with ThreadPoolExecutor(1) as thread:  # its own event loop, whatever else runs here
        assert thread.submit(asyncio.run, received()).result() == photo
