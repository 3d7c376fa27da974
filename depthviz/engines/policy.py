"""Which engine runs a model, at which precision, and why: one pure function, no I/O.

`load_model`, `available_models()` and the app's pickers all ask `choose_engine`. What it needs
to know about this machine (which engine libraries are installed, what this CPU runs, OpenVINO's
accuracy verdict for these weights) the caller gathers first, so every rule here is a plain
unit test (tests/engines/test_policy.py). The rules:

- A named engine runs if the model has it and its library is installed, at f32 unless a
  precision is asked for; OpenVINO with precision "auto" runs what its accuracy check picked.
- engine="auto" takes OpenVINO if it passed its accuracy check and ran faster than the model's
  reference engine (at the precision the check picked, or at f32 when f32 is asked for), else
  the reference engine; a reduced precision always means OpenVINO.
- precision=None is "auto" under engine="auto" and "f32" under a named engine: naming an
  engine asks for its exact arithmetic.
- EngineUnavailable is raised only for what was asked for explicitly and cannot run: an engine
  the model lacks or that is not installed, an unknown precision or mode, a reduced precision
  off OpenVINO or that this CPU or install cannot run. Under "auto", "not installed" or "failed
  its check" is a reason, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Protocol

from depthviz.engines.precision import MIN_PEARSON, MODES, PRECISIONS, REDUCED
from depthviz.engines.verdict import Verdict
from depthviz.errors import EngineUnavailable


class EngineCard(Protocol):
    """What the policy reads from a model card (models/card.py; engines cannot import it)."""

    @property
    def name(self) -> str: ...

    @property
    def engines(self) -> tuple[str, ...]: ...

    @property
    def reference_engine(self) -> str: ...


@dataclass(frozen=True, slots=True)
class EngineRequest:
    """What the caller asked for (load_model's engine=, precision=, mode=)."""

    engine: str = "auto"  # "auto" or an engine name
    precision: Optional[str] = None  # None: "auto" under engine="auto", else "f32"
    mode: str = "latency"

    @property
    def wanted_precision(self) -> str:
        if self.precision is not None:
            return self.precision
        return "auto" if self.engine == "auto" else "f32"


@dataclass(frozen=True, slots=True)
class EngineFacts:
    """What the caller found out about this machine before asking."""

    installed: frozenset[str]  # engines whose library is installed here
    #: OpenVINO precisions this CPU and install run; probing them imports OpenVINO, so callers
    #: probe only when a reduced precision is asked for (the only time it is read).
    precisions: tuple[str, ...] = ("f32",)
    verdict: Optional[Verdict] = None  # OpenVINO's verdict for these weights; None: not checked
    openvino_failure: Optional[str] = None  # why OpenVINO could not convert or check them


@dataclass(frozen=True, slots=True)
class EngineChoice:
    """The engine to run, its precision, and why (shown as is by the app and `depthviz models`)."""

    engine: str
    #: None: OpenVINO at the precision its accuracy check picks on first load (not run yet).
    precision: Optional[str]
    reason: str


def choose_engine(card: EngineCard, request: EngineRequest, facts: EngineFacts) -> EngineChoice:
    """The engine and precision for `request`; EngineUnavailable if what it names cannot run."""
    precision = request.wanted_precision
    _refuse_impossible(card, request, facts)
    if request.engine == "auto":
        return _automatic(card, precision, facts)
    return _named(request.engine, precision, facts)


def offered_precisions(card: EngineCard, engine: str, runnable: tuple[str, ...]) -> tuple[str, ...]:
    """The precision= choices a picker offers with `engine` ("auto" or one of the card's):
    `runnable` (OpenVINO's, see EngineFacts.precisions) where OpenVINO may run, else "auto"."""
    if "openvino" in card.engines and engine in ("auto", "openvino"):
        return ("auto", *runnable)
    return ("auto",)


def _refuse_impossible(card: EngineCard, request: EngineRequest, facts: EngineFacts) -> None:
    """Raise EngineUnavailable, with what to choose instead, for a request that cannot run."""
    engine, precision = request.engine, request.wanted_precision
    if engine != "auto" and engine not in card.engines:
        raise EngineUnavailable(
            f"Model '{card.name}' cannot run on engine '{engine}'; "
            f"choose one of: {', '.join(card.engines)} (or 'auto').")
    if precision not in PRECISIONS:
        raise EngineUnavailable(
            f"Unknown precision '{precision}'; choose one of: {', '.join(PRECISIONS)}.")
    if request.mode not in MODES:
        raise EngineUnavailable(
            f"Unknown mode '{request.mode}'; choose one of: {', '.join(MODES)}.")
    if engine != "auto" and engine not in facts.installed:
        raise EngineUnavailable(f"Engine '{engine}' is not installed here.")
    if precision in ("auto", "f32"):
        return
    if "openvino" not in card.engines or engine not in ("auto", "openvino"):
        raise EngineUnavailable(
            f"Precision '{precision}' runs on the openvino engine only"
            + ("" if "openvino" in card.engines else f", which {card.name} does not have")
            + "; use precision 'f32' or 'auto'.")
    if "openvino" not in facts.installed:
        raise EngineUnavailable(
            f"Precision '{precision}' runs on the openvino engine only, which is not installed "
            "here; use precision 'f32' or 'auto'.")
    if precision == "bf16" and "bf16" not in facts.precisions:
        raise EngineUnavailable(
            "This CPU has no native bf16 (avx512_bf16 or AMX), where it would be slower than "
            "f32; use precision 'f32' or 'auto'.")
    if precision == "int8" and "int8" not in facts.precisions:
        raise EngineUnavailable(
            "int8 needs NNCF to quantize the network once: pip install 'depthviz[int8]' "
            "(or use precision 'f32' or 'auto').")


def _named(engine: str, precision: str, facts: EngineFacts) -> EngineChoice:
    if engine != "openvino":
        return EngineChoice(engine, "f32", "asked for")  # reduced precisions run on OpenVINO only
    if precision != "auto":
        return EngineChoice(engine, precision, "asked for")
    if facts.verdict is None:
        return EngineChoice(engine, None, "asked for; its accuracy check picks the precision")
    if facts.verdict.precision is None:
        return EngineChoice(engine, "f32", "asked for; f32, as even f32 failed its accuracy "
                                           "check")
    return EngineChoice(engine, facts.verdict.precision,
                        "asked for; at the precision its accuracy check picked")


def _automatic(card: EngineCard, precision: str, facts: EngineFacts) -> EngineChoice:
    reference = card.reference_engine
    if "openvino" not in card.engines:
        return EngineChoice(reference, "f32", "the only engine")
    if precision in REDUCED:
        return EngineChoice("openvino", precision, f"precision {precision} runs on OpenVINO only")
    if "openvino" not in facts.installed:
        return EngineChoice(reference, "f32", "OpenVINO is not installed here")
    if facts.openvino_failure is not None:
        return EngineChoice(reference, "f32",
                            f"OpenVINO cannot run it here ({facts.openvino_failure})")
    if facts.verdict is None:
        return EngineChoice("openvino", None, "if it passes its accuracy check on first load")
    return _by_verdict(reference, facts.verdict, precision)


def _by_verdict(reference: str, verdict: Verdict, precision: str) -> EngineChoice:
    """engine="auto" once OpenVINO was checked: OpenVINO if it passed and ran faster (at the
    precision the check picked for "auto", at f32 for "f32"), else the reference engine."""
    if precision == "auto":
        judged = verdict.precision
    else:
        judged = "f32" if verdict.pearson.get("f32", -1.0) >= MIN_PEARSON else None
    if judged is None:
        return EngineChoice(reference, "f32", (
            f"OpenVINO failed its accuracy check (Pearson {verdict.pearson['f32']:.4f} "
            f"< {MIN_PEARSON} against {verdict.reference})"))
    if verdict.latency_ms[judged] >= verdict.latency_ms["reference"]:
        return EngineChoice(reference, "f32",
                            f"{verdict.reference} ran faster here than OpenVINO {judged}")
    reason = (f"OpenVINO {judged} passed its accuracy check and ran faster than "
              f"{verdict.reference}")
    failed = [tried for tried in verdict.pearson if tried != "f32"]
    if judged in verdict.truth:
        reason += f" ({verdict.truth_summary(judged)})"
    elif judged == "f32" and precision == "auto" and failed:
        reason += "; " + "; ".join(f"{tried} failed the check ({verdict.failure(tried)})"
                                   for tried in failed)
    return EngineChoice("openvino", judged, reason)
