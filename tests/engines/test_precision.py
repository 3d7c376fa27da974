"""precision= and mode=: the rule that picks a reduced precision, judged by true depth, and
the engine options threaded through load_model (speed itself: bench/bench.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import depthviz
from depthviz.batch.plan import ImageJob, OutputSettings, WorkItem
from depthviz.batch.run import ModelSpec, run_item, run_items
from depthviz.engines import openvino_cache, openvino_engine
from depthviz.engines.policy import EngineFacts, EngineRequest, choose_engine
from depthviz.engines.precision import (
    MAX_SPEARMAN_LOSS,
    MIN_PEARSON,
    TruthScore,
    choose_precision,
    motorcycle,
    truth_scores,
)
from depthviz.engines.verdict import Verdict
from depthviz.models import get_card

#: The figures README "Performance" documents for FastDepth's real weights on the motorcycle.
DOCUMENTED_F32_SPEARMAN = 0.7698
DOCUMENTED_INT8_VERDICT = "fails"  # a loss <= MAX_SPEARMAN_LOSS is not shown: auto keeps f32


@pytest.fixture(scope="module")
def fastdepth_weights() -> Path:
    return depthviz.fetch_weights("fastdepth")


@pytest.fixture(scope="module")
def motorcycle_depths(fastdepth_weights):
    """FastDepth's depth of the motorcycle on OpenVINO f32 and on its reference engine."""
    left, disparity = motorcycle()
    f32 = depthviz.load_model("fastdepth", engine="openvino", precision="f32").predict(left)
    reference = depthviz.load_model("fastdepth", engine="onnxruntime").predict(left)
    return disparity, f32, reference


# --- the rule on FastDepth's real weights ----------------------------------------------------

def test_fastdepth_f32_ranks_true_depth_as_documented(motorcycle_depths):
    disparity, f32, reference = motorcycle_depths
    spearman, scores = truth_scores(disparity, f32, {"reference": reference})
    assert round(spearman, 4) == pytest.approx(DOCUMENTED_F32_SPEARMAN, abs=1e-4)
    # The same arithmetic on another engine changes nothing the bootstrap can see.
    assert abs(scores["reference"].change) < 1e-5 and scores["reference"].passes


def test_spearman_agrees_with_scipy(motorcycle_depths):
    from scipy.stats import spearmanr

    disparity, f32, _ = motorcycle_depths
    known = np.isfinite(disparity) & (disparity > 0)
    spearman, _ = truth_scores(disparity, f32, {})
    assert spearman == pytest.approx(spearmanr(disparity[known], f32[known])[0], abs=1e-9)


def test_a_real_loss_of_ranking_fails_and_noise_free_copies_pass(motorcycle_depths):
    """A blur costs FastDepth's depth ~0.004 of Spearman, and its interval reaches below
    -MAX_SPEARMAN_LOSS: not shown to be harmless, so it fails."""
    import cv2

    disparity, f32, _ = motorcycle_depths
    blurred = cv2.GaussianBlur(f32, (0, 0), 12)
    spearman, scores = truth_scores(disparity, f32, {"blurred": blurred, "same": f32.copy()})
    assert scores["same"].change == 0 and scores["same"].passes
    assert scores["blurred"].change < 0 and not scores["blurred"].passes
    assert scores["blurred"].change_low < -MAX_SPEARMAN_LOSS
    assert scores["blurred"].change_low <= scores["blurred"].change <= scores["blurred"].change_high
    assert choose_precision({"f32": 1.0, "bf16": 0.9999}, spearman, {
        "bf16": scores["blurred"]}) == "f32"  # agreement does not overrule the truth


