"""`depthviz predict` on folder trees with the local runner: mirrored outputs, a broken file
that fails alone, same-stem inputs, and resuming work that was interrupted."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest
from photo_tree import BROKEN, GOOD, write_photo_tree
from PIL import Image

from depthviz import load_image
from depthviz.cli import INTERRUPTED, main
from depthviz.models.depth_model import DepthModel


def outputs_of(name: str, suffix: str) -> str:
    return str(Path(name).with_suffix("")) + suffix


def predict(*args: str) -> int:
    return main(["predict", *args, "--model", "fastdepth"])


@pytest.fixture
def photos(tmp_path) -> Path:
    return write_photo_tree(tmp_path / "photos")


@pytest.fixture
def predict_calls(monkeypatch) -> list:
    """Every image the model is asked about, in order."""
    calls = []
    original = DepthModel.predict

    def counting(self, image):
        calls.append(np.asarray(image).shape)
        return original(self, image)

    monkeypatch.setattr(DepthModel, "predict", counting)
    return calls


def test_a_folder_tree_is_mirrored_and_a_broken_file_fails_alone(photos, tmp_path, capsys):
    out = tmp_path / "out"
    assert predict(str(photos), "--out", str(out), "--format", "heatmap", "npy") == 1
    captured = capsys.readouterr()
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted(outputs_of(name, suffix) for name in GOOD
                             for suffix in (".inferno.heatmap.png", ".depth.npy"))
    # The failure names the file and why; the summary counts it.
    failure_lines = [line for line in captured.err.splitlines() if "broken.jpg" in line]
    assert len(failure_lines) == 1 and "damaged" in failure_lines[0]
    assert "6 written, 0 skipped (already done), 1 failed" in captured.out
    # Each output matches its own input's size (no mix-up between files).
    heat = np.asarray(Image.open(out / "trip1/deep/cat.inferno.heatmap.png").convert("RGB"))
    assert heat.shape == (120, 160, 3)
    assert np.load(out / "top.depth.npy").shape == (120, 160)


def test_explicit_files_land_at_the_top_of_the_output_folder(photos, tmp_path):
    out = tmp_path / "out"
    assert predict(str(photos / "trip1/deep/cat.jpg"), str(photos / "top.bmp"),
                   "--out", str(out)) == 0
    assert sorted(p.name for p in out.iterdir()) == ["cat.inferno.heatmap.png",
                                                     "top.inferno.heatmap.png"]


def test_two_inputs_with_one_stem_keep_their_extensions(photos, tmp_path):
    Image.open(photos / "trip1/rocket.png").save(photos / "trip1/coffee.png")  # beside coffee.jpg
    out = tmp_path / "out"
    assert predict(str(photos / "trip1"), "--out", str(out), "--format", "npy") == 0
    names = sorted(p.name for p in out.glob("*.npy"))
    assert names == ["coffee.jpg.depth.npy", "coffee.png.depth.npy", "rocket.depth.npy"]
    # Each keeps its own result: the rocket's depth, not the coffee's, under coffee.png.
    np.testing.assert_array_equal(np.load(out / "coffee.png.depth.npy"),
                                  np.load(out / "rocket.depth.npy"))
    assert not np.array_equal(np.load(out / "coffee.jpg.depth.npy"),
                              np.load(out / "coffee.png.depth.npy"))


def test_the_same_relative_path_from_two_folders_is_a_named_conflict(tmp_path, capsys,
                                                                    fastdepth):
    first = write_photo_tree(tmp_path / "a")
    second = write_photo_tree(tmp_path / "b")
    (second / BROKEN).unlink()
    Image.open(first / "trip1/rocket.png").save(second / "top.bmp")  # a different photo
    out = tmp_path / "out"
    assert predict(str(first), str(second), "--out", str(out), "--format", "npy",
                   "--engine", fastdepth.engine_name) == 1  # the fixture's arithmetic
    err = capsys.readouterr().err
    assert f"{second / 'top.bmp'}: its outputs would have the same names as those of " \
           f"{first / 'top.bmp'}" in err
    # The first folder's outputs are written and not overwritten by the second's.
    assert len(list(out.rglob("*.npy"))) == len(GOOD)
    np.testing.assert_array_equal(np.load(out / "top.depth.npy"),
                                  fastdepth.predict(load_image(first / "top.bmp")))


def test_an_output_folder_inside_the_input_is_not_read_back_as_photos(photos, predict_calls):
    out = photos / "depth"
    assert predict(str(photos), "--out", str(out)) == 1  # the broken file
    assert predict(str(photos), "--out", str(out)) == 1
    assert len(predict_calls) == len(GOOD)  # second run: only the broken file is retried
    assert not (out / "depth").exists()


def test_a_rerun_skips_finished_work_and_overwrite_redoes_it(photos, tmp_path, capsys,
                                                             predict_calls):
    (photos / BROKEN).unlink()
    out = tmp_path / "out"
    assert predict(str(photos), "--out", str(out), "--format", "heatmap", "depth16") == 0
    assert len(predict_calls) == len(GOOD)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.png")}

    capsys.readouterr()
    assert predict(str(photos), "--out", str(out), "--format", "heatmap", "depth16") == 0
    assert len(predict_calls) == len(GOOD)  # no new predictions
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.png")} == stamps
    assert f"0 written, {len(GOOD)} skipped (already done), 0 failed" in capsys.readouterr().out

    # A missing output (here one deleted, or a new format) is the only work left.
    (out / "trip1/rocket.depth16.png").unlink()
    assert predict(str(photos), "--out", str(out), "--format", "heatmap", "depth16") == 0
    assert len(predict_calls) == len(GOOD) + 1
    heatmap = out / "trip1/rocket.inferno.heatmap.png"
    assert heatmap.stat().st_mtime_ns == stamps[heatmap]

    assert predict(str(photos), "--out", str(out), "--overwrite") == 0
    assert len(predict_calls) == 2 * len(GOOD) + 1


def test_an_interrupted_run_leaves_no_partial_file_and_resumes(photos, tmp_path, monkeypatch,
                                                               capsys):
    (photos / BROKEN).unlink()
    out = tmp_path / "out"
    original = DepthModel.predict
    calls = []

    def interrupted_on_the_fourth(self, image):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the batch
        return original(self, image)

    monkeypatch.setattr(DepthModel, "predict", interrupted_on_the_fourth)
    assert predict(str(photos), "--out", str(out), "--format", "heatmap", "npy") == INTERRUPTED
    assert "run the same command again to resume" in capsys.readouterr().err.lower()
    files = [p for p in out.rglob("*") if p.is_file()]
    assert not [p for p in files if p.name.endswith(".part")]
    # Photos before the fourth are done; in throughput mode one more may have been in flight
    # (batch.run.run_items) and is then finished too: every image has both files or none.
    done = len(files) // 2
    assert len(files) % 2 == 0 and 3 <= done <= 4

    calls.clear()
    assert predict(str(photos), "--out", str(out), "--format", "heatmap", "npy") == 0
    assert len(calls) == len(GOOD) - done
    assert len(list(out.rglob("*.depth.npy"))) == len(GOOD)


def test_no_images_is_an_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert predict(str(tmp_path / "empty"), "--out", str(tmp_path / "out")) == 2
    assert "no image files found" in capsys.readouterr().err


def test_outputs_get_ordinary_file_modes_not_private_temporary_ones(photos, tmp_path):
    (photos / BROKEN).unlink()
    umask = os.umask(0o022)
    try:
        assert predict(str(photos / "top.bmp"), "--out", str(tmp_path / "out")) == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "out/top.inferno.heatmap.png").stat().st_mode) == 0o644
