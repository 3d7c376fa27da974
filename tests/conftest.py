"""Shared fixtures: real photos, the offline FastDepth model, seeded MiDaS weights."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from midas_seeded import REFERENCE, write_seeded_checkpoint
from PIL import Image

import depthviz

#: The app tests' fixtures (model_home, with_midas, predictions, downloads).
pytest_plugins = ["app_helpers"]


@pytest.fixture(scope="session", autouse=True)
def private_model_home(tmp_path_factory) -> Path:
    """Tests never write into the user's model home: they get their own, holding a copy of the
    FastDepth weights that `make test` fetched (OpenVINO conversions of test weights land here)."""
    fetched = depthviz.fetch_weights("fastdepth")
    home = tmp_path_factory.mktemp("depthviz-home")
    for path in (fetched, fetched.with_name(fetched.name + ".sha256")):
        if path.exists():
            shutil.copyfile(path, home / path.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEPTHVIZ_HOME", str(home))
        yield home


@pytest.fixture(scope="session")
def seeded_midas_weights(tmp_path_factory) -> Path:
    """A checkpoint file in the official format, with the reference's seeded values."""
    return write_seeded_checkpoint(tmp_path_factory.mktemp("midas") / "midas_v21_small_256.pt")


@pytest.fixture(scope="session")
def midas_torch(seeded_midas_weights):
    return depthviz.load_model("midas_small", weights=seeded_midas_weights, engine="torch")


@pytest.fixture(scope="session")
def fastdepth():
    """The real pretrained offline model (fetched into the model home by `make test`), on its
    reference engine: exact f32 whatever verdicts earlier tests left in the model home."""
    return depthviz.load_model("fastdepth", engine="onnxruntime")


@pytest.fixture(scope="session")
def reference_input() -> np.ndarray:
    return np.asarray(Image.open(REFERENCE / "input.png").convert("RGB"))


@pytest.fixture(scope="session")
def motorcycle():
    """(left view RGB, true disparity) from scikit-image: a real photo with ground truth."""
    from skimage import data

    left, _right, disparity = data.stereo_motorcycle()
    return left, disparity


@pytest.fixture(scope="session")
def coffee() -> np.ndarray:
    from skimage import data

    return data.coffee()
