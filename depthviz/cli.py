"""The `depthviz` command: predict, video, models, fetch. No image logic lives here: it parses
options, picks the engine and reports progress."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Iterator, Optional, Sequence

from tqdm import tqdm

from . import __version__
from .colorize import DEFAULT_COLORMAP, colormap_lut
from .errors import DepthvizError
from .export import FORMAT_SUFFIXES, atomic_path
from .models import DEFAULT_MODEL, REGISTRY, available_models, fetch_weights
from .pipeline import (ModelSpec, Outcome, OutputSettings, Task, collect_images, plan_batch,
                       run_local)

#: Exit status of a run stopped with Ctrl-C (the shell's convention for SIGINT).
INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="depthviz", description="Monocular depth estimation on the CPU: photos in, depth maps out.")
    parser.add_argument("--version", action="version", version=f"depthviz {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    model_options = argparse.ArgumentParser(add_help=False)
    model_options.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(REGISTRY))
    model_options.add_argument("--weights", type=Path, help="weights file (default: model home)")
    model_options.add_argument("--model-engine", default="auto", dest="model_engine",
                               help="inference engine: auto, torch, onnxruntime, ...")
    model_options.add_argument("--cmap", default=DEFAULT_COLORMAP, help="matplotlib colormap name")
    model_options.add_argument("--invert", action="store_true", help="near = cold instead of warm")

    predict = commands.add_parser(
        "predict", parents=[model_options], help="depth maps for images or folders of images",
        description="Outputs mirror the input folders, named after each image's stem "
                    "(trip1/img03.heatmap.png); two images that would share a name (img.jpg and "
                    "img.png) keep their extension (img.jpg.heatmap.png). Outputs already there "
                    "are skipped, so an interrupted run resumes where it stopped.")
    predict.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                         help="image files or folders (searched recursively)")
    predict.add_argument("--out", type=Path, required=True, help="output folder")
    predict.add_argument("--format", nargs="+", default=["heatmap"], choices=list(FORMAT_SUFFIXES),
                         dest="formats", help="outputs to write (default: heatmap)")
    predict.add_argument("--overwrite", action="store_true",
                         help="redo images whose outputs exist (default: skip them)")
    predict.add_argument("--engine", choices=("local", "ray"), default="local",
                         help="local: this process; ray: an actor pool on Ray Data "
                              "(pip install 'depthviz[ray]')")
    predict.add_argument("--ray-address", help="Ray cluster to join, e.g. ray://head:10001 or "
                                               "auto (default: a private local instance)")
    predict.add_argument("--ray-workers", type=positive_int, metavar="N",
                         help="model copies in the Ray actor pool (default: one per CPU)")

    video = commands.add_parser(
        "video", parents=[model_options], help="a depth heatmap video (H.264 MP4) from a video",
        description="Same frame count, size and frame rate as the input (twice the width with "
                    "--side-by-side); colours are stable over time; audio is not copied.")
    video.add_argument("input", type=Path, metavar="IN", help="video file (MP4, MOV, WebM, ...)")
    video.add_argument("--out", type=Path, required=True, help="output .mp4 file")
    video.add_argument("--side-by-side", action="store_true",
                       help="each frame on the left, its heatmap on the right")

    commands.add_parser("models", help="list models and whether their weights are present")

    fetch = commands.add_parser("fetch", help="download a model's weights into the model home")
    fetch.add_argument("model", choices=sorted(REGISTRY))
    return parser


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "models":
            return list_models()
        if args.command == "fetch":
            print(fetch_weights(args.model))
            return 0
        colormap_lut(args.cmap)  # fail on a bad colormap before loading anything
        return predict(args) if args.command == "predict" else video(args)
    except (DepthvizError, OSError) as exc:  # OSError: e.g. an output folder not writable
        print(f"depthviz: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("depthviz: interrupted; no output is left half-written. Run the same command "
              "again to resume.", file=sys.stderr)
        return INTERRUPTED


def list_models() -> int:
    for status in available_models():
        where = str(status.weights_path) if status.weights_present else "missing"
        print(f"{status.name:12} weights: {where}\n{'':12} {status.description}\n"
              f"{'':12} engines: {', '.join(status.engines)}\n"
              f"{'':12} auto: {status.auto_engine} ({status.auto_reason})")
    return 0


def model_spec(args: argparse.Namespace) -> ModelSpec:
    weights = args.weights.resolve() if args.weights else None  # Ray workers run elsewhere
    return ModelSpec(args.model, weights, args.model_engine)


def predict(args: argparse.Namespace) -> int:
    settings = OutputSettings(args.out.resolve(), tuple(dict.fromkeys(args.formats)), args.cmap,
                              args.invert)
    plan = plan_batch(collect_images(args.paths, exclude=settings.out_dir), settings,
                      args.overwrite)
    if not plan.total:
        print("depthviz: error: no image files found", file=sys.stderr)
        return 2
    print(f"{plan.total} images: {len(plan.tasks)} to do, {len(plan.skipped)} already done"
          + (" (--overwrite redoes them)" if plan.skipped else "") + ".", file=sys.stderr)
    for conflict in plan.conflicts:
        print(f"depthviz: {conflict.source}: {conflict.error}", file=sys.stderr)
    written = failed = 0
    started = time.perf_counter()
    with tqdm(total=len(plan.tasks), unit="image", disable=None, file=sys.stderr) as bar:
        for outcome in run_engine(args, plan.tasks, settings):
            bar.update()
            if outcome.error:
                failed += 1
                bar.write(f"depthviz: {outcome.source}: {outcome.error}", file=sys.stderr)
            else:
                written += 1
    failed += len(plan.conflicts)
    print(f"{written} written, {len(plan.skipped)} skipped (already done), {failed} failed "
          f"in {time.perf_counter() - started:.1f} s; outputs in {settings.out_dir}")
    return 1 if failed else 0


def run_engine(args: argparse.Namespace, tasks: Sequence[Task],
               settings: OutputSettings) -> Iterator[Outcome]:
    if args.engine == "ray":
        from .ray_runner import run_on_ray

        return run_on_ray(tasks, settings, model_spec(args), args.ray_address, args.ray_workers)
    return run_local(tasks, settings, model_spec(args))


def video(args: argparse.Namespace) -> int:
    from .video import depth_video

    model = model_spec(args).load()
    with tqdm(unit="frame", disable=None, file=sys.stderr) as bar:
        def on_frame(done: int, expected: Optional[int]) -> None:
            bar.total = expected
            bar.update(done - bar.n)

        with atomic_path(args.out) as partial:
            info = depth_video(args.input, partial, model, args.cmap, args.invert,
                               args.side_by_side, on_frame=on_frame)
    print(f"{args.out}: {info.frames} frames, {info.width}x{info.height} at "
          f"{float(info.fps):.3g} fps")
    return 0