@pytest.mark.slow
def test_fastdepth_int8_verdict_is_the_documented_one(fastdepth_weights, motorcycle_depths):
    pytest.importorskip("nncf")
    disparity, f32, _ = motorcycle_depths
    left, _ = motorcycle()
    int8 = depthviz.load_model("fastdepth", precision="int8")
    assert int8.engine_name == "openvino" and int8.engine.precision == "int8"
    spearman, scores = truth_scores(disparity, f32, {"int8": int8.predict(left)})
    verdict = "passes" if scores["int8"].passes else "fails"
    assert verdict == DOCUMENTED_INT8_VERDICT
    assert choose_precision({"f32": 1.0, "int8": 1.0}, spearman, scores) == "f32"
    # Now that int8 is built, auto weighs it too and records why it does not pick it. What it
    # picks instead is the rule's answer on this CPU: bf16 only where the CPU has it natively
    # and bf16 passed its own check, else f32.
    auto = depthviz.load_model("fastdepth")
    stored = openvino_cache.cached_verdict("fastdepth", fastdepth_weights)
    assert "int8" in stored.truth and stored.truth["int8"].passes is False
    has_bf16 = openvino_engine.supports_bf16()
    assert ("bf16" in stored.pearson) == has_bf16
    bf16_passed = has_bf16 and stored.truth["bf16"].passes
    assert stored.precision == ("bf16" if bf16_passed else "f32")
    assert stored.precision == choose_precision(stored.pearson, stored.truth_f32, stored.truth)
    if auto.engine_name == "openvino":
        assert auto.engine.precision == stored.precision


def test_hiding_bf16_removes_it_from_every_choice(fastdepth_weights, monkeypatch):
    """DEPTHVIZ_HIDE_BF16=1 makes this machine answer as a CPU without bf16 does, even with a
    stored verdict that weighed bf16 (the suite runs once so on machines that have it)."""
    monkeypatch.setenv(openvino_engine.HIDE_BF16, "1")
    assert not openvino_engine.supports_bf16()
    with pytest.raises(depthviz.EngineUnavailable, match="no native bf16"):
        depthviz.load_model("fastdepth", precision="bf16")
    auto = depthviz.load_model("fastdepth", precision="auto", engine="openvino")
    assert auto.engine.precision in ("f32", "int8")
    _, verdict = openvino_cache.prepare(auto.family.bind(auto.card), fastdepth_weights)
    assert "bf16" not in verdict.pearson and verdict.precision != "bf16"


def test_a_named_engine_runs_f32_unless_auto_precision_is_asked(fastdepth_weights):
    """engine="openvino" means its exact arithmetic: on a CPU with bf16 the plugin would
    otherwise pick bf16 by itself."""
    named = depthviz.load_model("fastdepth", engine="openvino")
    assert named.engine.precision == "f32"
    assert named.engine.compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name() == "f32"
    _, verdict = openvino_cache.prepare(named.family.bind(named.card), fastdepth_weights)
    asked = depthviz.load_model("fastdepth", engine="openvino", precision="auto")
    assert asked.engine.precision == (verdict.precision or "f32")


def auto_choice(verdict):
    """What engine="auto" picks for FastDepth given this verdict (engines/policy.py)."""
    return choose_engine(get_card("fastdepth"), EngineRequest(),
                         EngineFacts(frozenset({"openvino", "onnxruntime"}), verdict=verdict))


def test_a_stored_verdict_is_restricted_to_what_may_run_now():
    verdict = Verdict(
        cpu="cpu", reference="onnxruntime", pearson={"f32": 1.0, "bf16": 0.9995},
        latency_ms={"reference": 6.0, "f32": 5.6, "bf16": 3.7}, precision="bf16")
    assert verdict.restricted_to(("f32", "bf16")) is verdict
    without = verdict.restricted_to(("f32",))
    assert without.precision == "f32" and set(without.pearson) == {"f32"}
    assert "bf16" not in without.latency_ms and auto_choice(without).engine == "openvino"


# --- the rule itself -------------------------------------------------------------------------

def passing(change: float = 0.0) -> TruthScore:
    return TruthScore(0.77 + change, change, change - 0.001, change + 0.001)


@pytest.mark.parametrize(("pearson", "truth_f32", "truth", "expected"), [
    # Judged by the truth (f32 ranks it at >= 0.5): agreement with f32 does not matter.
    ({"f32": 1.0, "bf16": 0.993}, 0.77, {"bf16": passing()}, "bf16"),
    ({"f32": 1.0, "bf16": 0.9999}, 0.77, {"bf16": passing(-0.01)}, "f32"),
    ({"f32": 1.0, "int8": 0.98, "bf16": 0.99}, 0.77,
     {"int8": passing(), "bf16": passing()}, "int8"),  # the faster one when both pass
    ({"f32": 1.0, "int8": 0.98, "bf16": 0.99}, 0.77,
     {"int8": passing(-0.012), "bf16": passing()}, "bf16"),
    # f32 does not track the truth (e.g. seeded weights): agreement decides.
    ({"f32": 1.0, "bf16": 0.88}, 0.02, {"bf16": passing()}, "f32"),
    ({"f32": 1.0, "bf16": MIN_PEARSON + 1e-4}, 0.02, {"bf16": passing(-0.2)}, "bf16"),
    ({"f32": 1.0, "bf16": 0.993}, None, {}, "f32"),  # no truth at all
    ({"f32": 0.5}, None, {}, None),  # even f32 disagrees with the reference
])
def test_choose_precision(pearson, truth_f32, truth, expected):
    assert choose_precision(pearson, truth_f32, truth) == expected


