"""Option value types and the model options that predict, video and parallax share."""

from __future__ import annotations

import argparse
from pathlib import Path

from depthviz.engines.precision import PRECISIONS
from depthviz.models import DEFAULT_MODEL, OFFLINE_MODEL, REGISTRY
from depthviz.outputs.colorize import DEFAULT_COLORMAP

#: Where `predict` runs its batch (--runner).
RUNNERS = ("local", "ray")


def fraction(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 0.25:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 0.25, not {text}")
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, not {text}")
    return value


class EngineOption(argparse.Action):
    """--engine is the inference engine, as in the app and `serve`. It used to name predict's
    runner too, so `--engine local` and `--engine ray` still mean --runner local / ray."""

    def __call__(self, parser, namespace, value, option_string=None):
        if value in RUNNERS:
            if not hasattr(namespace, "runner"):
                parser.error(f"{option_string} {value}: only `depthviz predict` has runners "
                             "(--runner local|ray); --engine names the inference engine")
            namespace.runner = value
        else:
            setattr(namespace, self.dest, value)


def model_options() -> argparse.ArgumentParser:
    """The parent parser of the commands that run a model on photos or frames."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--model", choices=sorted(REGISTRY), metavar="NAME",
        help=f"depth model, a name `depthviz models` lists (default: {DEFAULT_MODEL}; when its "
             f"weights are missing and cannot be downloaded, {OFFLINE_MODEL} runs instead, with a "
             "warning; naming --model makes that an error)")
    options.add_argument("--weights", type=Path, help="weights file (default: model home)")
    options.add_argument(
        "--engine", "--model-engine", default="auto", dest="model_engine", action=EngineOption,
        metavar="ENGINE", help="inference engine: auto (default: the fastest that passes the "
                               "accuracy check here), torch, onnxruntime, openvino")
    options.add_argument("--input-size", type=positive_int, metavar="PX", dest="input_size",
                         help="network input side in pixels (default: the model's "
                              "official size, e.g. 518 for Depth Anything V2; smaller is "
                              "faster, larger is sharper)")
    options.add_argument("--precision", choices=PRECISIONS, default=None,
                         help="network arithmetic: auto (a reduced precision only where "
                              "this CPU has it and it was shown not to hurt depth), f32, "
                              "bf16 (CPUs with native bf16), int8 (needs depthviz[int8]); "
                              "default: auto with --engine auto, else f32")
    options.add_argument("--cmap", default=DEFAULT_COLORMAP, help="matplotlib colormap name")
    options.add_argument("--invert", action="store_true",
                         help="near takes the other end of the colour scale (with inferno: "
                              "near dark, far bright)")
    return options
