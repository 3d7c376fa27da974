"""Evaluate a model on pairs: predict, bring the prediction to the ground truth's size, align,
measure. The per-pixel work is numpy over whole arrays, so a photo costs its inference plus
a few array passes."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from depthviz.errors import EvaluationError, ImageError
from depthviz.evaluation.alignment import DepthRange, aligned_depth, at_size, resolve_alignment
from depthviz.evaluation.ground_truth import DEFAULT_DEPTH_SCALE, Pair, PairSet, folder_pairs
from depthviz.evaluation.metrics import depth_metrics
from depthviz.evaluation.report import EvalReport
from depthviz.models.depth_model import DepthModel

#: A folder (or zip) of pairs, or the pairs themselves.
PairsSource = Union[str, os.PathLike, PairSet, Iterable[Pair]]
#: Called after each pair: (done, total, photo name).
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class EvalSettings:
    """How predictions are judged: the alignment asked for, the depth range, the 16-bit PNGs'
    metres per unit."""

    align: str = "auto"
    depth_range: DepthRange = DepthRange()
    depth_scale: float = DEFAULT_DEPTH_SCALE


@dataclass(frozen=True)
class PairResult:
    """One photo's evaluation, with the maps the app draws (all HxW at the ground truth's size)."""

    name: str
    rgb: np.ndarray
    gt: np.ndarray  # metres, NaN where nothing was measured
    depth: np.ndarray  # the aligned prediction, metres
    valid: np.ndarray
    metrics: dict[str, float]
    inference_seconds: float

    @property
    def relative_error(self) -> np.ndarray:
        """|d - g| / g on valid pixels, NaN elsewhere."""
        error = np.full(self.gt.shape, np.nan)
        gt = self.gt[self.valid]
        error[self.valid] = np.abs(self.depth[self.valid] - gt) / gt
        return error


def evaluate_pair(model: DepthModel, pair: Pair, settings: EvalSettings = EvalSettings()
                  ) -> PairResult:
    """Raises ImageError (the photo) or EvaluationError (the ground truth, no valid pixel)."""
    rule = resolve_alignment(settings.align, model.metric)
    gt = pair.depth_metres(settings.depth_scale)
    depth_range = settings.depth_range
    valid = depth_range.valid(gt)
    if not valid.any():
        raise EvaluationError("no ground-truth pixel within "
                              f"{depth_range.min_depth}-{depth_range.max_depth} m.")
    rgb = pair.rgb()
    started = time.perf_counter()
    prediction = model.predict(rgb)
    inference = time.perf_counter() - started
    depth = aligned_depth(at_size(prediction, gt.shape), gt, valid, rule, depth_range)
    return PairResult(pair.name, rgb, gt, depth, valid, depth_metrics(depth, gt, valid), inference)


def as_pair_set(source: PairsSource) -> PairSet:
    if isinstance(source, PairSet):
        return source
    if isinstance(source, (str, os.PathLike)):
        return folder_pairs(source)
    pairs = list(source)
    if not pairs:
        raise EvaluationError("No pairs to evaluate.")
    return PairSet(pairs)


def evaluate(model: DepthModel, folder_or_pairs: PairsSource, align: str = "auto",
             min_depth: float = 0.001, max_depth: float = math.inf,
             depth_scale: float = DEFAULT_DEPTH_SCALE, *,
             progress: Optional[Progress] = None) -> EvalReport:
    """Evaluate `model` on a folder of photos with measured depth (see ground_truth.py for the
    layout) by the protocol of the MiDaS and Depth Anything papers; pairs that cannot be read
    are reported in `skipped`. Raises EvaluationError when no pair can be evaluated."""
    settings = EvalSettings(align, DepthRange(min_depth, max_depth), depth_scale)
    rule = resolve_alignment(align, model.metric)
    found = as_pair_set(folder_or_pairs)
    images: dict[str, dict[str, float]] = {}
    skipped = dict(found.skipped)
    seconds = inference = 0.0
    for done, pair in enumerate(found.pairs, start=1):
        started = time.perf_counter()
        try:
            if pair.name in images:
                raise EvaluationError(f"another photo is named {pair.name} too")
            result = evaluate_pair(model, pair, settings)
            images[pair.name], inference = result.metrics, inference + result.inference_seconds
        except (ImageError, EvaluationError) as exc:
            skipped[pair.name] = str(exc)
        seconds += time.perf_counter() - started
        if progress is not None:
            progress(done, len(found.pairs), pair.name)
    if not images:
        raise EvaluationError("No pair could be evaluated: " + "; ".join(
            f"{name}: {reason}" for name, reason in skipped.items()))
    return EvalReport(model.name, rule, images, skipped, seconds, inference)
