"""The app under stress and failure: many uploads in a row, broken models, no disk writes."""

from __future__ import annotations

import builtins
import os
import time

import numpy as np
from app_helpers import photo_bytes, rerun, run_app

from depthviz.app import model_choice as app_models
from depthviz.models.depth_model import DepthModel


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1]) / 1024


def test_many_uploads_in_a_row_each_get_their_answer(model_home, predictions):
    """60 uploads, one session, every fourth one broken: each shows its heatmap or its error,
    the model runs once per distinct photo, and memory settles (caches are bounded)."""
    app = run_app()
    good = [photo_bytes((320 + 8 * i, 240)) for i in range(45)]
    bad = [b"garbage %d" % i for i in range(15)]
    start, rss = time.perf_counter(), []
    for i in range(60):
        data = bad[i // 4] if i % 4 == 3 else good[i - i // 4]
        app.file_uploader[0].upload(f"photo{i}.jpg", data, "image/jpeg")
        rerun(app)
        if i % 4 == 3:
            assert len(app.error) == 1 and "not a readable image" in app.error[0].value
            assert not app.image
        else:
            assert not app.error and app.image[0].captions == [f"photo{i}.jpg"]
        rss.append(_rss_mb())
    seconds = time.perf_counter() - start
    print(f"\n60 uploads in {seconds:.1f} s ({seconds / 60 * 1000:.0f} ms each); "
          f"RSS {rss[10]:.0f} -> {rss[-1]:.0f} MB")
    assert predictions == ["fastdepth"] * (1 + 45)
    assert rss[-1] - rss[29] < 150  # bounded caches: the second half adds little


def test_a_model_that_fails_to_load_leaves_the_app_usable(with_midas, monkeypatch):
    real = app_models.load_model

    def broken(name, **options):
        if name == "midas_small":
            raise RuntimeError("compiled for a different CPU")
        return real(name, **options)

    monkeypatch.setattr(app_models, "load_model", broken)
    app = run_app()
    assert len(app.warning) == 1 and "compiled for a different CPU" in app.warning[0].value
    assert not app.error and len(app.image) >= 2  # FastDepth took over
    for page in ("app_pages/colormaps.py", "app_pages/models.py"):
        app.switch_page(page)
        rerun(app)
        assert not app.error


def test_an_unexpected_error_is_an_error_box_not_a_traceback(model_home, monkeypatch):
    real = DepthModel.predict

    def explode(self, image):
        if not np.asarray(image).any():  # the loader's warm-up frame is blank
            return real(self, image)
        raise MemoryError("out of memory")

    monkeypatch.setattr(DepthModel, "predict", explode)
    app = run_app()
    assert len(app.error) == 1 and "Something went wrong" in app.error[0].value
    assert "Traceback" not in app.error[0].value
    assert app.selectbox(key="cmap").value == "inferno"  # the sidebar still works


def test_uploads_are_never_written_to_disk(model_home, monkeypatch, tmp_path):
    """Record every file opened for writing while photos are uploaded and processed."""
    app = run_app()
    written: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def open_spy(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            written.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def os_open_spy(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            written.append(str(path))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_spy)
    monkeypatch.setattr(os, "open", os_open_spy)
    upload = photo_bytes((900, 600))
    app.file_uploader[0].upload("private.jpg", upload, "image/jpeg")
    rerun(app)
    app.selectbox(key="cmap").select("magma")
    rerun(app)
    assert app.image[0].captions == ["private.jpg"] and not app.error
    assert written == []
    assert not any(np.frombuffer(upload[:64], np.uint8).tobytes() in path.read_bytes()[:1 << 20]
                   for path in tmp_path.rglob("*") if path.is_file())
