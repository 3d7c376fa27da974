"""`depthviz predict` / `models` end to end on a real photo, as a user runs them."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from PIL import Image

from depthviz.cli import main


def test_predict_writes_an_upright_full_size_heatmap(tmp_path, motorcycle):
    left, _ = motorcycle
    Image.fromarray(left).save(tmp_path / "garage.jpg", quality=95)
    status = main(["predict", str(tmp_path / "garage.jpg"), "--out", str(tmp_path / "out"),
                   "--model", "fastdepth", "--format", "heatmap", "depth16", "npy"])
    assert status == 0
    heat = np.asarray(Image.open(tmp_path / "out" / "garage.inferno.heatmap.png").convert("RGB"))
    assert heat.shape == left.shape
    # The floor in the bottom rows is nearest: warm (bright) inferno there, dark at the top.
    brightness = heat.astype(float).mean(axis=2)
    assert brightness[-60:].mean() > brightness[:60].mean() + 60
    depth16 = np.asarray(Image.open(tmp_path / "out" / "garage.depth16.png"))
    assert depth16.shape == left.shape[:2] and depth16.dtype == np.uint16
    depth = np.load(tmp_path / "out" / "garage.depth.npy")
    assert depth.dtype == np.float32 and depth.shape == left.shape[:2]


def test_models_lists_each_model_with_its_weights_status(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "midas_small" in out and "fastdepth" in out
    assert "fastdepth_7.onnx" in out  # the fetched file's path


def test_python_dash_m_runs_the_same_command():
    result = subprocess.run([sys.executable, "-m", "depthviz", "predict", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "--cmap" in result.stdout


def test_a_bad_colormap_fails_before_any_work(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.png")
    assert main(["predict", str(tmp_path / "a.png"), "--out", str(tmp_path / "o"),
                 "--model", "fastdepth", "--cmap", "nope"]) == 2
    assert not (tmp_path / "o").exists()
