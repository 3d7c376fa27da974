"""From the model options to a model: which one runs (with the offline fallback), and what a
command checks before loading it."""

from __future__ import annotations

import argparse
import sys
from typing import Optional

from depthviz.batch.run import ModelSpec
from depthviz.errors import WeightsUnavailable
from depthviz.extras import require_extra
from depthviz.models import DEFAULT_MODEL, OFFLINE_MODEL, fetch_weights
from depthviz.models.fastdepth import SCENE_LIMITS
from depthviz.outputs.colorize import colormap_lut


def chosen_model(args: argparse.Namespace) -> str:
    """--model if given; else the default model, or the offline one (with a warning) when the
    default's weights are neither here nor downloadable, as the app does."""
    if args.model is not None:
        return args.model
    if args.weights is None:
        try:
            fetch_weights(DEFAULT_MODEL)
        except WeightsUnavailable as exc:
            print(f"depthviz: warning: the default model {DEFAULT_MODEL} has no weights here and "
                  f"they could not be downloaded: {exc.reason or 'the download did not complete'}."
                  f"\ndepthviz: using {OFFLINE_MODEL}, the model that works offline, "
                  f"{SCENE_LIMITS}. Run `depthviz fetch {DEFAULT_MODEL}` once online; pass "
                  f"--model {DEFAULT_MODEL} to stop instead of falling back.", file=sys.stderr)
            return OFFLINE_MODEL
    return DEFAULT_MODEL


def require_precision_extra(precision: Optional[str]) -> None:
    if precision == "int8":
        require_extra("int8", "nncf", feature="--precision int8")


def settle_model(args: argparse.Namespace) -> None:
    """Fail on a missing extra or a bad colormap before loading anything, then set args.model
    to the model that will run."""
    require_precision_extra(args.precision)
    colormap_lut(args.cmap)
    args.model = chosen_model(args)


def model_spec(args: argparse.Namespace) -> ModelSpec:
    weights = args.weights.resolve() if args.weights else None  # Ray workers run elsewhere
    return ModelSpec(args.model, weights, args.model_engine, args.input_size, args.precision)
