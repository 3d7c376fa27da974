"""Depth Anything V2: checkpoint layout, parity with the official code, metric units, licences,
input size, weights lookup and the OpenVINO engine (seeded weights; see depth_anything_seeded)."""

from __future__ import annotations

import io
import logging
import urllib.error
import urllib.request

import numpy as np
import pytest
import torch
from depth_anything_seeded import (
    REFERENCE,
    official_keys,
    seeded_state_dict,
    write_seeded_checkpoint,
)
from PIL import Image

import depthviz
from depthviz.io.resize import lower_bound_to_multiple, resize_depth_aligned
from depthviz.models import REGISTRY, get_card
from depthviz.models.depth_anything_v2_net import ENCODERS, DepthAnythingV2Net
from depthviz.models.depth_model import DepthModel
from depthviz.outputs.export import depth16_png, depth_npy

RELATIVE = "depth_anything_v2_small"
METRIC = "depth_anything_v2_metric_indoor_small"


@pytest.fixture(scope="module")
def seeded_weights(tmp_path_factory):
    """The seeded checkpoint; relative and metric Small share keys and shapes (and seeds)."""
    return write_seeded_checkpoint(tmp_path_factory.mktemp("da2") / "depth_anything_v2_vits.pth")


@pytest.fixture(scope="module")
def relative_model(seeded_weights):
    return depthviz.load_model(RELATIVE, weights=seeded_weights, engine="torch")


@pytest.fixture(scope="module")
def metric_model(seeded_weights):
    return depthviz.load_model(METRIC, weights=seeded_weights, engine="torch")


def agreement(depth: np.ndarray, expected: np.ndarray) -> tuple[float, float]:
    """(Pearson, max abs difference as a fraction of the expected range)."""
    pearson = float(np.corrcoef(depth.ravel(), expected.ravel())[0, 1])
    return pearson, float(np.abs(depth - expected).max() / (expected.max() - expected.min()))


def test_state_dict_has_exactly_the_official_names_shapes_and_order():
    state = DepthAnythingV2Net("vits").state_dict()
    assert [(name, tuple(tensor.shape)) for name, tensor in state.items()] == official_keys()
    assert sum(tensor.numel() for tensor in state.values()) == 24_785_089


def test_strict_loading_rejects_a_checkpoint_with_a_missing_tensor(tmp_path):
    state = seeded_state_dict()
    del state["depth_head.scratch.refinenet2.resConfUnit1.conv2.bias"]
    torch.save(state, tmp_path / "broken.pth")
    with pytest.raises(depthviz.WeightsUnavailable, match="refinenet2.resConfUnit1.conv2.bias"):
        depthviz.load_model(RELATIVE, weights=tmp_path / "broken.pth", engine="torch")


