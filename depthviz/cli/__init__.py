"""The `depthviz` command: predict, video, serve, models, fetch. No image logic lives here: it parses
options, picks the engine and reports progress."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Optional

from tqdm import tqdm

from depthviz import __version__
from depthviz.batch.pipeline import (
    OUTPUT_SUFFIXES,
    ModelSpec,
    Outcome,
    OutputSettings,
    Task,
    collect_images,
    plan_batch,
    run_local,
)
from depthviz.engines.precision import PRECISIONS
from depthviz.errors import DepthvizError, WeightsUnavailable
from depthviz.io.files import atomic_path
from depthviz.io.images import load_image
from depthviz.models import (
    DEFAULT_MODEL,
    OFFLINE_MODEL,
    REGISTRY,
    available_models,
    fetch_weights,
    load_model,
)
from depthviz.outputs.colorize import DEFAULT_COLORMAP, colormap_lut
from depthviz.scene.parallax import (
    DEFAULT_FPS,
    DEFAULT_PARALLAX_STRENGTH,
    DEFAULT_SECONDS,
    DEFAULT_STEREO_STRENGTH,
    MOTIONS,
)

#: Exit status of a run stopped with Ctrl-C (the shell's convention for SIGINT).
INTERRUPTED = 130
#: Where `predict` runs its batch (--runner).
RUNNERS = ("local", "ray")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="depthviz", description="Monocular depth estimation on the CPU: photos in, depth maps out.")
    parser.add_argument("--version", action="version", version=f"depthviz {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    model_options = argparse.ArgumentParser(add_help=False)
    model_options.add_argument(
        "--model", choices=sorted(REGISTRY), metavar="NAME",
        help=f"depth model, a name `depthviz models` lists (default: {DEFAULT_MODEL}; when its "
             f"weights are missing and cannot be downloaded, {OFFLINE_MODEL} runs instead, with a "
             "warning; naming --model makes that an error)")
    model_options.add_argument("--weights", type=Path, help="weights file (default: model home)")
    model_options.add_argument(
        "--engine", "--model-engine", default="auto", dest="model_engine", action=EngineOption,
        metavar="ENGINE", help="inference engine: auto (default: the fastest that passes the "
                               "accuracy check here), torch, onnxruntime, openvino")
    model_options.add_argument("--input-size", type=positive_int, metavar="PX", dest="input_size",
                               help="network input side in pixels (default: the model's "
                                    "official size, e.g. 518 for Depth Anything V2; smaller is "
                                    "faster, larger is sharper)")
    model_options.add_argument("--precision", choices=PRECISIONS, default=None,
                               help="network arithmetic: auto (a reduced precision only where "
                                    "this CPU has it and it was shown not to hurt depth), f32, "
                                    "bf16 (CPUs with native bf16), int8 (needs depthviz[int8]); "
                                    "default: auto with --engine auto, else f32")
    model_options.add_argument("--cmap", default=DEFAULT_COLORMAP, help="matplotlib colormap name")
    model_options.add_argument("--invert", action="store_true",
                               help="near takes the other end of the colour scale (with inferno: "
                                    "near dark, far bright)")

    predict = commands.add_parser(
        "predict", parents=[model_options], help="depth maps for images or folders of images",
        description="Outputs mirror the input folders, named after each image's stem "
                    "(trip1/img03.heatmap.png); two images that would share a name (img.jpg and "
                    "img.png) keep their extension (img.jpg.heatmap.png). Outputs already there "
                    "are skipped, so an interrupted run resumes where it stopped.")
    predict.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                         help="image files or folders (searched recursively)")
    predict.add_argument("--out", type=Path, required=True, help="output folder")
    predict.add_argument("--format", nargs="+", default=["heatmap"], choices=list(OUTPUT_SUFFIXES),
                         dest="formats", help="outputs to write (default: heatmap)")
    predict.add_argument("--stereo-strength", type=fraction, default=DEFAULT_STEREO_STRENGTH,
                         metavar="F", help="stereo and anaglyph: the nearest things' disparity "
                                           "as a fraction of the width (default: %(default)s)")
    predict.add_argument("--overwrite", action="store_true",
                         help="redo images whose outputs exist (default: skip them)")
    predict.add_argument("--runner", choices=RUNNERS, default="local",
                         help="where the batch runs: local (this process, default) or ray (an "
                              "actor pool on Ray Data; pip install 'depthviz[ray]'); the old "
                              "spelling --engine local|ray still works")
    predict.add_argument("--ray-address", help="Ray cluster to join, e.g. ray://head:10001 or "
                                               "auto (default: a private local instance)")
    predict.add_argument("--ray-workers", type=positive_int, metavar="N",
                         help="model copies in the Ray actor pool (default: one per CPU)")

    video = commands.add_parser(
        "video", parents=[model_options], help="a depth heatmap video (H.264 MP4) from a video",
        description="Same frame count, size and frame rate as the input (twice the width with "
                    "--side-by-side); colours are stable over time; audio is not copied.")
    video.add_argument("input", type=Path, metavar="IN", help="video file (MP4, MOV, WebM, ...)")
    video.add_argument("--out", type=Path, required=True,
                       help="output file, ending in .mp4 (H.264 MP4 is what is written)")
    video.add_argument("--side-by-side", action="store_true",
                       help="each frame on the left, its heatmap on the right")

    parallax = commands.add_parser(
        "parallax", parents=[model_options], help="a parallax \"3D photo\" loop from one photo",
        description="The camera moves a little around the photo (or dollies in and out); nearer "
                    "things shift more than far ones. MP4 (H.264), or an animated GIF when OUT "
                    "ends in .gif (at most 640 px wide and 15 fps).")
    parallax.add_argument("photo", type=Path, metavar="PHOTO", help="image file")
    parallax.add_argument("--out", type=Path, required=True, help="output .mp4 or .gif file")
    parallax.add_argument("--seconds", type=float, default=DEFAULT_SECONDS,
                          help="loop length (default: %(default)s)")
    parallax.add_argument("--fps", type=positive_int, default=DEFAULT_FPS,
                          help="frames per second (default: %(default)s)")
    parallax.add_argument("--motion", choices=MOTIONS, default="circle",
                          help="camera path (default: %(default)s)")
    parallax.add_argument("--strength", type=fraction, default=DEFAULT_PARALLAX_STRENGTH,
                          metavar="F", help="how far the nearest things move, as a fraction of "
                                            "the width (default: %(default)s)")

    add_serve_command(commands)
    commands.add_parser("models", help="list models and whether their weights are present")

    fetch = commands.add_parser("fetch", help="download a model's weights into the model home")
    fetch.add_argument("model", choices=sorted(REGISTRY))
    return parser


def add_serve_command(commands) -> None:
    serve = commands.add_parser(
        "serve", help="an HTTP API: POST a photo to /v1/depth, get its depth map (FastAPI)",
        description="Docs at http://HOST:PORT/docs once running. See README 'HTTP API'.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=positive_int, default=8000)
    serve.add_argument("--model", choices=sorted(REGISTRY),
                       help=f"the served model (default: {DEFAULT_MODEL}, or {OFFLINE_MODEL} when "
                            "its weights cannot be had; requests may name another model whose "
                            "weights are here)")
    serve.add_argument("--weights", type=Path, help="weights file (default: model home)")
    serve.add_argument("--engine", default="auto",
                       help="inference engine: auto, openvino, torch, onnxruntime, ...")
    serve.add_argument("--precision", default=None, choices=PRECISIONS,
                       help="network precision (see `depthviz predict --help`)")
    serve.add_argument("--api-key", help="require this key (Authorization: Bearer KEY or "
                                         "X-API-Key: KEY); default: $DEPTHVIZ_API_KEY, else none")
    serve.add_argument("--max-concurrency", type=positive_int, metavar="N",
                       help="requests worked on at once (default: one per CPU core, up to 4)")
    serve.add_argument("--max-queue", type=non_negative_int, metavar="N",
                       help="admitted requests waiting beyond those; more get 503 (default: 32)")
    serve.add_argument("--ray", action="store_true",
                       help="run as a Ray Serve deployment (pip install 'depthviz[serve]')")
    serve.add_argument("--ray-address", help="Ray cluster to join, e.g. auto (default: a private "
                                             "local instance)")
    scaling = serve.add_mutually_exclusive_group()
    scaling.add_argument("--replicas", type=positive_int, default=1, metavar="N",
                         help="Ray Serve model copies (default: 1)")
    scaling.add_argument("--autoscale", type=positive_int, nargs="?", const=4, metavar="MAX",
                         help="let Ray Serve scale between 1 and MAX replicas (default MAX: 4)")


def serve(args: argparse.Namespace) -> int:
    from depthviz.serve.service import ENGINE_MODE, Limits, run_server

    limits = Limits(**{name: value for name, value in (
        ("max_concurrency", args.max_concurrency), ("max_queue", args.max_queue)) if value is not None})
    api_key = args.api_key or os.environ.get("DEPTHVIZ_API_KEY") or None
    weights = args.weights.resolve() if args.weights else None
    try:
        if args.ray:
            from depthviz.serve.ray_serve import run_ray

            run_ray(chosen_model(args), host=args.host, port=args.port, address=args.ray_address,
                    weights=weights, engine=args.engine, precision=args.precision,
                    api_key=api_key, limits=limits, replicas=args.replicas,
                    autoscale_max=args.autoscale)
        else:
            model = load_model(chosen_model(args), weights, args.engine, precision=args.precision,
                               mode=ENGINE_MODE)
            run_server(model, args.host, args.port, api_key=api_key, limits=limits)
    except KeyboardInterrupt:
        pass
    return 0


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


def chosen_model(args: argparse.Namespace) -> str:
    """--model if given; else the default model, or the offline one (with a warning) when the
    default's weights are neither here nor downloadable, as the app does."""
    if args.model is not None:
        return args.model
    if args.weights is None:
        try:
            fetch_weights(DEFAULT_MODEL)
        except WeightsUnavailable as exc:
            print(f"depthviz: warning: {exc}\ndepthviz: using {OFFLINE_MODEL}, the model that "
                  f"works offline. Pass --model {DEFAULT_MODEL} to stop instead.", file=sys.stderr)
            return OFFLINE_MODEL
    return DEFAULT_MODEL


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


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "models":
            return list_models()
        if args.command == "fetch":
            print(fetch_weights(args.model))
            return 0
        if args.command == "serve":
            return serve(args)
        colormap_lut(args.cmap)  # fail on a bad colormap before loading anything
        args.model = chosen_model(args)
        if args.command == "parallax":
            return parallax(args)
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
        where = (str(status.weights_path) if status.weights_present
                 else f"missing ({status.weights_file}; `depthviz fetch {status.name}`)")
        licence = status.licence + ("  NON-COMMERCIAL use only" if status.non_commercial else "")
        print(f"{status.name}{'  [non-commercial]' if status.non_commercial else ''}\n"
              f"    {status.description}\n"
              f"    licence: {licence}\n"
              f"    output: {'metres (metric)' if status.metric else 'relative depth'}; "
              f"input size: {status.input_size} px\n"
              f"    weights: {where}\n"
              f"    engines: {', '.join(status.engines)}; "
              f"auto: {status.auto_engine} ({status.auto_reason})")
    return 0


