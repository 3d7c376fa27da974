"""The Models page: every model's facts and measured speed, and adding missing weights by
download or by upload, with messages in the browser's words (no errnos, no `weights=`)."""

from __future__ import annotations

import io
import re
import socket
import urllib.error
import urllib.request

import pytest
from app_helpers import rerun, run_app
from midas_seeded import write_seeded_checkpoint

from depthviz.app import timings
from depthviz.io.weights import sha256_of

PAGE = "app_pages/models.py"
MIDAS_FILE = "midas_v21_small_256.pt"


class FakeResponse(io.BytesIO):
    """What urllib.request.urlopen returns, serving `data` (a stand-in for GitHub)."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}
        self.status = 200


@pytest.fixture
def checkpoint_bytes(tmp_path) -> bytes:
    return write_seeded_checkpoint(tmp_path / "seeded.pt").read_bytes()


def page_text(app) -> str:
    """Everything a person can read on the page."""
    parts = [element.value for kind in ("markdown", "caption", "error", "warning", "success",
                                        "info", "code", "subheader")
             for element in getattr(app, kind)]
    parts += [expander.label for expander in app.expander]
    return "\n".join(str(part) for part in parts)


def home_files(home) -> list[str]:
    """The model home's files and scratch folders (the OpenVINO cache folder left aside)."""
    return sorted(path.name for path in home.iterdir() if path.name != "openvino")


def rows(app) -> dict[str, dict]:
    table = app.dataframe[0].value
    return {row["Model"]: row for row in table.to_dict("records")}


def test_every_model_with_size_input_licence_file_presence_and_time_here(model_home):
    timings.forget()
    app = run_app(PAGE)
    table = rows(app)
    assert len(table) == 11
    midas, fastdepth = table["MiDaS v2.1 small"], table["FastDepth"]
    assert (midas["Parameters"], midas["Input"], midas["Licence"], midas["Weights file"],
            midas["Here"]) == ("21.3 M", "256 px", "MIT", MIDAS_FILE, "missing")
    assert fastdepth["Here"] == "yes" and fastdepth["Time per photo"] == "not run yet"
    assert table["Depth Anything V2 Base"]["Licence"] == "CC-BY-NC-4.0 (non-commercial)"
    assert table["Depth Anything V2 Small"]["Licence"] == "Apache-2.0"
    assert table["Depth Anything V2 Metric Outdoor Small"]["Depth"] == "metric (metres)"
    assert [expander.label for expander in app.expander][0] == f"MiDaS v2.1 small · `{MIDAS_FILE}`"

    app.switch_page("app_pages/compare.py")  # the example photo runs through FastDepth
    rerun(app)
    app.switch_page(PAGE)
    rerun(app)
    measured = rows(app)["FastDepth"]["Time per photo"]
    assert re.fullmatch(r"\d+ ms · (onnxruntime|openvino) · 1×", measured)
    assert rows(app)["MiDaS v2.1 small"]["Time per photo"] == "not run yet"


def test_timings_give_the_median_per_engine_fastest_first():
    timings.forget()
    timings.record("m", "openvino", 0.9)
    assert timings.timings("m") == [timings.Timing("openvino", 0.9, 1)]
    for seconds in (0.10, 0.30, 0.20):
        timings.record("m", "openvino", seconds)
    timings.record("m", "torch", 0.5)
    assert timings.timings("m") == [timings.Timing("openvino", 0.25, 4),
                                    timings.Timing("torch", 0.5, 1)]
    assert timings.timings("other") == []
    timings.forget()


def test_download_offline_says_what_happened_and_what_to_do(model_home, monkeypatch):
    def no_dns(*args, **kwargs):
        raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))

    monkeypatch.setattr(urllib.request, "urlopen", no_dns)
    app = run_app(PAGE)
    app.button(key="fetch-midas_small").click()
    rerun(app)
    (error,) = app.error
    assert error.value == (
        f"Could not download `{MIDAS_FILE}`: this computer could not find github.com: it looks "
        f"offline. If you have the file, upload it below, or copy it into `{model_home}` and "
        "reload this page.")
    for internal in ("Errno", "urlopen", "weights=", "--weights", "Name or service"):
        assert internal not in page_text(app)
    assert not (model_home / MIDAS_FILE).exists()


def loading_midas(app):
    """Rerun once MiDaS weights are here: the picker, untouched, moves to MiDaS, which loads
    on its auto engine (converted and checked once: more than the default minute on a busy
    machine)."""
    app.run(timeout=600)
    assert not app.exception, [item.value for item in app.exception]
    return app


def test_an_uploaded_weights_file_is_checked_then_installed(model_home, checkpoint_bytes):
    app = run_app(PAGE)
    assert app.selectbox(key="model").format_func("midas_small").endswith("no weights")
    app.file_uploader(key="weights-upload-midas_small").upload(
        "my-download.pt", checkpoint_bytes, "application/octet-stream")
    loading_midas(app)
    saved = model_home / MIDAS_FILE
    assert saved.read_bytes() == checkpoint_bytes
    assert (model_home / f"{MIDAS_FILE}.sha256").read_text().split()[0] == sha256_of(saved)
    assert app.success[0].value == f"Saved `{saved}`; MiDaS v2.1 small is ready."
    assert rows(app)["MiDaS v2.1 small"]["Here"] == "yes"
    assert not app.selectbox(key="model").format_func("midas_small").endswith("no weights")
    assert home_files(model_home) == sorted(
        ["fastdepth_7.onnx", MIDAS_FILE, f"{MIDAS_FILE}.sha256"])  # no scratch left behind


