"""`depthviz video`: a depth heatmap video from a video (the 'video' extra: PyAV)."""

from __future__ import annotations

import argparse
from pathlib import Path

from depthviz.cli.model_choice import model_spec, settle_model
from depthviz.cli.progress import frame_progress
from depthviz.extras import require_extra
from depthviz.io.files import atomic_path


def add_video_command(commands: argparse._SubParsersAction,
                      model_options: argparse.ArgumentParser) -> None:
    video = commands.add_parser(
        "video", parents=[model_options], help="a depth heatmap video (H.264 MP4) from a video",
        description="Same frame count, size and frame rate as the input (twice the width with "
                    "--side-by-side); colours are stable over time; audio is not copied.")
    video.add_argument("input", type=Path, metavar="IN", help="video file (MP4, MOV, WebM, ...)")
    video.add_argument("--out", type=Path, required=True,
                       help="output file, ending in .mp4 (H.264 MP4 is what is written)")
    video.add_argument("--side-by-side", action="store_true",
                       help="each frame on the left, its heatmap on the right")
    video.set_defaults(func=run_video)


def run_video(args: argparse.Namespace) -> int:
    require_extra("video", "av", feature="depthviz video")
    settle_model(args)
    from depthviz.batch.video import depth_video
    from depthviz.outputs.mp4 import check_output_name

    check_output_name(args.out)
    model = model_spec(args).load()
    with frame_progress() as on_frame, atomic_path(args.out) as partial:
        info = depth_video(args.input, partial, model, args.cmap, args.invert,
                           args.side_by_side, on_frame=on_frame)
    print(f"{args.out}: {info.frames} frames, {info.width}x{info.height} at "
          f"{float(info.fps):.3g} fps")
    return 0