def model_spec(args: argparse.Namespace) -> ModelSpec:
    weights = args.weights.resolve() if args.weights else None  # Ray workers run elsewhere
    return ModelSpec(args.model, weights, args.model_engine, args.input_size, args.precision)


def predict(args: argparse.Namespace) -> int:
    settings = OutputSettings(args.out.resolve(), tuple(dict.fromkeys(args.formats)), args.cmap,
                              args.invert, args.stereo_strength)
    plan = plan_batch(collect_images(args.paths, exclude=settings.out_dir), settings,
                      args.overwrite)
    if not plan.total:
        print("depthviz: error: no image files found in the paths given (JPEG, PNG, WebP, BMP, "
              "TIFF or GIF, in folders searched recursively). Check the paths.", file=sys.stderr)
        return 2
    print(f"{plan.total} image{'' if plan.total == 1 else 's'}: {len(plan.tasks)} to do, "
          f"{len(plan.skipped)} already done"
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
    if args.runner == "ray":
        from depthviz.batch.ray_data import run_on_ray

        return run_on_ray(tasks, settings, model_spec(args), args.ray_address, args.ray_workers)
    return run_local(tasks, settings, model_spec(args))


def video(args: argparse.Namespace) -> int:
    from depthviz.batch.video import depth_video
    from depthviz.outputs.mp4 import check_output_name

    check_output_name(args.out)
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


def parallax(args: argparse.Namespace) -> int:
    from depthviz.scene.parallax import write_parallax

    suffix = args.out.suffix.lower()
    if suffix not in (".mp4", ".gif"):
        raise DepthvizError(f"--out must end in .mp4 or .gif, not '{args.out.name}'.")
    if not 0.5 <= args.seconds <= 30:
        raise DepthvizError(f"--seconds must be between 0.5 and 30, not {args.seconds}.")
    rgb = load_image(args.photo)
    model = model_spec(args).load()
    depth = model.predict(rgb)
    with tqdm(unit="frame", disable=None, file=sys.stderr) as bar:
        def on_frame(done: int, expected: int) -> None:
            bar.total = expected
            bar.update(done - bar.n)

        with atomic_path(args.out) as partial:
            frames = write_parallax(partial, rgb, depth, model.metric, args.seconds, args.fps,
                                    args.motion, args.strength, gif=suffix == ".gif",
                                    on_frame=on_frame)
    print(f"{args.out}: a {args.seconds:g} s loop of {frames} frames")
    return 0