def test_an_uploaded_file_that_is_not_weights_is_refused_and_nothing_is_saved(model_home):
    app = run_app(PAGE)
    app.file_uploader(key="weights-upload-midas_small").upload(
        "holiday.pt", b"<html>hotel wifi login</html>" * 50, "application/octet-stream")
    rerun(app)
    (error,) = app.error
    assert error.value.startswith(
        "`holiday.pt` was not saved: it is not a weights file this model can load. The MiDaS "
        f"v2.1 small weights file is `{MIDAS_FILE}` from ")
    assert home_files(model_home) == ["fastdepth_7.onnx"]


def test_the_large_networks_are_not_offered_for_upload(model_home):
    app = run_app(PAGE)
    keys = {uploader.key for uploader in app.file_uploader}
    assert "weights-upload-depth_anything_v2_small" in keys
    assert "weights-upload-depth_anything_v2_large" not in keys
    assert "too large to upload through the browser" in page_text(app)


def test_download_saves_the_weights_and_the_app_offers_midas(model_home, monkeypatch,
                                                             checkpoint_bytes):
    app = run_app()
    assert app.selectbox(key="model").format_func("midas_small").endswith("no weights")
    monkeypatch.setattr(urllib.request, "urlopen",
                        lambda url, timeout=None: FakeResponse(checkpoint_bytes))
    app.switch_page(PAGE)
    rerun(app)
    app.button(key="fetch-midas_small").click()
    loading_midas(app)
    saved = model_home / MIDAS_FILE
    assert saved.read_bytes() == checkpoint_bytes
    assert app.success[0].value == f"Saved `{saved}`; MiDaS v2.1 small is ready."
    assert "fetch-midas_small" not in [button.key for button in app.button]
    assert not app.selectbox(key="model").format_func("midas_small").endswith("no weights")


def test_the_picker_starts_on_the_best_model_that_can_run_here(monkeypatch):
    """Issue 18: the default where its weights are here, else the best model whose weights are
    (never a non-commercial one), else the default (its pages then offer its download)."""
    from dataclasses import replace
    from pathlib import Path

    import depthviz
    from depthviz.app import model_choice

    statuses = {status.card.name: status for status in depthviz.available_models()}
    for here, start in [((), "midas_small"),
                        (("fastdepth",), "fastdepth"),
                        (("fastdepth", "midas_small"), "midas_small"),
                        (("fastdepth", "depth_anything_v2_small"), "depth_anything_v2_small"),
                        (("fastdepth", "depth_anything_v2_large"), "fastdepth"),
                        (("depth_anything_v2_large",), "midas_small")]:
        present = {name: replace(status, weights_path=Path(name) if name in here else None)
                   for name, status in statuses.items()}
        monkeypatch.setattr(model_choice, "model_statuses", lambda present=present: present)
        assert model_choice.starting_model() == start, here


def test_the_default_is_downloaded_where_it_is_needed_and_then_runs(model_home, monkeypatch,
                                                                    checkpoint_bytes):
    """Issue 18: the Compare page offers the missing default in place (not a link to the
    Models page); once downloaded, the untouched picker moves to it and the offer goes."""
    app = run_app()
    assert app.selectbox(key="model").value == "fastdepth"
    monkeypatch.setattr(urllib.request, "urlopen",
                        lambda url, timeout=None: FakeResponse(checkpoint_bytes))
    app.button(key="get-midas_small").click()
    loading_midas(app)
    saved = model_home / MIDAS_FILE
    assert saved.read_bytes() == checkpoint_bytes
    assert app.success[0].value == f"Saved `{saved}`; MiDaS v2.1 small is ready."
    assert app.selectbox(key="model").value == "midas_small"
    assert not [button for button in app.button if button.key.startswith("get-")]
    assert "the default model" not in page_text(app) and not app.warning
    summary = next(text for text in page_text(app).splitlines() if " · depth in " in text)
    assert summary.startswith("**MiDaS v2.1 small** on ")


def test_an_offline_download_in_place_says_what_happened_and_what_to_do(model_home,
                                                                        monkeypatch):
    def no_dns(*args, **kwargs):
        raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))

    monkeypatch.setattr(urllib.request, "urlopen", no_dns)
    app = run_app()
    app.button(key="get-midas_small").click()
    rerun(app)
    (error,) = app.error
    assert error.value == (
        f"Could not download `{MIDAS_FILE}`: this computer could not find github.com: it looks "
        f"offline. If you have the file, upload it on the Models page, or copy it into "
        f"`{model_home}` and reload this page.")
    for internal in ("Errno", "urlopen", "Name or service"):
        assert internal not in page_text(app)
    assert app.selectbox(key="model").value == "fastdepth" and len(app.image) >= 2
