"""`depthviz predict`: depth maps for images and folder trees, resumable, locally or on Ray."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from tqdm import tqdm

from depthviz.batch.plan import (
    OUTPUT_SUFFIXES,
    Outcome,
    OutputSettings,
    Plan,
    WorkItem,
    collect_images,
    plan_batch,
)
from depthviz.batch.run import run_local
from depthviz.cli.model_choice import model_spec, settle_model
from depthviz.cli.options import RUNNERS, fraction, positive_int
from depthviz.extras import require_extra
from depthviz.scene.stereo import DEFAULT_STEREO_STRENGTH

#: Output formats written with trimesh (the '3d' extra).
MESH_FORMATS = ("ply", "glb")


def add_predict_command(commands: argparse._SubParsersAction,
                        model_options: argparse.ArgumentParser) -> None:
    predict = commands.add_parser(
        "predict", parents=[model_options], help="depth maps for images or folders of images",
        description="Outputs mirror the input folders, named after each image's stem, a "
                    "heatmap after its colours too (trip1/img03.inferno.heatmap.png); two images "
                    "that would share a name (img.jpg and img.png) keep their extension "
                    "(img.jpg.inferno.heatmap.png). Outputs already there are skipped, so an "
                    "interrupted run resumes where it stopped.")
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
    predict.set_defaults(func=run_predict)


def run_predict(args: argparse.Namespace) -> int:
    for fmt in MESH_FORMATS:
        if fmt in args.formats:
            require_extra("3d", "trimesh", feature=f"--format {fmt}")
    if args.runner == "ray":
        require_extra("ray", "ray", feature="--runner ray")
    settle_model(args)
    settings = OutputSettings(args.out.resolve(), tuple(dict.fromkeys(args.formats)), args.cmap,
                              args.invert, args.stereo_strength)
    plan = plan_batch(collect_images(args.paths, exclude=settings.out_dir), settings,
                      args.overwrite)
    if not plan.total:
        print("depthviz: error: no image files found in the paths given (JPEG, PNG, WebP, BMP, "
              "TIFF or GIF, in folders searched recursively). Check the paths.", file=sys.stderr)
        return 2
    announce(plan)
    started = time.perf_counter()
    written, failed = run_with_progress(args, plan.pending, settings)
    failed += len(plan.conflicts)
    print(f"{written} written, {len(plan.skipped)} skipped (already done), {failed} failed "
          f"in {time.perf_counter() - started:.1f} s; outputs in {settings.out_dir}")
    return 1 if failed else 0


def announce(plan: Plan) -> None:
    """What is to do, on stderr, and each input whose outputs would collide with another's."""
    print(f"{plan.total} image{'' if plan.total == 1 else 's'}: {len(plan.pending)} to do, "
          f"{len(plan.skipped)} already done"
          + (" (--overwrite redoes them)" if plan.skipped else "") + ".", file=sys.stderr)
    for conflict in plan.conflicts:
        print(f"depthviz: {conflict.source}: {conflict.error}", file=sys.stderr)


def run_with_progress(args: argparse.Namespace, items: Sequence[WorkItem],
                      settings: OutputSettings) -> tuple[int, int]:
    """Run the items with a progress bar, each failure on its own line; (written, failed)."""
    written = failed = 0
    with tqdm(total=len(items), unit="image", disable=None, file=sys.stderr) as bar:
        for outcome in run_batch(args, items, settings):
            bar.update()
            if outcome.error:
                failed += 1
                bar.write(f"depthviz: {outcome.source}: {outcome.error}", file=sys.stderr)
            else:
                written += 1
    return written, failed


def run_batch(args: argparse.Namespace, items: Sequence[WorkItem],
              settings: OutputSettings) -> Iterator[Outcome]:
    """The outcomes of the runner --runner names."""
    if args.runner == "ray":
        from depthviz.batch.ray_data import run_on_ray

        return run_on_ray(items, settings, model_spec(args), args.ray_address, args.ray_workers)
    return run_local(items, settings, model_spec(args))