@pytest.mark.parametrize("encoder, tensors, parameters, taps", [
    ("vitb", 239, 97_470_785, (2, 5, 8, 11)),
    ("vitl", 407, 335_315_649, (4, 11, 17, 23)),
])
def test_base_and_large_have_the_official_shapes(encoder, tensors, parameters, taps):
    with torch.device("meta"):  # shapes only: no memory, no weights
        state = DepthAnythingV2Net(encoder).state_dict()
    config = ENCODERS[encoder]
    dim = state["pretrained.cls_token"].shape[-1]
    assert len(state) == tensors and config.taps == taps
    assert sum(tensor.numel() for tensor in state.values()) == parameters
    assert state["pretrained.pos_embed"].shape == (1, 37 * 37 + 1, dim)
    assert state["pretrained.mask_token"].shape == (1, dim)
    assert f"pretrained.blocks.{taps[-1]}.ls2.gamma" in state
    assert f"pretrained.blocks.{taps[-1] + 1}.norm1.weight" not in state
    for index, channels in enumerate(config.out_channels):
        assert state[f"depth_head.projects.{index}.weight"].shape == (channels, dim, 1, 1)
        assert state[f"depth_head.scratch.layer{index + 1}_rn.weight"].shape == (
            config.features, channels, 3, 3)
    assert state["depth_head.scratch.output_conv2.0.weight"].shape == (
        32, config.features // 2, 3, 3)


def test_relative_parity_with_the_official_recipe(relative_model, reference_input_da2):
    expected = np.load(REFERENCE / "expected_depth.npy")
    depth = relative_model.predict(reference_input_da2)
    assert depth.dtype == np.float32 and depth.shape == expected.shape == (213, 320)
    pearson, max_diff = agreement(depth, expected)
    assert pearson > 0.99999 and max_diff < 1e-3


def test_metric_parity_with_the_official_recipe(metric_model, reference_input_da2):
    expected = np.load(REFERENCE / "expected_depth_metric_hypersim.npy")  # metres
    metres = metric_model.predict_metres(reference_input_da2)
    assert metres.dtype == np.float32 and metres.shape == expected.shape
    pearson, max_diff = agreement(metres, expected)
    assert pearson > 0.99999 and max_diff < 1e-3


@pytest.fixture(scope="module")
def reference_input_da2() -> np.ndarray:
    return np.asarray(Image.open(REFERENCE / "input.png").convert("RGB"))


@pytest.fixture(scope="module")
def small_metric_model(seeded_weights):
    """The metric model at a small input size: the unit relations do not depend on it."""
    return depthviz.load_model(METRIC, weights=seeded_weights, engine="torch", input_size=126)


def test_metric_predict_is_inverse_metres(small_metric_model, coffee):
    assert small_metric_model.metric and small_metric_model.input_size == 126
    metres = small_metric_model.predict_metres(coffee)
    inverse = small_metric_model.predict(coffee)
    assert metres.shape == inverse.shape == coffee.shape[:2] and metres.dtype == np.float32
    assert 0 < metres.min() and metres.max() < 20  # Hypersim's max_depth
    np.testing.assert_allclose(1.0 / inverse, metres, rtol=1e-5)


def test_metric_exports_hold_millimetres_and_metres(small_metric_model, coffee):
    inverse = small_metric_model.predict(coffee)
    metres = small_metric_model.predict_metres(coffee)
    millimetres = np.asarray(Image.open(io.BytesIO(depth16_png(inverse, metric=True))))
    assert millimetres.dtype == np.uint16
    np.testing.assert_array_less(np.abs(millimetres / 1000.0 - metres), 0.0005 + 1e-6)
    np.testing.assert_allclose(np.load(io.BytesIO(depth_npy(inverse, metric=True))), metres,
                               rtol=1e-6)


def test_metric_png_marks_missing_and_out_of_range_depth_as_zero():
    inverse_metres = np.array([[0.5, 0.0, np.nan, 1 / 70.0]], dtype=np.float32)  # 2 m, inf, ?, 70 m
    millimetres = np.asarray(Image.open(io.BytesIO(depth16_png(inverse_metres, metric=True))))
    assert millimetres.tolist() == [[2000, 0, 0, 0]]


def test_relative_models_refuse_metres(relative_model, coffee):
    assert not relative_model.metric
    with pytest.raises(depthviz.DepthvizError, match="relative depth"):
        relative_model.predict_metres(coffee)


def test_input_size_sets_the_network_input(reference_input_da2):
    official, family = REGISTRY[RELATIVE]
    assert family.preprocess(official, reference_input_da2).shape == (1, 3, 518, 784)
    assert family.preprocess(official.with_input_size(308), reference_input_da2).shape == (
        1, 3, 308, 462)
    assert get_card(RELATIVE).input_size == 518  # the registered card is left as it was


def test_input_size_changes_the_loaded_models_output(seeded_weights, coffee):
    coarse = depthviz.load_model(RELATIVE, weights=seeded_weights, engine="torch", input_size=70)
    # 600 * 70 / 400 = 105 = 7.5 patches: numpy rounds half to even, 8 patches = 112 px
    assert coarse.input_size == 70
    assert coarse.family.preprocess(coarse.card, coffee).shape == (1, 3, 70, 112)
    fine = DepthModel(coarse.card.with_input_size(140), coarse.family, coarse.engine,
                      seeded_weights)
    a, b = coarse.predict(coffee), fine.predict(coffee)
    assert a.shape == b.shape == coffee.shape[:2] and not np.allclose(a, b)


@pytest.mark.parametrize("name, size", [
    (RELATIVE, 500), (RELATIVE, 0), (RELATIVE, -14), (RELATIVE, 14.0), ("midas_small", 300),
    ("fastdepth", 256),
])
def test_bad_input_sizes_are_refused_before_loading(name, size, tmp_path):
    with pytest.raises(depthviz.DepthvizError, match="input"):
        depthviz.load_model(name, weights=tmp_path / "never-read.pth", input_size=size)


def test_midas_input_size_takes_multiples_of_32(reference_input):
    card, family = REGISTRY["midas_small"]
    assert family.preprocess(card.with_input_size(384), reference_input).shape == (
        1, 3, 288, 384)


@pytest.mark.parametrize("height, width, expected", [
    (213, 320, (518, 784)),    # the parity vector's input
    (518, 539, (518, 532)),    # 539 / 14 = 38.5 rounds half to even: 38, not 39
    (400, 600, (518, 784)),
    (3000, 4000, (518, 686)),
    (4000, 3000, (686, 518)),
    (10, 4000, (518, 207200)),  # lower bound: the short side is never below input_size
])
def test_lower_bound_resize_follows_the_official_transform(height, width, expected):
    assert lower_bound_to_multiple(height, width, 518, 14) == expected


def test_aligned_resize_matches_torch_bilinear_align_corners():
    depth = np.random.default_rng(1).random((37, 56), dtype=np.float32)
    for size in ((213, 320), (20, 90), (37, 56)):
        expected = torch.nn.functional.interpolate(
            torch.from_numpy(depth)[None, None], size, mode="bilinear", align_corners=True)[0, 0]
        np.testing.assert_allclose(resize_depth_aligned(depth, size), expected.numpy(), atol=1e-6)


def test_registry_has_the_nine_models_with_their_licences():
    names = [name for name in REGISTRY if name.startswith("depth_anything_v2")]
    assert sorted(names) == sorted(
        f"depth_anything_v2_{task}{size}" for task in ("", "metric_indoor_", "metric_outdoor_")
        for size in ("small", "base", "large"))
    for name in names:
        card = get_card(name)
        small = name.endswith("small")
        assert card.non_commercial is not small
        assert card.licence == ("Apache-2.0" if small else "CC-BY-NC-4.0")
        assert card.metric is ("metric" in name)
        assert card.weights.url.startswith("https://huggingface.co/depth-anything/")
        assert card.weights.url.split("/")[-1].split("?")[0] == card.weights.filename
    assert get_card("depth_anything_v2_metric_outdoor_base").weights.filename == (
        "depth_anything_v2_metric_vkitti_vitb.pth")
    assert get_card("depth_anything_v2_metric_outdoor_small").max_depth_m == 80
    assert get_card("depth_anything_v2_metric_indoor_large").max_depth_m == 20
    assert not get_card(depthviz.models.DEFAULT_MODEL).non_commercial


def test_loading_a_non_commercial_model_logs_its_licence(tmp_path, caplog):
    (tmp_path / "not-weights.pth").write_bytes(b"not a checkpoint")
    with caplog.at_level(logging.WARNING, logger="depthviz"):
        with pytest.raises(depthviz.WeightsUnavailable):  # the notice comes before any loading
            depthviz.load_model("depth_anything_v2_base", weights=tmp_path / "not-weights.pth",
                                engine="torch")
    assert "CC-BY-NC-4.0" in caplog.text and "non-commercial" in caplog.text


def test_loading_an_apache_model_logs_no_licence_notice(relative_model, seeded_weights, caplog):
    with caplog.at_level(logging.WARNING, logger="depthviz"):
        depthviz.load_model(RELATIVE, weights=seeded_weights, engine="torch", input_size=14)
    assert "non-commercial" not in caplog.text


def test_offline_and_missing_weights_say_what_file_and_where(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setenv("DEPTHVIZ_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(depthviz.WeightsUnavailable) as caught:
        depthviz.fetch_weights("depth_anything_v2_metric_outdoor_large")
    message = str(caught.value)
    assert "depth_anything_v2_metric_vkitti_vitl.pth" in message
    assert str(tmp_path / "home") in message
    assert not any((tmp_path / "home").glob("*.pth")), "no partial file may be left behind"


def test_weights_are_found_in_the_model_home(tmp_path, monkeypatch, seeded_weights):
    monkeypatch.setenv("DEPTHVIZ_HOME", str(tmp_path))
    target = tmp_path / "depth_anything_v2_metric_hypersim_vits.pth"
    target.write_bytes(seeded_weights.read_bytes())
    model = depthviz.load_model(METRIC, engine="torch", download=False, input_size=14)
    assert model.weights_path == target


def test_openvino_matches_torch_on_real_photos_at_any_size(seeded_weights, relative_model, coffee,
                                                            motorcycle):
    """The position-embedding resize is in the converted graph: exact for every shape (the
    conversion traced one shape, these are others, square and not)."""
    from depthviz.engines.openvino_engine import OpenVinoEngine

    card, family = REGISTRY[RELATIVE]
    engine = OpenVinoEngine(family.to_openvino(card, seeded_weights), "f32")
    photo = motorcycle[0]
    for rgb, size in ((coffee, 308), (photo, 196), (coffee[:300, :300], 126)):
        batch = family.preprocess(card.with_input_size(size), rgb)
        expected = relative_model.engine.run(batch)
        pearson, max_diff = agreement(engine.run(batch), expected)
        assert pearson > 0.99999 and max_diff < 1e-3, (rgb.shape, size)


def test_position_embedding_resize_is_dinov2s_scale_factor_resize():
    """Kept as is on the 37x37 grid; elsewhere bicubic by scale_factor (g + 0.1) / 37, which
    samples differently from a size= resize (timm's)."""
    net = DepthAnythingV2Net("vits")
    net.load_state_dict(seeded_state_dict())
    pos_embed = net.pretrained.pos_embed.detach()
    grid = pos_embed[:, 1:].reshape(1, 37, 37, -1).permute(0, 3, 1, 2)
    with torch.no_grad():
        native = net.position_embedding(torch.tensor(37), torch.tensor(37))
        torch.testing.assert_close(native, pos_embed)
        for grid_h, grid_w in ((37, 56), (22, 33), (40, 40)):
            ours = net.position_embedding(torch.tensor(grid_h), torch.tensor(grid_w))
            official = torch.nn.functional.interpolate(
                grid, scale_factor=((grid_h + 0.1) / 37, (grid_w + 0.1) / 37), mode="bicubic",
                antialias=False)
            official = official.permute(0, 2, 3, 1).reshape(1, -1, grid.shape[1])
            torch.testing.assert_close(ours[:, 1:], official, atol=1e-4, rtol=0)
            torch.testing.assert_close(ours[:, :1], pos_embed[:, :1])
            timm_style = torch.nn.functional.interpolate(
                grid, size=(grid_h, grid_w), mode="bicubic", antialias=True)
            assert not torch.allclose(ours[:, 1:], timm_style.permute(0, 2, 3, 1).reshape(
                1, -1, grid.shape[1]), atol=1e-3)


def test_cli_refuses_an_input_size_off_the_patch_grid(tmp_path, capsys):
    from depthviz.cli import main

    Image.new("RGB", (32, 24)).save(tmp_path / "a.png")
    status = main(["predict", str(tmp_path / "a.png"), "--out", str(tmp_path / "out"),
                   "--model", RELATIVE, "--input-size", "500"])
    assert status == 2
    assert "multiple of 14" in capsys.readouterr().err
    assert not (tmp_path / "out" / "a.inferno.heatmap.png").exists()


def test_cli_models_marks_non_commercial_models(capsys):
    from depthviz.cli import main

    assert main(["models"]) == 0
    listed = capsys.readouterr().out
    assert "depth_anything_v2_large  [non-commercial]" in listed
    assert "depth_anything_v2_small  [non-commercial]" not in listed
    assert "depth_anything_v2_metric_outdoor_small" in listed


@pytest.fixture(scope="module")
def tiny_model(seeded_weights):
    return depthviz.load_model(RELATIVE, weights=seeded_weights, engine="torch", input_size=28)


@pytest.mark.parametrize("rgb", [
    np.full((1, 1, 3), 127, np.uint8),
    np.full((6, 4000, 3), 90, np.uint8),   # sliver: the long side is capped, not 518 x 345,000
    np.full((4000, 6, 3), 90, np.uint8),
    np.zeros((64, 64, 3), np.uint8),
], ids=["1x1", "4000x6", "6x4000", "black"])
def test_degenerate_photos_give_finite_depth_of_the_same_size(tiny_model, rgb):
    model = tiny_model
    assert np.prod(model.family.preprocess(model.card, rgb).shape[2:]) <= 3 * 28 * 28
    depth = model.predict(rgb)
    assert depth.shape == rgb.shape[:2] and depth.dtype == np.float32 and np.isfinite(depth).all()


def test_panoramas_up_to_three_to_one_keep_the_official_size():
    card, family = REGISTRY[RELATIVE]
    assert family.network_size(card, 400, 1200) == (518, 1554)  # 3:1: official lower_bound
    assert family.network_size(card, 400, 1600) == (392, 1554)  # 4:1: long side capped at 3 x 518
