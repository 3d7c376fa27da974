"""The app served by a real `streamlit run` on a free loopback port, driven by Debian's
Chromium through Playwright (no browser download: `make browser` apt-installs chromium)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from streamlit_server import streamlit_app

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


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
