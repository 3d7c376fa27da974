"""The Evaluate page's state and runs: the pairs (uploaded files or zips, in memory, or the
sample), the models evaluated on them with a progress bar, and the results kept in the session
so they stay while a person visits other pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import streamlit as st

from depthviz.app.model_choice import load_model_once, model_statuses
from depthviz.errors import DepthvizError
from depthviz.evaluation.ground_truth import PairSet, sample_pairs, upload_pairs
from depthviz.evaluation.report import EvalReport
from depthviz.evaluation.run import EvalSettings, PairResult, evaluate, evaluate_pair
from depthviz.evaluation.views import DepthHistogram, PairViews, depth_histogram, pair_views
from depthviz.models.depth_model import DepthModel

PAIRS_KEY, RESULTS_KEY, REQUEST_KEY = "eval_pairs", "eval_results", "eval_request"
#: What the uploader takes: photos, ground truth (.depth.png is a .png) and zips of both.
PAIR_TYPES = ["jpg", "jpeg", "png", "webp", "npy", "pfm", "zip"]


@dataclass(frozen=True)
class Pairs:
    """The pairs on the page and where they came from (for the captions)."""

    found: PairSet
    source: str


@dataclass(frozen=True)
class Results:
    """One run: its settings, each model's report, and the models that could not run."""

    settings: EvalSettings
    reports: list[EvalReport]
    failed: dict[str, str] = field(default_factory=dict)
    details: dict[tuple[str, str], PairResult] = field(default_factory=dict)


def current_pairs() -> Optional[Pairs]:
    return st.session_state.get(PAIRS_KEY)


def current_results() -> Optional[Results]:
    return st.session_state.get(RESULTS_KEY)


def take_uploads(key: str) -> None:
    """Uploader callback: new files replace the pairs and forget the results; typed errors
    (no pairs, a broken zip) are kept for the page to show."""
    files = st.session_state.get(key) or []
    _forget()
    if not files:
        return
    try:
        found = upload_pairs((file.name, file.getvalue()) for file in files)
    except DepthvizError as exc:
        st.session_state[f"{key}-error"] = str(exc)
        return
    st.session_state[PAIRS_KEY] = Pairs(found, f"{len(files)} uploaded file"
                                               f"{'' if len(files) == 1 else 's'}")


def take_sample() -> None:
    _forget()
    st.session_state[PAIRS_KEY] = Pairs(sample_pairs(), "the sample: Middlebury's motorcycle "
                                                        "with its true depth")


def _forget() -> None:
    for key in (PAIRS_KEY, RESULTS_KEY, REQUEST_KEY):
        st.session_state.pop(key, None)


def models_here() -> list[str]:
    """Every model whose weights are here: what the page evaluates unless told otherwise."""
    return [name for name, status in model_statuses().items() if status.weights_present]


def request_run(names: list[str], settings: EvalSettings) -> None:
    """Button callback: the run happens on the next script run (a click during it cancels)."""
    st.session_state[REQUEST_KEY] = (list(names), settings)


def pending_request() -> Optional[tuple[list[str], EvalSettings]]:
    """The run asked for, taken once: a run cut short by a click is not started again."""
    return st.session_state.pop(REQUEST_KEY, None)


def _model(name: str) -> DepthModel | DepthvizError:
    return load_model_once(name, "auto")


def run(pairs: Pairs, names: list[str], settings: EvalSettings) -> Results:
    """Every model on every pair with a progress bar; the results are kept in the session."""
    reports, failed = [], {}
    progress = st.progress(0.0)
    photos = len(pairs.found.pairs)
    for index, name in enumerate(names):
        model = _model(name)
        if isinstance(model, DepthvizError):
            failed[name] = str(model)
            continue

        def advance(done: int, count: int, photo: str, name: str = name,
                    before: int = index * photos) -> None:
            progress.progress((before + done) / (photos * len(names)),
                              text=f"{name}: {done} of {count} ({photo})")

        try:
            reports.append(evaluate(model, pairs.found, settings.align,
                                    settings.depth_range.min_depth,
                                    settings.depth_range.max_depth, settings.depth_scale,
                                    progress=advance))
        except DepthvizError as exc:
            failed[name] = str(exc)
    progress.empty()
    results = Results(settings, reports, failed)
    st.session_state[RESULTS_KEY] = results
    return results


@dataclass(frozen=True)
class Detail:
    """One photo and model, as the page shows them."""

    result: PairResult
    views: PairViews
    histogram: DepthHistogram


def detail(pairs: Pairs, results: Results, model_name: str, photo: str) -> Detail | str:
    """The maps of one photo and model (computed once per run), or why they cannot be shown."""
    key = (model_name, photo)
    if key not in results.details:
        model = _model(model_name)
        if isinstance(model, DepthvizError):
            return str(model)
        pair = next(pair for pair in pairs.found.pairs if pair.name == photo)
        try:
            result = evaluate_pair(model, pair, results.settings)
            results.details.clear()  # one photo's full-size maps at a time
            results.details[key] = result
        except DepthvizError as exc:
            return str(exc)
    result = results.details[key]
    return Detail(result, pair_views(result), depth_histogram(result))
