"""Wall times of the command line as a user runs it: a 24-photo folder on the local and the Ray
runner, and a 40-frame video. Prints a Markdown table.

    .venv/bin/python bench/bench_cli.py [--side 4032] [--models fastdepth midas_small]

Each run is a fresh `depthviz` process, so Ray's start-up (a local instance, one model per
worker) is included: that is what a user waits for. MiDaS runs with seeded weights (same
network, same cost) when the real ones are not in the model home.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image
from stamp import stamp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
DEPTHVIZ = [sys.executable, "-m", "depthviz"]


def photo_folder(folder: Path, count: int, side: int) -> None:
    """`count` real photos (scikit-image), resized so the longer side is `side`, as JPEGs in
    two subfolders."""
    from skimage import data

    photos = [data.coffee(), data.rocket(), data.chelsea(), data.astronaut(),
              data.stereo_motorcycle()[0]]
    for index in range(count):
        rgb = photos[index % len(photos)]
        scale = side / max(rgb.shape[:2])
        size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
        path = folder / f"trip{index % 2 + 1}" / f"img{index:02d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC)).save(path, quality=90)


def pan_clip(path: Path, frames: int, width: int, height: int) -> None:
    """A camera pan across a photo: `frames` frames of width x height at 30 fps, H.264."""
    from skimage import data

    wide = cv2.resize(data.coffee(), (width + 2 * frames, height), interpolation=cv2.INTER_CUBIC)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(30))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            frame = np.ascontiguousarray(wide[:, 2 * index:2 * index + width])
            out.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        out.mux(stream.encode(None))


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def model_args(model: str, work: Path) -> list[str]:
    import depthviz

    status = next(s for s in depthviz.available_models() if s.name == model)
    if status.weights_present or model != "midas_small":
        return ["--model", model]
    from midas_seeded import write_seeded_checkpoint

    weights = work / "midas_v21_small_256.pt"
    if not weights.exists():
        write_seeded_checkpoint(weights)
    return ["--model", model, "--weights", str(weights)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--side", type=int, default=4032, help="longer side of each photo")
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--video-size", default="1280x720")
    parser.add_argument("--models", nargs="+", default=["fastdepth", "midas_small"])
    args = parser.parse_args()
    print(stamp() + "\n")
    width, height = map(int, args.video_size.split("x"))

    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        photo_folder(work / "photos", args.photos, args.side)
        pan_clip(work / "clip.mp4", args.frames, width, height)
        print("| model | job | wall time | per item |\n|---|---|---|---|")
        for model in args.models:
            chosen = model_args(model, work)
            for runner in ("local", "ray"):
                seconds = timed([*DEPTHVIZ, "predict", str(work / "photos"), "--out",
                                 str(work / f"out-{model}-{runner}"), "--runner", runner,
                                 "--format", "heatmap", "npy", *chosen])
                print(f"| {model} | {args.photos} photos ({args.side} px), --runner {runner} "
                      f"| {seconds:.1f} s | {seconds / args.photos:.2f} s |")
            skip = timed([*DEPTHVIZ, "predict", str(work / "photos"), "--out",
                          str(work / f"out-{model}-local"), "--format", "heatmap", "npy", *chosen])
            print(f"| {model} | the same again (all skipped) | {skip:.1f} s | |")
            for extra in ([], ["--side-by-side"]):
                seconds = timed([*DEPTHVIZ, "video", str(work / "clip.mp4"), "--out",
                                 str(work / f"{model}.mp4"), *chosen, *extra])
                print(f"| {model} | {args.frames}-frame video ({width}x{height}) "
                      f"{' '.join(extra)} | {seconds:.1f} s | {seconds / args.frames:.2f} s |")


if __name__ == "__main__":
    main()
