"""Depth Anything V2 Small: depthviz against the official recipe on a 600x400 photo.

    make bench        # or: .venv/bin/python bench/bench_depth_anything.py [--rounds N]

The baseline is the official `DepthAnythingV2.infer_image(bgr, 518)` re-implemented step by
step (cv2.cvtColor on the BGR photo, float64 / 255, the lower_bound Resize with cv2 INTER_CUBIC
on float64, float64 normalisation, the torch forward with DINOv2's plain attention (q @ k^T,
softmax, @ v: what the official code runs without xformers), bilinear align_corners=True back to
the photo) on the same seeded weights (tests/depth_anything_seeded.py: the official checkpoint
cannot be downloaded here; speed depends on shapes, not values).

Rows: the baseline; depthviz on torch (float32 preprocessing, SDPA attention); depthviz on
OpenVINO f32 at 518 (the official size) and at 308 (an interactive size). Times are medians of
rounds taken in turns across rows, so load from other processes hits every row alike. Pearson is
against the baseline's output at 518. Peak RSS is measured in a fresh process that loads the
converted OpenVINO model (as later loads do: no torch) and predicts the photo once at 518.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # depth_anything_seeded: the seeded official checkpoint

from depth_anything_seeded import write_seeded_checkpoint  # noqa: E402
from stamp import stamp  # noqa: E402

import depthviz  # noqa: E402
from depthviz.engines.openvino_engine import OpenVinoEngine, import_openvino  # noqa: E402
from depthviz.models import lookup  # noqa: E402
from depthviz.models.depth_model import DepthModel  # noqa: E402

NAME = "depth_anything_v2_small"
INTERACTIVE = 308
MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])


def official_size(height: int, width: int, side: int = 518, multiple: int = 14) -> tuple[int, int]:
    """util/transform.py Resize.get_size, keep_aspect_ratio=True, resize_method="lower_bound"."""
    scale_height, scale_width = side / height, side / width
    scale = scale_width if scale_width > scale_height else scale_height

    def constrain(x: float, min_val: int) -> int:
        y = (np.round(x / multiple) * multiple).astype(int)
        if y < min_val:
            y = (np.ceil(x / multiple) * multiple).astype(int)
        return int(y)

    return constrain(scale * height, side), constrain(scale * width, side)


def official_infer_image(network, bgr: np.ndarray, input_size: int = 518) -> np.ndarray:
    """DepthAnythingV2.infer_image: image2tensor, forward, upsample (all as upstream)."""
    import torch
    from torch.nn import functional as F

    image = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB) / 255.0
    height, width = image.shape[:2]
    new_height, new_width = official_size(height, width, input_size)
    image = cv2.resize(image, (new_width, new_height), interpolation=cv2.INTER_CUBIC)
    image = (image - MEAN) / STD
    batch = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1))).unsqueeze(0)
    with torch.no_grad():
        depth = network(batch.float())
        depth = F.interpolate(depth[:, None], (height, width), mode="bilinear",
                              align_corners=True)[0, 0]
    return depth.numpy()


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def peak_rss_mb(ir_path: Path, weights: Path) -> float:
    """Peak RSS of a fresh process that loads the IR and predicts the photo once."""
    # VmHWM, not getrusage: ru_maxrss survives exec, so a child forked from this big process
    # would report this process's peak as its own.
    code = f"""
import sys
from pathlib import Path
from skimage import data
from depthviz.engines.openvino_engine import OpenVinoEngine
from depthviz.models import lookup
from depthviz.models.depth_model import DepthModel
card, family = lookup({NAME!r})
model = DepthModel(card, family, OpenVinoEngine(Path({str(ir_path)!r}), "f32"),
                   Path({str(weights)!r}))
model.predict(data.coffee())
assert "torch" not in sys.modules
status = Path("/proc/self/status").read_text()
print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=600)
    return float(result.stdout.strip().splitlines()[-1]) / 1024  # kB -> MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(stamp() + "\n")
    from skimage import data

    rgb = data.coffee()  # 600x400, RGB
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    card, family = lookup(NAME)
    with tempfile.TemporaryDirectory() as scratch:
        weights = write_seeded_checkpoint(Path(scratch) / card.weights.filename)
        baseline_net = family.network(card, weights)
        for block in baseline_net.pretrained.blocks:
            block.attn.fused_attn = False  # DINOv2's own Attention: q @ k^T, softmax, @ v
        torch_model = depthviz.load_model(NAME, weights=weights, engine="torch")
        started = time.perf_counter()
        ir_path = Path(scratch) / "model.xml"
        import_openvino().save_model(family.to_openvino(card, weights), str(ir_path),
                                     compress_to_fp16=False)
        print(f"OpenVINO conversion (once per weights file): {time.perf_counter() - started:.0f} s")
        engine = OpenVinoEngine(ir_path, "f32")
        interactive = DepthModel(card.with_input_size(INTERACTIVE), family, engine, weights)
        rows = {
            "official infer_image (torch, float64 prep), 518": lambda: official_infer_image(
                baseline_net, bgr),
            "depthviz torch, 518": lambda: torch_model.predict(rgb),
            "depthviz OpenVINO f32, 518": lambda: DepthModel(card, family, engine,
                                                             weights).predict(rgb),
            f"depthviz OpenVINO f32, {INTERACTIVE}": lambda: interactive.predict(rgb),
        }
        outputs, times = {}, {name: [] for name in rows}
        for name, run in rows.items():  # warm-up, and the outputs compared
            outputs[name] = run()
        for _ in range(args.rounds):
            for name, run in rows.items():
                started = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - started)
        rss = peak_rss_mb(ir_path, weights)
    baseline_name = next(iter(rows))
    baseline = np.median(times[baseline_name])
    print(f"\nDepth Anything V2 Small, 600x400 photo (skimage coffee), seeded weights, "
          f"median of {args.rounds} rounds\n")
    print("| path | seconds | speed-up vs official | Pearson vs official 518 |")
    print("|---|---|---|---|")
    for name in rows:
        seconds = np.median(times[name])
        print(f"| {name} | {seconds:.3f} | {baseline / seconds:.2f}x | "
              f"{pearson(outputs[name], outputs[baseline_name]):.7f} |")
    print(f"\nPeak RSS, fresh process, OpenVINO f32 load + one 518 prediction: {rss:.0f} MB")


if __name__ == "__main__":
    main()
