"""The `depthviz` command: predict, models, fetch. No image logic lives here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .colorize import DEFAULT_COLORMAP, colormap_lut
from .errors import DepthvizError
from .export import FORMAT_SUFFIXES
from .models import DEFAULT_MODEL, REGISTRY, available_models, fetch_weights, load_model
from .pipeline import collect_images, process_image


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="depthviz", description="Monocular depth estimation on the CPU: photos in, depth maps out.")
    parser.add_argument("--version", action="version", version=f"depthviz {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    predict = commands.add_parser("predict", help="depth maps for images or folders of images")
    predict.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                         help="image files or folders (searched recursively)")
    predict.add_argument("--out", type=Path, required=True, help="output folder")
    predict.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(REGISTRY))
    predict.add_argument("--weights", type=Path, help="weights file (default: model home)")
    predict.add_argument("--cmap", default=DEFAULT_COLORMAP, help="matplotlib colormap name")
    predict.add_argument("--invert", action="store_true", help="near = cold instead of warm")
    predict.add_argument("--format", nargs="+", default=["heatmap"], choices=list(FORMAT_SUFFIXES),
                         dest="formats", help="outputs to write (default: heatmap)")
    predict.add_argument("--model-engine", default="auto", dest="model_engine",
                         help="inference engine: auto, torch, onnxruntime, ...")

    commands.add_parser("models", help="list models and whether their weights are present")

    fetch = commands.add_parser("fetch", help="download a model's weights into the model home")
    fetch.add_argument("model", choices=sorted(REGISTRY))
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "models":
            return list_models()
        if args.command == "fetch":
            print(fetch_weights(args.model))
            return 0
        return predict(args)
    except DepthvizError as exc:
        print(f"depthviz: error: {exc}", file=sys.stderr)
        return 2


def list_models() -> int:
    for status in available_models():
        where = str(status.weights_path) if status.weights_present else "missing"
        print(f"{status.name:12} weights: {where}\n{'':12} {status.description}\n"
              f"{'':12} engines: {', '.join(status.engines)} (auto: {status.auto_engine})")
    return 0


def predict(args: argparse.Namespace) -> int:
    colormap_lut(args.cmap)  # fail on a bad colormap before loading anything
    images = collect_images(args.paths)
    if not images:
        print("depthviz: error: no image files found", file=sys.stderr)
        return 2
    model = load_model(args.model, weights=args.weights, engine=args.model_engine)
    failures = 0
    for image in images:
        try:
            written = process_image(model, image, args.out, args.formats, args.cmap, args.invert)
            print(f"{image.source} -> {', '.join(str(path) for path in written)}")
        except DepthvizError as exc:
            failures += 1
            print(f"depthviz: {image.source}: {exc}", file=sys.stderr)
    print(f"{len(images) - failures} of {len(images)} images done.")
    return 1 if failures else 0
