"""The Models page: what is installed, where weights go, and downloading missing weights."""

from __future__ import annotations

import io
import urllib.request

import pytest

from app_helpers import rerun, run_app
from midas_seeded import write_seeded_checkpoint

PAGE = "app_pages/models.py"


class FakeResponse(io.BytesIO):
    """What urllib.request.urlopen returns, serving `data` (a stand-in for GitHub)."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}
        self.status = 200


@pytest.fixture
def checkpoint_bytes(tmp_path) -> bytes:
    return write_seeded_checkpoint(tmp_path / "seeded.pt").read_bytes()


def test_lists_models_and_says_where_midas_weights_go(model_home):
    app = run_app(PAGE)
    assert [header.value for header in app.subheader] == ["MiDaS v2.1 small", "FastDepth"]
    assert [warning.value for warning in app.warning] == [
        "Weights missing: `midas_v21_small_256.pt`"]
    assert app.success[0].value == f"Weights present: `{model_home / 'fastdepth_7.onnx'}`"
    assert [code.value for code in app.code] == [str(model_home)]
    assert "**`midas_v21_small_256.pt`**" in "".join(text.value for text in app.markdown)
    assert app.selectbox(key="model").options[0] == "MiDaS v2.1 small (no weights)"


def test_download_offline_shows_the_reason(model_home):
    app = run_app(PAGE)
    app.button(key="fetch-midas_small").click()
    rerun(app)
    (error,) = app.error
    assert "midas_v21_small_256.pt" in error.value and "no network in this test" in error.value
    assert not (model_home / "midas_v21_small_256.pt").exists()


def test_download_saves_the_weights_and_the_app_switches_to_midas(model_home, monkeypatch,
                                                                  checkpoint_bytes):
    app = run_app()
    assert "MiDaS v2.1 small weights are missing" in app.warning[0].value  # offline first
    monkeypatch.setattr(urllib.request, "urlopen",
                        lambda url, timeout=None: FakeResponse(checkpoint_bytes))
    app.switch_page(PAGE)
    rerun(app)
    app.button(key="fetch-midas_small").click()
    rerun(app)
    saved = model_home / "midas_v21_small_256.pt"
    assert saved.read_bytes() == checkpoint_bytes
    assert app.success[0].value.startswith(f"Saved {saved}; MiDaS v2.1 small is ready.")
    assert not app.warning and "fetch-midas_small" not in [button.key for button in app.button]
    assert app.selectbox(key="model").options[0] == "MiDaS v2.1 small"

    app.session_state["engine"] = "torch"  # the quickest MiDaS engine to load
    app.switch_page("app_pages/compare.py")
    rerun(app)
    assert not app.warning  # the cached "weights missing" was cleared
    assert any(caption.value.startswith("**MiDaS v2.1 small** on torch") for caption in app.caption)