def test_verdicts_with_truth_round_trip_through_their_json(tmp_path, fastdepth_weights,
                                                           monkeypatch):
    monkeypatch.setattr(openvino_cache, "model_home", lambda: tmp_path)
    folder = openvino_cache.cache_dir("fastdepth", fastdepth_weights)
    folder.mkdir(parents=True)
    verdict = Verdict(
        cpu="cpu", reference="onnxruntime", pearson={"f32": 1.0, "bf16": 0.993},
        latency_ms={"reference": 6.0, "f32": 5.6, "bf16": 3.7}, precision="bf16",
        truth_f32=0.7698, truth={"bf16": passing(0.0004)})
    from dataclasses import asdict

    (folder / "verdict.json").write_text(json.dumps(asdict(verdict)))
    loaded = openvino_cache.cached_verdict("fastdepth", fastdepth_weights)
    assert loaded == verdict and auto_choice(loaded).engine == "openvino"
    assert "Spearman to true depth 0.7704 vs f32 0.7698, change +0.0004" in (
        auto_choice(loaded).reason)


# --- load_model's options --------------------------------------------------------------------

@pytest.mark.parametrize(("options", "message"), [
    ({"precision": "fp8"}, "Unknown precision 'fp8'"),
    ({"mode": "fast"}, "Unknown mode 'fast'"),
    ({"precision": "bf16", "engine": "onnxruntime"}, "runs on the openvino engine only"),
])
def test_impossible_options_are_refused_with_a_reason(options, message):
    with pytest.raises(depthviz.EngineUnavailable, match=message):
        depthviz.load_model("fastdepth", **options)


def test_bf16_is_refused_where_the_cpu_would_only_emulate_it():
    if openvino_engine.supports_bf16():
        model = depthviz.load_model("fastdepth", precision="bf16")
        assert model.engine.precision == "bf16"
        assert model.engine.compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name() \
            == "bf16"
    else:
        with pytest.raises(depthviz.EngineUnavailable, match="no native bf16"):
            depthviz.load_model("fastdepth", precision="bf16")


def test_throughput_mode_keeps_several_requests_in_flight_with_the_same_output(coffee):
    latency = depthviz.load_model("fastdepth", engine="openvino", precision="f32")
    throughput = depthviz.load_model("fastdepth", engine="openvino", precision="f32",
                                     mode="throughput")
    assert latency.engine.parallel_requests == 1
    assert throughput.engine.parallel_requests >= 2
    assert throughput.engine.compiled.get_property("PERFORMANCE_HINT") == "THROUGHPUT"
    np.testing.assert_allclose(throughput.predict(coffee), latency.predict(coffee), rtol=1e-5)


def test_batches_run_in_throughput_mode_and_keep_their_order(tmp_path, coffee):
    from PIL import Image

    sources = []
    for index in range(5):
        path = tmp_path / f"photo{index}.png"
        Image.fromarray(np.ascontiguousarray(coffee[:, index * 20:])).save(path)
        sources.append(path)
    spec = ModelSpec("fastdepth", engine="openvino", precision="f32")
    model = spec.for_batches().load()
    assert model.engine.compiled.get_property("PERFORMANCE_HINT") == "THROUGHPUT"
    settings = OutputSettings(tmp_path / "out", formats=("npy",))
    items = [WorkItem(ImageJob(path, Path(path.stem)), ("npy",)) for path in sources]
    outcomes = list(run_items(model, items, settings))
    assert [outcome.source for outcome in outcomes] == sources
    assert all(outcome.error is None for outcome in outcomes)
    single = spec.load()
    for item in items:
        run_item(single, item, OutputSettings(tmp_path / "one", formats=("npy",)))
        np.testing.assert_allclose(np.load(tmp_path / "out" / f"{item.job.source.stem}.depth.npy"),
                                   np.load(tmp_path / "one" / f"{item.job.source.stem}.depth.npy"),
                                   rtol=1e-5)
