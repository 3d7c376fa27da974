"""3D speed (issue 10): a 12 MP photo -> GLB, and the parallax loop of a 1 MP photo.

    make bench        # or: .venv/bin/python bench/bench_3d.py [--rounds N]

Targets: 12 MP photo -> GLB bytes with the default face budget in under 2 s once the depth map
exists; a 3 s, 30 fps parallax MP4 of a 1 MP photo in under 10 s on this 2-core machine.

The photo is scikit-image's coffee (a real photo) cropped to 4:3 and resized to 4032x3024
(12.2 MP) and 1152x864 (1.0 MP); its depth map is FastDepth's (the offline model, real weights),
at the photo's size as `predict` returns it. Rows:
- GLB: scene.formats.glb_file (to_mesh + glb_bytes, the photo as texture), and each part.
- Parallax, in process: write_parallax to an MP4 file from the photo and its depth map, and its
  stages measured alone: the ViewWarper set-up, one frame's render, one frame's H.264 encode.
- Parallax, command: `depthviz parallax photo.jpg --out loop.mp4 --model fastdepth` in a fresh
  process (Python start, imports, model load, JPEG decode, prediction, the video): what a
  person waits for.

Wall times are medians of rounds; CPU seconds (user + system of this process, or of the child)
are medians too: unlike wall time they hardly depend on what else a shared machine runs, and
CPU / wall above 1 means both cores were used. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
from stamp import stamp

import depthviz
from depthviz.outputs.mp4 import H264Writer, open_mp4
from depthviz.scene.formats import glb_file
from depthviz.scene.mesh import to_mesh
from depthviz.scene.mesh_files import glb_bytes
from depthviz.scene.parallax import (
    DEFAULT_FPS,
    DEFAULT_PARALLAX_STRENGTH,
    DEFAULT_SECONDS,
    PARALLAX_X264_PRESET,
    camera_path,
    write_parallax,
)
from depthviz.scene.warp import ViewWarper

SIZES = {"12 MP": (4032, 3024), "1 MP": (1152, 864)}
GLB_TARGET_S, PARALLAX_TARGET_S = 2.0, 10.0
#: Frames timed one by one for the per-frame render and encode rows.
STAGE_FRAMES = 30


def coffee_at(width: int, height: int) -> np.ndarray:
    """scikit-image's coffee photo, its centre cropped to width:height, resized (cubic)."""
    from skimage import data

    photo = data.coffee()
    rows, cols = photo.shape[:2]
    crop = min(cols, round(rows * width / height))
    photo = photo[:, (cols - crop) // 2:(cols - crop) // 2 + crop]
    return cv2.resize(photo, (width, height), interpolation=cv2.INTER_CUBIC)


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of one call; CPU is this process's user + system time."""
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def timed_command(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a child process; CPU is the child's user + system time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def per_frame(times: tuple[float, float]) -> tuple[float, float]:
    return times[0] / STAGE_FRAMES, times[1] / STAGE_FRAMES


def encode_frames(frames: list[np.ndarray]) -> None:
    """The loop's encoding alone: H.264 at the parallax preset, into memory."""
    with open_mp4(io.BytesIO()) as container:
        writer = H264Writer(container, Fraction(DEFAULT_FPS), PARALLAX_X264_PRESET)
        for picture in frames:
            writer.write(picture)
        writer.finish()


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(stamp() + "\n")
    print(f"depthviz from {Path(depthviz.__file__).parent}; {os.cpu_count()} CPUs; "
          f"load average {load()} (1, 5, 15 min) at the start")
    model = depthviz.load_model("fastdepth")
    big, small = (coffee_at(*SIZES[name]) for name in SIZES)
    big_depth, small_depth = model.predict(big), model.predict(small)
    prediction = timed(lambda: model.predict(big))
    frames = round(DEFAULT_SECONDS * DEFAULT_FPS)

    with tempfile.TemporaryDirectory() as scratch:
        photo, loop = Path(scratch) / "photo.jpg", Path(scratch) / "loop.mp4"
        cv2.imwrite(str(photo), cv2.cvtColor(small, cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, 92])
        warper = ViewWarper(small, small_depth)
        amplitude = DEFAULT_PARALLAX_STRENGTH * warper.width
        views = [(dx * amplitude, dy * amplitude) for dx, dy, _ in camera_path(STAGE_FRAMES)]
        rendered = [warper.render(*view) for view in views]
        mesh = to_mesh(big, big_depth)
        rows: dict[str, Callable[[], tuple[float, float]]] = {
            "12 MP photo -> GLB bytes (glb_file: to_mesh + glb_bytes)":
                lambda: timed(lambda: glb_file(big, big_depth)),
            "  to_mesh (default budget)": lambda: timed(lambda: to_mesh(big, big_depth)),
            "  glb_bytes (textured)": lambda: timed(lambda: glb_bytes(mesh, big)),
            f"1 MP parallax MP4, {frames} frames, in process (write_parallax)":
                lambda: timed(lambda: write_parallax(loop, small, small_depth, model.metric)),
            "  ViewWarper set-up": lambda: timed(lambda: ViewWarper(small, small_depth)),
            "  render, per frame": lambda: per_frame(
                timed(lambda: [warper.render(*view) for view in views])),
            "  H.264 encode, per frame": lambda: per_frame(timed(lambda: encode_frames(rendered))),
            "1 MP parallax MP4, command in a fresh process (model load included)":
                lambda: timed_command([sys.executable, "-m", "depthviz", "parallax", str(photo),
                                       "--out", str(loop), "--model", "fastdepth"]),
        }
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in rows}
        for _ in range(args.rounds):  # rounds in turns across rows: load hits every row alike
            for name, run in rows.items():
                results[name].append(run())

    print(f"\nMedians of {args.rounds} rounds. FastDepth's prediction of the 12 MP photo "
          f"(excluded from the GLB row): {prediction[0]:.2f} s.\n")
    print("| step | wall s | CPU s | target |")
    print("|---|---|---|---|")
    targets = {next(iter(rows)): GLB_TARGET_S}
    targets.update({name: PARALLAX_TARGET_S for name in rows if name.startswith("1 MP")})
    for name, runs in results.items():
        wall, cpu = np.median(np.array(runs), axis=0)
        target = targets.get(name)
        verdict = ("" if target is None
                   else f"< {target:g} s: {'met' if wall < target else 'MISSED'}")
        print(f"| {name} | {wall:.3f} | {cpu:.3f} | {verdict} |")
    print(f"\nload average {load()} at the end")


if __name__ == "__main__":
    main()
