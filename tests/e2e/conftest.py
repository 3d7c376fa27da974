"""The app served by a real `streamlit run` on a free loopback port, driven by Debian's
Chromium through Playwright (no browser download: `make browser` apt-installs chromium)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from streamlit_server import streamlit_app

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The only failing requests allowed: opened on a page's own address (/batch), Streamlit's
#: frontend first tries that path as the app's base path (/batch/_stcore/health and
#: /batch/_stcore/host-config, 404), then the root. An app cannot avoid these two per deep link
#: (streamlit/streamlit#7074); clicking through the pages makes none.
BASE_PATH_PROBE = re.compile(r"^http://127\.0\.0\.1:\d+/[^_/][^/]*/_stcore/(health|host-config)$")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, fastdepth):
    """URL of the app, with a model home holding only FastDepth (a copy: MiDaS weights are
    absent, as on a fresh offline machine)."""
    home = tmp_path_factory.mktemp("depthviz-home")
    shutil.copyfile(fastdepth.weights_path, home / fastdepth.weights_path.name)
    with streamlit_app(home, ("--server.address", "127.0.0.1", "--server.headless", "true")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def watch(context, problems: list[str]) -> None:
    """Record every page error, console error, failed request and HTTP error of `context`."""
    def response(response) -> None:
        if response.status >= 400 and not BASE_PATH_PROBE.match(response.url):
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def console(message) -> None:
        if message.type == "error" and not BASE_PATH_PROBE.match(message.location.get("url", "")):
            problems.append(f"console error: {message.text} ({message.location.get('url')})")

    context.on("page", lambda page: page.on(
        "pageerror", lambda error: problems.append(f"page error: {error}")))
    context.on("console", console)
    def failed(request) -> None:
        if request.failure == "net::ERR_ABORTED" and "/static/" in request.url:
            return  # the browser dropped a script chunk of the app's bundle as the page moved on
        problems.append(f"failed request: {request.method} {request.url} ({request.failure})")

    context.on("requestfailed", failed)
    context.on("response", response)


@pytest.fixture(autouse=True)
def no_browser_errors(browser, monkeypatch):
    """Every browser context a test opens is watched; at teardown the test fails on any page
    error, console error, failed request or HTTP status >= 400 (BASE_PATH_PROBE aside)."""
    problems: list[str] = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        watch(context, problems)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield problems
    assert not problems, "the browser reported:\n" + "\n".join(problems)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def shots_dir(tmp_path_factory) -> Path:
    """Where page screenshots go: $DEPTHVIZ_SCREENSHOTS if set (to look at them), else a tmp dir."""
    target = os.environ.get("DEPTHVIZ_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`-n`), every browser test runs on one worker: they share one app server
    and one Chromium, and two Chromiums at once on a 2-core machine starve each other."""
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.xdist_group("browser"))
