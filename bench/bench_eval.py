"""Evaluation overhead (issue 19): what `depthviz.evaluate` costs per photo beyond the model's
own inference.

    .venv/bin/python bench/bench_eval.py [--photos N] [--rounds N]

A folder of N pairs, each scikit-image's motorcycle (741x500 PNG) with its true depth as a
16-bit millimetre PNG, is evaluated with FastDepth (the offline model, real weights, engine
auto). Rows, medians of rounds, per photo: `evaluate()` on the folder; the same photos'
`model.predict` alone (decoded beforehand); the difference, which is the overhead; and of it,
decoding the photo (PNG) and its ground truth, the rest being resizing, aligning and the
metrics.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from stamp import stamp

import depthviz
from depthviz.evaluation import folder_pairs, motorcycle_sample


def write_pairs(folder: Path, photos: int) -> list[np.ndarray]:
    sample = motorcycle_sample()
    rgb, metres = sample.rgb(), sample.depth_metres()
    millimetres = np.where(np.isfinite(metres), np.round(metres * 1000), 0).astype(np.uint16)
    for index in range(photos):
        cv2.imwrite(str(folder / f"m{index}.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        cv2.imwrite(str(folder / f"m{index}.depth.png"), millimetres)
    return [rgb] * photos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(stamp(), end="\n\n")
    model = depthviz.load_model("fastdepth")
    with tempfile.TemporaryDirectory() as tmp:
        rgbs = write_pairs(Path(tmp), args.photos)
        model.predict(rgbs[0])  # warm-up
        pairs = folder_pairs(tmp).pairs
        evaluated, inferred, decoded = [], [], []
        for _ in range(args.rounds):  # in turns, so load from other processes hits both alike
            started = time.perf_counter()
            depthviz.evaluate(model, tmp)
            evaluated.append((time.perf_counter() - started) / args.photos)
            started = time.perf_counter()
            for rgb in rgbs:
                model.predict(rgb)
            inferred.append((time.perf_counter() - started) / args.photos)
            started = time.perf_counter()
            for pair in pairs:
                pair.rgb(), pair.depth_metres()
            decoded.append((time.perf_counter() - started) / args.photos)
    evaluate_ms, predict_ms = statistics.median(evaluated) * 1e3, statistics.median(inferred) * 1e3
    print(f"FastDepth on {model.engine_name} {model.engine.precision}, {args.photos} photos of "
          f"741x500, {args.rounds} rounds, per photo:")
    print(f"  evaluate():          {evaluate_ms:7.1f} ms")
    print(f"  model.predict alone: {predict_ms:7.1f} ms")
    decode_ms = statistics.median(decoded) * 1e3
    print(f"  overhead:            {evaluate_ms - predict_ms:7.1f} ms, of which decoding the "
          f"photo and its ground truth {decode_ms:.1f} ms")


if __name__ == "__main__":
    main()
