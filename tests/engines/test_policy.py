"""The engine policy (engines/policy.py): every rule, as a pure function of the card, the
request and the facts (no engine is built, no file is read)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from depthviz.engines.policy import (
    EngineFacts,
    EngineRequest,
    choose_engine,
    offered_precisions,
)
from depthviz.engines.precision import MIN_PEARSON, TruthScore
from depthviz.engines.verdict import Verdict
from depthviz.errors import EngineUnavailable


@dataclass(frozen=True)
class Card:
    name: str = "midas_small"
    engines: tuple[str, ...] = ("openvino", "torch")
    reference_engine: str = "torch"


CARD = Card()
TORCH_ONLY = Card("torch_only", ("torch",), "torch")
EVERYTHING = frozenset({"openvino", "torch", "onnxruntime"})
ALL_PRECISIONS = ("f32", "bf16", "int8")


def facts(verdict=None, installed=EVERYTHING, precisions=ALL_PRECISIONS, failure=None):
    return EngineFacts(installed, precisions, verdict, failure)


def verdict(precision, reference_ms=100.0, openvino_ms=50.0, bf16_pearson=0.9) -> Verdict:
    return Verdict(cpu="cpu", reference="torch", pearson={"f32": 1.0, "bf16": bf16_pearson},
                   latency_ms={"reference": reference_ms, "f32": openvino_ms, "bf16": 1.0},
                   precision=precision)


def choose(engine="auto", precision=None, mode="latency", card=CARD, **known):
    return choose_engine(card, EngineRequest(engine, precision, mode), facts(**known))


# --- what is refused, and why -----------------------------------------------------------------

@pytest.mark.parametrize(("request_", "known", "message"), [
    (dict(engine="onnxruntime"), {}, "Model 'midas_small' cannot run on engine 'onnxruntime'; "
                                     "choose one of: openvino, torch (or 'auto')."),
    (dict(precision="fp8"), {}, "Unknown precision 'fp8'; choose one of: auto, f32, bf16, int8."),
    (dict(mode="fast"), {}, "Unknown mode 'fast'; choose one of: latency, throughput."),
    (dict(engine="torch"), dict(installed=frozenset({"openvino"})),
     "Engine 'torch' is not installed here."),
    (dict(engine="torch", precision="bf16"), {}, "Precision 'bf16' runs on the openvino engine "
                                                  "only; use precision 'f32' or 'auto'."),
    (dict(precision="int8", card=TORCH_ONLY), {},
     "Precision 'int8' runs on the openvino engine only, which torch_only does not have"),
    (dict(precision="bf16"), dict(installed=frozenset({"torch"})),
     "runs on the openvino engine only, which is not installed here"),
    (dict(precision="bf16"), dict(precisions=("f32", "int8")), "This CPU has no native bf16"),
    (dict(engine="openvino", precision="int8"), dict(precisions=("f32", "bf16")),
     "int8 needs NNCF to quantize the network once: pip install 'depthviz[int8]'"),
])
def test_what_cannot_run_is_refused_with_what_to_choose_instead(request_, known, message):
    with pytest.raises(EngineUnavailable, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        choose(**request_, **known)


def test_under_auto_a_missing_or_failing_openvino_is_a_reason_not_an_error():
    missing = choose(installed=frozenset({"torch"}))
    assert (missing.engine, missing.precision) == ("torch", "f32")
    assert missing.reason == "OpenVINO is not installed here"
    failing = choose(failure="does not convert")
    assert failing.engine == "torch" and "does not convert" in failing.reason


# --- a named engine ---------------------------------------------------------------------------

def test_a_named_engine_runs_f32_unless_a_precision_is_asked():
    assert choose("torch").precision == "f32"
    assert choose("torch", "auto").precision == "f32"  # the app always sends "auto"
    assert choose("openvino", verdict=verdict("bf16")).precision == "f32"  # None: exact maths
    assert choose("openvino", "f32", verdict=verdict("bf16")).precision == "f32"
    assert choose("openvino", "bf16").precision == "bf16"


def test_a_named_openvino_with_auto_precision_runs_what_its_check_picked():
    assert choose("openvino", "auto", verdict=verdict("bf16")).precision == "bf16"
    assert choose("openvino", "auto", verdict=verdict(None)).precision == "f32"  # even f32 failed
    assert choose("openvino", "auto").precision is None  # not checked yet: decided on first load


def test_a_named_engine_is_not_second_guessed_by_the_verdict():
    slow = verdict("f32", reference_ms=10.0)
    assert choose("openvino", verdict=slow).engine == "openvino"
    assert choose("torch", verdict=verdict("f32")).engine == "torch"


# --- engine="auto" ----------------------------------------------------------------------------

def test_auto_without_openvino_takes_the_only_engine():
    choice = choose(card=TORCH_ONLY)
    assert (choice.engine, choice.precision, choice.reason) == ("torch", "f32", "the only engine")


def test_auto_with_a_reduced_precision_means_openvino():
    choice = choose(precision="int8")
    assert (choice.engine, choice.precision) == ("openvino", "int8")


def test_auto_before_the_check_says_it_is_decided_on_first_load():
    choice = choose()
    assert choice.engine == "openvino" and choice.precision is None
    assert choice.reason == "if it passes its accuracy check on first load"


def test_auto_takes_openvino_only_when_it_passed_and_is_faster():
    assert choose(verdict=verdict("f32")).engine == "openvino"
    assert choose(verdict=verdict("f32", reference_ms=40.0)).engine == "torch"
    assert choose(verdict=verdict(None)).engine == "torch"
    assert choose(verdict=verdict("f32")).reason.endswith(
        "bf16 failed the check (Pearson 0.9000 < 0.999)")
    assert choose(verdict=verdict("f32", reference_ms=40.0)).reason == (
        "torch ran faster here than OpenVINO f32")
    assert choose(verdict=verdict(None)).reason.startswith("OpenVINO failed its accuracy check")


def test_auto_runs_openvino_at_the_precision_its_check_picked():
    choice = choose(verdict=verdict("bf16", bf16_pearson=0.9999))
    assert (choice.engine, choice.precision) == ("openvino", "bf16")
    assert choice.reason == "OpenVINO bf16 passed its accuracy check and ran faster than torch"


def test_auto_reports_the_truth_scores_of_the_precision_it_picked():
    judged = Verdict(cpu="cpu", reference="onnxruntime", pearson={"f32": 1.0, "bf16": 0.993},
                     latency_ms={"reference": 6.0, "f32": 5.6, "bf16": 3.7}, precision="bf16",
                     truth_f32=0.7698, truth={"bf16": TruthScore(0.7702, 0.0004, -0.0006, 0.0014)})
    choice = choose(verdict=judged, card=Card("fastdepth", ("openvino", "onnxruntime"),
                                              "onnxruntime"))
    assert (choice.engine, choice.precision) == ("openvino", "bf16")
    assert "(Spearman to true depth 0.7702 vs f32 0.7698, change +0.0004" in choice.reason


def test_auto_at_f32_judges_f32_alone():
    """precision="f32" under engine="auto": OpenVINO f32 if it agreed and was faster, whatever
    the check picked for precision="auto"."""
    picked_bf16 = verdict("bf16", bf16_pearson=0.9999)
    choice = choose(precision="f32", verdict=picked_bf16)
    assert (choice.engine, choice.precision) == ("openvino", "f32")
    assert "failed" not in choice.reason  # bf16 passed: nothing to report for f32
    slower = choose(precision="f32", verdict=verdict("bf16", openvino_ms=200.0))
    assert (slower.engine, slower.precision) == ("torch", "f32")
    disagreeing = Verdict(cpu="cpu", reference="torch", pearson={"f32": MIN_PEARSON - 1e-3},
                          latency_ms={"reference": 100.0, "f32": 1.0}, precision=None)
    assert choose(precision="f32", verdict=disagreeing).engine == "torch"


def test_a_verdict_restricted_to_f32_no_longer_offers_bf16():
    """DEPTHVIZ_HIDE_BF16: the caller restricts the stored verdict; the policy follows it."""
    stored = verdict("bf16", bf16_pearson=0.9999)
    choice = choose(verdict=stored.restricted_to(("f32",)))
    assert (choice.engine, choice.precision) == ("openvino", "f32")


# --- what pickers offer -----------------------------------------------------------------------

def test_pickers_offer_reduced_precisions_only_where_openvino_may_run():
    runnable = ("f32", "bf16")
    assert offered_precisions(CARD, "auto", runnable) == ("auto", "f32", "bf16")
    assert offered_precisions(CARD, "openvino", runnable) == ("auto", "f32", "bf16")
    assert offered_precisions(CARD, "torch", runnable) == ("auto",)
    assert offered_precisions(TORCH_ONLY, "auto", runnable) == ("auto",)
