"""`depthviz eval`: every model's metrics against measured depth on a folder of pairs (or the
built-in motorcycle), one table row per model, the details in JSON and CSV."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from tqdm import tqdm

from depthviz.cli.options import positive_float, positive_int
from depthviz.engines.base import ENGINE_LIBRARIES
from depthviz.errors import WeightsUnavailable
from depthviz.evaluation.alignment import ALIGNMENTS
from depthviz.evaluation.ground_truth import (
    DEFAULT_DEPTH_SCALE,
    PairSet,
    folder_pairs,
    sample_pairs,
)
from depthviz.evaluation.metrics import METRICS, TITLES
from depthviz.evaluation.report import EvalReport, reports_csv, reports_json
from depthviz.evaluation.run import evaluate
from depthviz.io.files import write_atomic
from depthviz.models import REGISTRY, available_models, load_model
from depthviz.models.depth_model import DepthModel


def add_eval_command(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "eval", help="compare models against measured depth (AbsRel, δ1, ...)",
        description="A folder of pairs: NAME.jpg|jpeg|png|webp with NAME.depth.png (16-bit, "
                    "millimetres unless --depth-scale), NAME.depth.npy or NAME.depth.pfm "
                    "(float32 metres); 0, NaN or inf = no measurement. Relative models are "
                    "aligned by least squares in inverse depth (scale and shift), metric models "
                    "are taken as they are.")
    command.add_argument("folder", nargs="?", type=Path, metavar="FOLDER",
                         help="folder of pairs (or a zip of one)")
    command.add_argument("--sample", action="store_true",
                         help="the built-in sample: Middlebury's motorcycle with its true depth")
    command.add_argument("--model", action="append", choices=sorted(REGISTRY), metavar="NAME",
                         dest="models", help="a model to evaluate; repeat for more (default: "
                                             "every model whose weights are here)")
    command.add_argument("--align", choices=ALIGNMENTS, default="auto",
                         help="auto (default: scale-shift for relative models, none for metric "
                              "ones), scale-shift, scale (median) or none")
    command.add_argument("--min-depth", type=positive_float, default=0.001, metavar="M",
                         help="nearest ground truth counted, metres (default: %(default)s)")
    command.add_argument("--max-depth", type=positive_float, default=math.inf, metavar="M",
                         help="farthest ground truth counted, metres (default: no limit)")
    command.add_argument("--depth-scale", type=positive_float, default=DEFAULT_DEPTH_SCALE,
                         metavar="S", help="metres per unit of 16-bit depth PNGs (default: "
                                           "%(default)s, millimetres; 1/256 for KITTI)")
    command.add_argument("--input-size", type=positive_int, metavar="PX",
                         help="network input side in pixels (default: each model's own)")
    command.add_argument("--engine", choices=("auto", *ENGINE_LIBRARIES), default="auto",
                         help="inference engine (default: auto)")
    command.add_argument("--json", type=Path, metavar="OUT.json", help="write every figure")
    command.add_argument("--csv", type=Path, metavar="OUT.csv",
                         help="write one row per model and photo")
    command.set_defaults(func=run_eval)


def run_eval(args: argparse.Namespace) -> int:
    if (args.folder is None) == (not args.sample):
        print("depthviz: error: give a FOLDER of pairs or --sample (one of them).",
              file=sys.stderr)
        return 2
    pairs = sample_pairs() if args.sample else folder_pairs(args.folder)
    for name, reason in pairs.skipped.items():
        print(f"depthviz: skipped {name}: {reason}", file=sys.stderr)
    models = [_load(name, args) for name in _model_names(args)]
    reports = [_evaluate_with_progress(model, pairs, args) for model in models]
    print(table(reports))
    if args.json:
        write_atomic(args.json, reports_json(reports, args.align).encode())
    if args.csv:
        write_atomic(args.csv, reports_csv(reports).encode())
    return 0


def _model_names(args: argparse.Namespace) -> list[str]:
    if args.models:
        return list(dict.fromkeys(args.models))
    present = [status.card.name for status in available_models() if status.weights_present]
    if not present:
        raise WeightsUnavailable("No model has weights here: run `depthviz fetch NAME` first.")
    return present


def _load(name: str, args: argparse.Namespace) -> DepthModel:
    try:
        return load_model(name, engine=args.engine, input_size=args.input_size, download=False)
    except WeightsUnavailable as exc:
        raise WeightsUnavailable(f"{name} has no weights here: run `depthviz fetch {name}` "
                                 "(online) or pick another --model.") from exc


def _evaluate_with_progress(model: DepthModel, pairs: PairSet,
                            args: argparse.Namespace) -> EvalReport:
    with tqdm(total=len(pairs.pairs), unit="photo", desc=model.name, disable=None,
              file=sys.stderr) as bar:
        report = evaluate(model, pairs, args.align, args.min_depth, args.max_depth,
                          args.depth_scale, progress=lambda done, total, name: bar.update())
    for name, reason in report.skipped.items():
        if name not in pairs.skipped:
            print(f"depthviz: {model.name}: skipped {name}: {reason}", file=sys.stderr)
    return report


def table(reports: list[EvalReport]) -> str:
    """One row per model: its mean metrics and seconds per photo, aligned in columns."""
    shown = [name for name in METRICS if name != "valid_pixels"]
    header = ["model", "align", "photos", *(TITLES[name] for name in shown), "s/photo"]
    rows = [[report.model, report.align, str(len(report.images)),
             *(f"{report.mean[name]:.4f}" for name in shown), f"{report.seconds_per_photo:.3f}"]
            for report in reports]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) if i < 2 else cell.rjust(width)
                               for i, (cell, width) in enumerate(zip(row, widths)))
                     for row in [header, *rows])
