"""MiDaS v2.1 small: the official checkpoint layout, the parity vector, the resize policy."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from midas_seeded import REFERENCE, official_keys, seeded_state_dict

import depthviz
from depthviz.io.resize import fit_to_multiple
from depthviz.models.midas import MIDAS_SMALL, Midas
from depthviz.models.midas_net import MidasNetSmall, load_midas_small


def test_state_dict_has_exactly_the_official_names_shapes_and_order():
    ours = [(name, tuple(tensor.shape)) for name, tensor in MidasNetSmall().state_dict().items()]
    assert ours == official_keys()


def test_strict_loading_rejects_a_checkpoint_with_a_missing_tensor(tmp_path):
    state = seeded_state_dict()
    del state["scratch.output_conv.4.bias"]
    torch.save(state, tmp_path / "broken.pt")
    with pytest.raises(RuntimeError, match="output_conv.4.bias"):
        load_midas_small(str(tmp_path / "broken.pt"))


def test_parity_with_the_official_recipe(midas_torch, reference_input):
    expected = np.load(REFERENCE / "expected_depth.npy")
    depth = midas_torch.predict(reference_input)
    assert depth.dtype == np.float32 and depth.shape == expected.shape == reference_input.shape[:2]
    pearson = np.corrcoef(depth.ravel(), expected.ravel())[0, 1]
    max_diff = np.abs(depth - expected).max() / (expected.max() - expected.min())
    assert pearson > 0.99999
    assert max_diff < 1e-3


def test_network_input_is_fitted_normalised_nchw(reference_input):
    batch = Midas().preprocess(MIDAS_SMALL, reference_input)
    assert batch.shape == (1, 3, 192, 256) and batch.dtype == np.float32
    # ImageNet normalisation: a mid-grey photo maps to (0.5 - mean) / std in every pixel.
    grey = Midas().preprocess(MIDAS_SMALL, np.full((100, 100, 3), 255 // 2 + 1, np.uint8))
    expected = (128 / 255 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(grey[0, :, 5, 5], expected, rtol=1e-5)


@pytest.mark.parametrize("height, width, expected", [
    (237, 311, (192, 256)),    # the parity vector's input
    (3000, 4000, (192, 256)),  # 4:3 photo
    (4000, 3000, (256, 192)),  # portrait
    (330, 400, (224, 256)),    # 211.2 rounds to 224 in the official code (not down to 192)
    (500, 500, (256, 256)),
    (6, 4000, (32, 256)),      # sliver: never a zero-sized side
])
def test_fit_to_multiple_follows_the_official_constrain_to_multiple_of(height, width, expected):
    assert fit_to_multiple(height, width, 256, 32) == expected


def test_weights_are_found_in_the_model_home(tmp_path, monkeypatch, seeded_midas_weights):
    monkeypatch.setenv("DEPTHVIZ_HOME", str(tmp_path))
    (tmp_path / "midas_v21_small_256.pt").write_bytes(seeded_midas_weights.read_bytes())
    model = depthviz.load_model("midas_small", engine="torch", download=False)
    assert model.weights_path == tmp_path / "midas_v21_small_256.pt"
    status = {s.card.name: s for s in depthviz.available_models()}["midas_small"]
    assert status.weights_present and status.weights_path == model.weights_path


def test_weights_are_found_where_torch_hub_put_them(tmp_path, monkeypatch, seeded_midas_weights):
    monkeypatch.setenv("DEPTHVIZ_HOME", str(tmp_path / "empty-home"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    checkpoints = tmp_path / "torch" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    (checkpoints / "midas_v21_small_256.pt").write_bytes(seeded_midas_weights.read_bytes())
    assert torch.hub.get_dir() == str(tmp_path / "torch" / "hub")  # same rule as torch's
    model = depthviz.load_model("midas_small", engine="torch", download=False)
    assert model.weights_path == checkpoints / "midas_v21_small_256.pt"


def test_offline_and_missing_weights_say_what_file_and_where(tmp_path, monkeypatch):
    import urllib.error
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setenv("DEPTHVIZ_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(depthviz.WeightsUnavailable) as caught:
        depthviz.load_model("midas_small")
    message = str(caught.value)
    assert "midas_v21_small_256.pt" in message and str(tmp_path / "home") in message
    assert not any((tmp_path / "home").glob("*.pt")), "no partial file may be left behind"
