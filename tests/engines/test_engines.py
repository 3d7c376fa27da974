"""The OpenVINO engine: parity with the reference engines, dynamic shapes, its on-disk cache,
the bf16 decision, engine="auto", thread safety, and no telemetry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from midas_seeded import REFERENCE

import depthviz
from depthviz.engines import openvino_cache, openvino_engine
from depthviz.engines.base import installed_engines
from depthviz.engines.policy import EngineFacts, EngineRequest, choose_engine
from depthviz.engines.precision import MIN_PEARSON, choose_precision
from depthviz.models import available_models, get_card
from depthviz.models.status import model_status

openvino = openvino_engine.import_openvino()


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


@pytest.fixture(scope="module")
def fastdepth_weights() -> Path:
    return depthviz.fetch_weights("fastdepth")  # before the model home moves (below)


@pytest.fixture(scope="module")
def model_home(tmp_path_factory, fastdepth_weights):
    """A fresh model home for this module, so the first load really converts and checks."""
    home = tmp_path_factory.mktemp("depthviz_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEPTHVIZ_HOME", str(home))
        yield home


@pytest.fixture(scope="module")
def midas_openvino(model_home, seeded_midas_weights):
    return depthviz.load_model("midas_small", weights=seeded_midas_weights, engine="openvino")


@pytest.fixture(scope="module")
def fastdepth_openvino(model_home, fastdepth_weights):
    return depthviz.load_model("fastdepth", weights=fastdepth_weights, engine="openvino")


def photos_of_three_shapes():
    from skimage import data

    return [data.coffee(), data.rocket()[:, 170:490], data.chelsea()[:, 60:360]]


# --- parity ----------------------------------------------------------------------------------

def test_openvino_reproduces_the_official_midas_output(midas_openvino, reference_input):
    expected = np.load(REFERENCE / "expected_depth.npy")
    depth = midas_openvino.predict(reference_input)
    assert midas_openvino.engine_name == "openvino" and depth.shape == expected.shape
    assert np.abs(depth - expected).max() < 1e-3 * np.ptp(expected)
    assert pearson(depth, expected) > 0.99999


def test_openvino_matches_torch_on_real_photos(midas_openvino, midas_torch, motorcycle):
    for rgb in [*photos_of_three_shapes(), motorcycle[0]]:
        ours, reference = midas_openvino.predict(rgb), midas_torch.predict(rgb)
        assert np.abs(ours - reference).max() < 1e-3 * np.ptp(reference)
        assert pearson(ours, reference) > 0.99999


def test_fastdepth_on_openvino_matches_onnxruntime(fastdepth_openvino, fastdepth_weights,
                                                   motorcycle):
    reference = depthviz.load_model("fastdepth", weights=fastdepth_weights, engine="onnxruntime")
    for rgb in [*photos_of_three_shapes(), motorcycle[0]]:
        ours, expected = fastdepth_openvino.predict(rgb), reference.predict(rgb)
        assert pearson(ours, expected) > 0.99999
        assert np.abs(ours - expected).max() < 1e-3 * np.ptp(expected)


# --- shapes (threads: tests/models/test_robustness.py runs every engine from 8 at once) ---------

def test_new_aspect_ratios_reuse_the_compiled_model(midas_openvino, monkeypatch):
    compiled = midas_openvino.engine.compiled
    compiles = []
    original = openvino.Core.compile_model
    monkeypatch.setattr(openvino.Core, "compile_model",
                        lambda *args, **kwargs: compiles.append(args) or original(*args, **kwargs))
    family, card = midas_openvino.family, midas_openvino.card
    photos = photos_of_three_shapes()
    assert len({family.network_size(card, *rgb.shape[:2]) for rgb in photos}) == 3
    for rgb in photos:
        depth = midas_openvino.predict(rgb)
        assert depth.shape == rgb.shape[:2] and np.isfinite(depth).all()
    assert compiles == [] and midas_openvino.engine.compiled is compiled


# --- cache -----------------------------------------------------------------------------------

def count_conversions(monkeypatch) -> list:
    calls = []
    original = openvino.convert_model
    monkeypatch.setattr(openvino, "convert_model",
                        lambda *args, **kwargs: calls.append(args) or original(*args, **kwargs))
    return calls


def test_second_load_reads_the_cache_instead_of_converting(tmp_path, monkeypatch,
                                                           fastdepth_weights):
    monkeypatch.setenv("DEPTHVIZ_HOME", str(tmp_path))
    conversions = count_conversions(monkeypatch)
    first = depthviz.load_model("fastdepth", weights=fastdepth_weights, engine="openvino")
    assert len(conversions) == 1
    cached = list((tmp_path / "openvino").glob("fastdepth-*/"))
    assert len(cached) == 1
    assert {path.name for path in cached[0].iterdir()} == {"model.xml", "model.bin", "verdict.json"}
    second = depthviz.load_model("fastdepth", weights=fastdepth_weights, engine="openvino")
    assert len(conversions) == 1
    rgb = photos_of_three_shapes()[0]
    np.testing.assert_array_equal(first.predict(rgb), second.predict(rgb))


def test_a_read_only_model_home_is_not_written_to(tmp_path, monkeypatch, fastdepth_weights):
    """Converted and checked in memory instead (even as root, who could write there)."""
    monkeypatch.setenv("DEPTHVIZ_HOME", str(tmp_path))
    conversions = count_conversions(monkeypatch)
    tmp_path.chmod(0o555)
    try:
        for _ in range(2):
            model = depthviz.load_model("fastdepth", weights=fastdepth_weights, engine="openvino")
        assert list(tmp_path.iterdir()) == [] and len(conversions) == 2
        assert model.predict(photos_of_three_shapes()[0]).shape == (400, 600)
    finally:
        tmp_path.chmod(0o755)


def test_changed_weights_get_their_own_cache_entry(tmp_path, monkeypatch, fastdepth_weights):
    monkeypatch.setenv("DEPTHVIZ_HOME", str(tmp_path))
    copy = tmp_path / "copy" / "fastdepth_7.onnx"
    copy.parent.mkdir()
    copy.write_bytes(fastdepth_weights.read_bytes())
    name = get_card("fastdepth").name
    assert (openvino_cache.cache_dir(name, copy)
            == openvino_cache.cache_dir(name, fastdepth_weights))  # same bytes, same key
    copy.write_bytes(fastdepth_weights.read_bytes() + b"\0")
    assert (openvino_cache.cache_dir(name, copy)
            != openvino_cache.cache_dir(name, fastdepth_weights))


def test_only_the_most_recently_used_conversions_are_kept(tmp_path):
    for age, name in enumerate(["midas_small-d", "midas_small-c", "midas_small-b",
                                "midas_small-a", "fastdepth-a"]):
        (tmp_path / name).mkdir()
        os.utime(tmp_path / name, (1e9 - age, 1e9 - age))  # "midas_small-a" is the oldest
    openvino_cache.forget_old_conversions(tmp_path / "midas_small-d", keep=3)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "fastdepth-a", "midas_small-b", "midas_small-c", "midas_small-d"]


def run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)


def test_cached_model_runs_without_torch(midas_openvino, model_home, seeded_midas_weights):
    result = run_python(f"""
        import sys
        import numpy as np
        import depthviz
        model = depthviz.load_model("midas_small", weights={str(seeded_midas_weights)!r},
                                    engine="openvino")
        depth = model.predict(np.full((90, 120, 3), 128, np.uint8))
        assert depth.shape == (90, 120), depth.shape
        assert "torch" not in sys.modules, "torch was imported"
        """, {"DEPTHVIZ_HOME": str(model_home)})
    assert result.returncode == 0, result.stderr[-2000:]


def test_openvino_sends_no_telemetry(tmp_path, fastdepth_weights):
    """OpenVINO's converter reports to Google Analytics by default and keeps an ID file in
    ~/intel; with depthviz it must use its no-op stub and write nothing there."""
    result = run_python(f"""
        import depthviz
        depthviz.load_model("fastdepth", weights={str(fastdepth_weights)!r}, engine="openvino")
        from openvino.tools.ovc import telemetry_utils
        print(telemetry_utils.tm.__name__)
        """, {"HOME": str(tmp_path), "DEPTHVIZ_HOME": str(tmp_path / "models")})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == "openvino.tools.ovc.telemetry_stub"
    assert (tmp_path / "models" / "openvino").is_dir()  # it did convert
    assert not (tmp_path / "intel").exists()


# --- bf16, auto ------------------------------------------------------------------------------

@pytest.mark.parametrize("scores, expected", [
    ({"f32": 1.0, "bf16": MIN_PEARSON + 1e-4}, "bf16"),
    ({"f32": 1.0, "bf16": MIN_PEARSON - 1e-4}, "f32"),
    ({"f32": 1.0}, "f32"),  # no native bf16: not tried
    ({"f32": 0.5, "bf16": 0.4}, None),
])
def test_bf16_only_when_it_keeps_pearson_above_the_bar(scores, expected):
    assert choose_precision(scores) == expected


def auto_choice(name, verdict):
    """What engine="auto" picks for `name` given this stored verdict (engines/policy.py)."""
    return choose_engine(get_card(name), EngineRequest(),
                         EngineFacts(installed_engines(), verdict=verdict))


def test_checked_precision_is_what_the_engine_runs(midas_openvino, model_home,
                                                   seeded_midas_weights):
    stored = openvino_cache.cached_verdict("midas_small", seeded_midas_weights)
    assert stored is not None and stored.cpu == openvino_engine.cpu_name()
    assert ("bf16" in stored.pearson) == openvino_engine.supports_bf16()
    assert stored.precision == choose_precision(stored.pearson)
    assert stored.pearson["f32"] > 0.99999  # f32 is the same network, up to rounding
    assert midas_openvino.engine.precision == "f32"  # a named engine runs f32 unless asked
    auto = depthviz.load_model("midas_small", weights=seeded_midas_weights, engine="openvino",
                               precision="auto")
    running = auto.engine.compiled.get_property("INFERENCE_PRECISION_HINT")
    assert running.get_type_name() == stored.precision
    assert set(stored.latency_ms) == {"reference", *stored.pearson}


def test_auto_loads_what_the_verdict_says_and_models_list_reports_it(
        midas_openvino, model_home, seeded_midas_weights, fastdepth_weights):
    card = get_card("midas_small")
    stored = openvino_cache.cached_verdict(card.name, seeded_midas_weights)
    auto = depthviz.load_model("midas_small", weights=seeded_midas_weights)
    assert auto.engine_name == auto_choice(card.name, stored).engine
    listed = model_status(card, seeded_midas_weights, installed_engines()).auto
    assert listed == auto_choice(card.name, stored)
    # In a model home holding the FastDepth weights, available_models() reports its verdict.
    (model_home / "fastdepth_7.onnx").write_bytes(fastdepth_weights.read_bytes())
    depthviz.load_model("fastdepth")
    status = {entry.card.name: entry for entry in available_models()}
    fastdepth_verdict = openvino_cache.cached_verdict("fastdepth", model_home / "fastdepth_7.onnx")
    assert status["fastdepth"].auto.engine == auto_choice("fastdepth", fastdepth_verdict).engine
    assert status["fastdepth"].auto.reason == auto_choice("fastdepth", fastdepth_verdict).reason
    assert "first load" in status["midas_small"].auto.reason  # no weights here: not checked


def test_verdict_file_is_plain_json(midas_openvino, model_home, seeded_midas_weights):
    folder = openvino_cache.cache_dir("midas_small", seeded_midas_weights)
    data = json.loads((folder / "verdict.json").read_text())
    assert data["reference"] == "torch" and data["precision"] in ("f32", "bf16")
