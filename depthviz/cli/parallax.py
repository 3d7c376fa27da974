"""`depthviz parallax`: a "3D photo" loop from one photo, as MP4 (the 'video' extra) or GIF."""

from __future__ import annotations

import argparse
from pathlib import Path

from depthviz.cli.model_choice import model_spec, settle_model
from depthviz.cli.options import fraction, positive_int
from depthviz.cli.progress import frame_progress
from depthviz.errors import DepthvizError
from depthviz.extras import require_extra
from depthviz.io.files import atomic_path
from depthviz.io.images import load_image
from depthviz.scene.parallax import (
    DEFAULT_FPS,
    DEFAULT_PARALLAX_STRENGTH,
    DEFAULT_SECONDS,
    MOTIONS,
    write_parallax,
)


def add_parallax_command(commands: argparse._SubParsersAction,
                         model_options: argparse.ArgumentParser) -> None:
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
    parallax.set_defaults(func=run_parallax)


def run_parallax(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower()
    if suffix == ".mp4":
        require_extra("video", "av", feature=f"depthviz parallax --out {args.out.name}")
    settle_model(args)
    if suffix not in (".mp4", ".gif"):
        raise DepthvizError(f"--out must end in .mp4 or .gif, not '{args.out.name}'.")
    if not 0.5 <= args.seconds <= 30:
        raise DepthvizError(f"--seconds must be between 0.5 and 30, not {args.seconds}.")
    rgb = load_image(args.photo)
    model = model_spec(args).load()
    depth = model.predict(rgb)
    with frame_progress() as on_frame, atomic_path(args.out) as partial:
        frames = write_parallax(partial, rgb, depth, model.metric, args.seconds, args.fps,
                                args.motion, args.strength, gif=suffix == ".gif",
                                on_frame=on_frame)
    print(f"{args.out}: a {args.seconds:g} s loop of {frames} frames")
    return 0
