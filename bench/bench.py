"""depthviz benchmark: the photo-to-PNG path against the tutorial path, stage by stage, and
the precisions.

    make bench                      # or: .venv/bin/python bench/bench.py [--quick] [--engines]

Three tables (see bench/README.md): the end-to-end ratios (12 MP JPEG -> heatmap PNG bytes
against the tutorial path: OpenCV decode, the official recipe, applyColorMap, cv2.imencode;
600x400 JPEG -> depth against the official recipe; peak memory; photos per second in latency
and throughput mode), the 12 MP stage table (decode, preprocess, upsample, colour levels, PNG
encode: depthviz against a measured floor for the same work), and the precision table (speed,
agreement with the reference engine, Spearman to the motorcycle's true depth, the rule's
verdict) for FastDepth and MiDaS. `--engines` adds the older table of every engine below.

Columns: the reference path (the official PyTorch Hub recipe for MiDaS small on the decoded
array: float64 /255, cv2 INTER_CUBIC, normalise, torch forward, torch bicubic upsampling; then a
tutorial's heatmap: numpy LUT indexing and Pillow's PNG defaults), depthviz on each engine, and
FastDepth (real weights) on its engines, whose ratios are against FastDepth on onnxruntime.
MiDaS runs with seeded weights (the official checkpoint cannot be downloaded here): its speed is
the real network's, its accuracy figures are of a random network that magnifies every rounding
difference (see bench/README.md).

Times are medians of repeats taken in turns across columns, so load from other processes on a
shared machine hits every column alike. Peak memory is measured in a fresh process per column.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # midas_seeded: the seeded checkpoint in official format
sys.path.insert(0, str(ROOT / "bench"))  # stamp, also when a test imports this file by path

from stamp import stamp  # noqa: E402

import depthviz  # noqa: E402
from depthviz.engines import openvino_cache, openvino_engine  # noqa: E402
from depthviz.engines.base import installed_engines  # noqa: E402
from depthviz.engines.precision import MAX_SPEARMAN_LOSS, MIN_TRUTH_SPEARMAN  # noqa: E402
from depthviz.io.weights import model_home  # noqa: E402
from depthviz.models import get_card, lookup  # noqa: E402
from depthviz.models.depth_model import DepthModel  # noqa: E402
from depthviz.models.status import model_status  # noqa: E402
from depthviz.outputs.colorize import colorize, colour_levels  # noqa: E402
from depthviz.outputs.export import heatmap_png  # noqa: E402

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406])
IMAGENET_STD = np.array([0.229, 0.224, 0.225])
SIZES = {"1 MP": (1200, 900), "12 MP": (4000, 3000)}


# --- the reference path: the official recipe, as MiDaS' README and hubconf.py give it ---------

def constrain_to_multiple_of(x: float, multiple: int = 32, max_val: int = 256) -> int:
    y = int(np.round(x / multiple) * multiple)
    if y > max_val:
        y = int(np.floor(x / multiple) * multiple)
    return y


def official_transform(rgb: np.ndarray):
    """midas.transforms: {"image": img / 255.0}, Resize(256, 256, keep_aspect_ratio=True,
    ensure_multiple_of=32, resize_method="upper_bound", INTER_CUBIC), NormalizeImage,
    PrepareForNet, torch.from_numpy(...).unsqueeze(0)."""
    import torch

    image = rgb / 255.0
    scale = min(256 / rgb.shape[0], 256 / rgb.shape[1])
    height = constrain_to_multiple_of(scale * rgb.shape[0])
    width = constrain_to_multiple_of(scale * rgb.shape[1])
    image = cv2.resize(image, (width, height), interpolation=cv2.INTER_CUBIC)
    image = (image - IMAGENET_MEAN) / IMAGENET_STD
    image = np.ascontiguousarray(np.transpose(image, (2, 0, 1))).astype(np.float32)
    return torch.from_numpy(image).unsqueeze(0)


def official_recipe(module, rgb: np.ndarray) -> np.ndarray:
    import torch

    with torch.no_grad():
        prediction = module(official_transform(rgb))
        prediction = torch.nn.functional.interpolate(
            prediction.unsqueeze(1), size=rgb.shape[:2], mode="bicubic", align_corners=False,
        ).squeeze()
    return prediction.cpu().numpy()


def official_decode(data: bytes) -> np.ndarray:
    """cv2.imread + BGR2RGB, as the recipe reads a photo (from bytes here, like the app)."""
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR),
                        cv2.COLOR_BGR2RGB)


def tutorial_heatmap(depth: np.ndarray) -> np.ndarray:
    import matplotlib

    lut = np.round(matplotlib.colormaps["inferno"](np.linspace(0, 1, 256))[:, :3] * 255)
    unit = (depth - depth.min()) / (depth.max() - depth.min())
    return lut.astype(np.uint8)[(unit * 255).astype(np.uint8)]


def tutorial_png(heatmap: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(heatmap).save(buffer, format="PNG")
    return buffer.getvalue()


# --- columns ---------------------------------------------------------------------------------

@dataclass
class Column:
    label: str
    decode: Callable[[bytes], np.ndarray]
    depth: Callable[[np.ndarray], np.ndarray]  # decoded photo -> full-size depth
    heatmap: Callable[[np.ndarray], np.ndarray]  # depth -> HxWx3 uint8
    png: Callable[[np.ndarray], bytes]  # depth -> heatmap PNG bytes
    network: Callable[[np.ndarray], object]  # one forward pass on a network input
    network_input: np.ndarray
    baseline: str  # the column this one's ratios and accuracy are against

    def photo_to_depth(self, data: bytes) -> np.ndarray:
        return self.depth(self.decode(data))

    def photo_to_png(self, data: bytes) -> bytes:
        return self.png(self.photo_to_depth(data))


def bench_dir() -> Path:
    folder = model_home() / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def seeded_midas_weights() -> Path:
    path = bench_dir() / "midas_v21_small_256.seeded.pt"
    if not path.is_file():
        from midas_seeded import write_seeded_checkpoint

        write_seeded_checkpoint(path)
    return path


def library_column(label: str, model: DepthModel, side: int, baseline: str) -> Column:
    return Column(label, depthviz.load_image, model.predict, colorize, heatmap_png,
                  model.engine.run, np.random.default_rng(0).random(
                      (1, 3, side, side), dtype=np.float32), baseline)


def openvino_model(name: str, weights: Path, precision: str) -> DepthModel:
    card, family = lookup(name)
    converted, _ = openvino_cache.prepare(family.bind(card), weights)
    return DepthModel(card, family, openvino_engine.OpenVinoEngine(converted, precision), weights)


def fastdepth_weights() -> Path:
    return depthviz.fetch_weights("fastdepth")


def make_column(key: str) -> Column:
    """One column by key; builds only what that column needs (peak-memory runs rely on it)."""
    if key == "reference":
        import torch

        from depthviz.models.midas_net import load_midas_small

        module = load_midas_small(str(seeded_midas_weights()))

        def forward(batch):
            with torch.no_grad():
                return module(torch.from_numpy(batch))

        return Column("official recipe (torch)", official_decode,
                      lambda rgb: official_recipe(module, rgb), tutorial_heatmap,
                      lambda depth: tutorial_png(tutorial_heatmap(depth)),
                      forward, np.random.default_rng(0).random((1, 3, 256, 256), np.float32),
                      "reference")
    if key == "torch":
        model = depthviz.load_model("midas_small", weights=seeded_midas_weights(), engine="torch")
        return library_column("depthviz torch", model, 256, "reference")
    if key.startswith("openvino-"):
        precision = key.split("-")[1]
        model = openvino_model("midas_small", seeded_midas_weights(), precision)
        return library_column(f"depthviz openvino {precision}", model, 256, "reference")
    if key == "fastdepth-onnxruntime":
        model = depthviz.load_model("fastdepth", engine="onnxruntime")
        return library_column("FastDepth onnxruntime", model, 224, key)
    if key.startswith("fastdepth-openvino-"):
        precision = key.split("-")[2]
        model = openvino_model("fastdepth", fastdepth_weights(), precision)
        return library_column(f"FastDepth openvino {precision}", model, 224,
                              "fastdepth-onnxruntime")
    raise ValueError(f"unknown column {key}")


COLUMN_KEYS = ("reference", "torch", "openvino-f32", "openvino-bf16",
               "fastdepth-onnxruntime", "fastdepth-openvino-f32", "fastdepth-openvino-bf16")


def column_keys() -> tuple[str, ...]:
    """bf16 columns only where the CPU runs bf16 natively (elsewhere OpenVINO runs f32)."""
    native = openvino_engine.supports_bf16()
    return tuple(key for key in COLUMN_KEYS if native or not key.endswith("bf16"))


# --- inputs ----------------------------------------------------------------------------------

def jpeg_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def photos() -> dict[str, bytes]:
    """1 MP and 12 MP JPEGs: scikit-image's coffee cropped to 4:3 and upscaled (a real photo's
    content at phone-camera sizes)."""
    from skimage import data

    coffee = data.coffee()[:, :533]
    result = {}
    for name, (width, height) in SIZES.items():
        path = bench_dir() / f"coffee_{width}x{height}.jpg"
        if not path.is_file():
            path.write_bytes(jpeg_bytes(cv2.resize(coffee, (width, height),
                                                   interpolation=cv2.INTER_CUBIC)))
        result[name] = path.read_bytes()
    return result


def accuracy_photos(jpegs: dict[str, bytes]) -> list[np.ndarray]:
    from skimage import data

    real = [data.coffee(), data.chelsea(), data.rocket(), data.stereo_motorcycle()[0]]
    return real + [depthviz.load_image(jpeg) for jpeg in jpegs.values()]


# --- measuring -------------------------------------------------------------------------------

def interleaved_ms(tasks: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    for task in tasks.values():
        task()  # warm-up
    times: dict[str, list[float]] = {key: [] for key in tasks}
    for _ in range(repeats):
        for key, task in tasks.items():
            time.sleep(0.05)  # the previous engine's worker threads stop spinning and park
            start = time.perf_counter()
            task()
            times[key].append(time.perf_counter() - start)
    return {key: float(np.median(values)) * 1000 for key, values in times.items()}


def peak_rss_mb(key: str, jpeg: Path) -> float:
    """Run decode -> depth -> heatmap PNG for one column in a fresh interpreter."""
    result = subprocess.run([sys.executable, __file__, "--peak-rss", key, str(jpeg)],
                            capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def child_peak_rss(key: str, jpeg: Path) -> None:
    """VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (large) parent across exec."""
    column = make_column(key)
    column.photo_to_png(jpeg.read_bytes())
    status = Path("/proc/self/status").read_text().splitlines()
    print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024)


def accuracy(column: Column, baseline: Column, images: list[np.ndarray]) -> tuple[float, float]:
    """Worst Pearson and worst max |difference| / range over the photos."""
    worst_r, worst_diff = 1.0, 0.0
    for rgb in images:
        got, want = column.depth(rgb), baseline.depth(rgb)
        worst_r = min(worst_r, float(np.corrcoef(got.ravel(), want.ravel())[0, 1]))
        worst_diff = max(worst_diff, float(np.abs(got - want).max() / np.ptp(want)))
    return worst_r, worst_diff


# --- the table -------------------------------------------------------------------------------

def cell_ms(value: float, base: float, show_ratio: bool) -> str:
    text = f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"
    return f"{text} ({base / value:.1f}x)" if show_ratio else text


# --- the tutorial path and the new tables ------------------------------------------------------

def tutorial_photo_to_png(module, data: bytes) -> bytes:
    """What a tutorial does: cv2.imdecode, the official recipe, min-max to uint8,
    cv2.applyColorMap (INFERNO), cv2.imencode PNG with OpenCV's defaults."""
    depth = official_recipe(module, official_decode(data))
    levels = cv2.normalize(depth, None, 0, 255, cv2.NORM_MINMAX, cv2.CV_8U)
    return cv2.imencode(".png", cv2.applyColorMap(levels, cv2.COLORMAP_INFERNO))[1].tobytes()


def jpeg_at(width: int, height: int) -> bytes:
    from skimage import data

    path = bench_dir() / f"coffee_{width}x{height}.jpg"
    if not path.is_file():
        path.write_bytes(jpeg_bytes(cv2.resize(data.coffee()[:, :600], (width, height),
                                               interpolation=cv2.INTER_AREA)))
    return path.read_bytes()


def print_table(header: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


def ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def photos_per_second(model: DepthModel, photo: np.ndarray, count: int) -> float:
    """Photos per second keeping the engine's `parallel_requests` photos in flight."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(model.engine.parallel_requests) as pool:
        list(pool.map(model.predict, [photo] * model.engine.parallel_requests))  # warm-up
        start = time.perf_counter()
        list(pool.map(model.predict, [photo] * count))
    return count / (time.perf_counter() - start)


def end_to_end_table(repeats: int) -> None:
    import torch

    from depthviz.models.midas_net import load_midas_small

    weights = seeded_midas_weights()
    module = load_midas_small(str(weights))
    project = depthviz.load_model("midas_small", weights=weights)  # auto: what users get
    f32 = depthviz.load_model("midas_small", weights=weights, engine="openvino", precision="f32")
    big, small = photos()["12 MP"], jpeg_at(600, 400)
    with torch.no_grad():
        times = interleaved_ms({
            "tutorial png": lambda: tutorial_photo_to_png(module, big),
            "project png": lambda: heatmap_png(f32.predict(depthviz.load_image(big))),
        }, repeats)
        small_times = interleaved_ms({
            "official": lambda: official_recipe(module, official_decode(small)),
            "f32": lambda: f32.predict(depthviz.load_image(small)),
        }, repeats * 3)
    rss = peak_rss_mb("openvino-f32", bench_dir() / "coffee_4000x3000.jpg")
    rows = [
        ["12 MP JPEG -> heatmap PNG bytes (MiDaS small, OpenVINO f32)", ms(times["tutorial png"]),
         ms(times["project png"]), f"{times['tutorial png'] / times['project png']:.1f}x",
         ">= 3x"],
        ["600x400 JPEG -> depth (MiDaS small, OpenVINO f32)", ms(small_times["official"]),
         ms(small_times["f32"]), f"{small_times['official'] / small_times['f32']:.1f}x",
         ">= 2.4x"],
    ]
    auto_precision = project.engine.precision
    if auto_precision != "f32":
        auto_ms = interleaved_ms({"auto": lambda: project.predict(depthviz.load_image(small))},
                                 repeats * 3)["auto"]
        rows.append([f"600x400 JPEG -> depth (MiDaS small, auto = {auto_precision})",
                     ms(small_times["official"]), ms(auto_ms),
                     f"{small_times['official'] / auto_ms:.1f}x", ">= 4x"])
    else:
        rows.append(["600x400 JPEG -> depth, reduced precision where auto picks it", "-",
                     "-", "auto keeps f32 for MiDaS here (see the precision table)", ">= 4x"])
    rows.append(["peak memory, 12 MP JPEG -> heatmap PNG (fresh process, OpenVINO f32)",
                 "", f"{rss:,.0f} MB", "", "< 1 GB"])
    print("End to end (tutorial path: cv2.imdecode, the official recipe, cv2.applyColorMap, "
          "cv2.imencode PNG; MiDaS with seeded weights, same network in both columns):\n")
    print_table(["", "tutorial / official", "depthviz", "speed-up", "target"], rows)

    photo = depthviz.load_image(small)
    rows = []
    for name, model_weights in (("MiDaS small", weights), ("FastDepth", None)):
        key = "midas_small" if model_weights else "fastdepth"
        rates = {mode: photos_per_second(depthviz.load_model(
            key, weights=model_weights, engine="openvino", precision="f32", mode=mode),
            photo, 12 * repeats) for mode in ("latency", "throughput")}
        rows.append([f"{name}, 600x400 photos, OpenVINO f32", f"{rates['latency']:.1f} /s",
                     f"{rates['throughput']:.1f} /s",
                     f"{rates['throughput'] / rates['latency']:.2f}x"])
    print("Batches: photos per second, latency mode (one at a time, the app) against throughput "
          "mode (OpenVINO streams, photos in flight: CLI batches, Ray workers, the service):\n")
    print_table(["", "latency", "throughput", "ratio"], rows)


def stage_table(repeats: int) -> None:
    """Each stage of 12 MP JPEG -> heatmap PNG: depthviz against a measured floor for the same
    work (the least any exact implementation must do, measured here)."""
    from isal import isal_zlib

    from depthviz.io.resize import cubic_taps
    from depthviz.outputs.colorize import colormap_lut
    from depthviz.outputs.png import palette_png

    data = photos()["12 MP"]
    model = depthviz.load_model("midas_small", weights=seeded_midas_weights(), engine="openvino",
                                precision="f32")
    recipe = model.family.bind(model.card)
    rgb = depthviz.load_image(data)
    size = rgb.shape[:2]
    network_size = model.family.network_size(model.card, *size)
    batch = recipe.preprocess(rgb)
    raw = model.engine.run(batch)[0]
    depth = recipe.postprocess(raw, size)
    levels = colour_levels(depth)
    lut = colormap_lut("inferno")
    rows_i, _ = cubic_taps(size[0], network_size[0])
    cols_i, _ = cubic_taps(size[1], network_size[1])
    upsampled = np.empty(size, np.float32)
    level_buffer = np.empty(size, np.uint8)
    low, high = float(depth.min()), float(depth.max())
    scale = 255.0 / (high - low)
    stages = {
        "decode (JPEG -> RGB)": (
            lambda: depthviz.load_image(data),
            lambda: cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR),
            "cv2.imdecode to BGR, no header or EXIF checks"),
        "preprocess (cubic reduction to the network)": (
            lambda: recipe.preprocess(rgb),
            lambda: np.take(np.take(rgb, rows_i.ravel(), axis=0), cols_i.ravel(), axis=1),
            "gathering the 4x4 taps alone (uint8)"),
        "network (OpenVINO f32)": (
            lambda: model.engine.run(batch), None, ""),
        "upsample (bicubic to full size)": (
            lambda: recipe.postprocess(raw, size),
            lambda: cv2.resize(raw, size[::-1], dst=upsampled, interpolation=cv2.INTER_CUBIC),
            "cv2.resize into a reused buffer"),
        "colour levels (depth -> uint8)": (
            lambda: colour_levels(depth),
            lambda: cv2.addWeighted(depth, scale, depth, 0.0, -low * scale, dst=level_buffer,
                                    dtype=cv2.CV_8U),
            "one pass into a reused buffer, range known"),
        "PNG encode (palette PNG)": (
            lambda: palette_png(levels, lut),
            lambda: isal_zlib.compress(levels, 0),
            "ISA-L level 0 of the raw levels, one core"),
        "depth -> heatmap PNG bytes (levels + encode)": (
            lambda: heatmap_png(depth), None, ""),
    }
    tasks = {}
    for name, (project, floor, _) in stages.items():
        tasks[name] = project
        if floor is not None:
            tasks[name + " floor"] = floor
    measured = interleaved_ms(tasks, repeats)
    rows = [[name, ms(measured[name]), ms(measured[name + " floor"]) if floor else "",
             f"{measured[name] / measured[name + ' floor']:.1f}x" if floor else "", what]
            for name, (_, floor, what) in stages.items()]
    print(f"12 MP stages ({size[1]}x{size[0]} JPEG, MiDaS small at {network_size[1]}x"
          f"{network_size[0]}; medians):\n")
    print_table(["stage", "depthviz", "floor", "over floor", "floor = "], rows)


def precision_table(repeats: int) -> None:
    """Per model and precision: speed, agreement with the reference engine (calibration photos),
    Spearman to the motorcycle's true disparity, and the rule's verdict (engines/precision.py)."""
    photo = depthviz.load_image(jpeg_at(600, 400))
    rows = []
    for key, weights, note in (("fastdepth", fastdepth_weights(), "real weights"),
                               ("midas_small", seeded_midas_weights(), "seeded weights")):
        card, family = lookup(key)
        models: dict[str, DepthModel] = {}
        unavailable: dict[str, str] = {}
        for precision in ("f32", "bf16", "int8"):
            try:
                models[precision] = depthviz.load_model(key, weights=weights, engine="openvino",
                                                        precision=precision)
            except depthviz.EngineUnavailable as exc:
                unavailable[precision] = str(exc).split(";")[0]
        reference = depthviz.load_model(key, weights=weights, engine=card.reference_engine)
        # re-checked with int8 once built
        _, verdict = openvino_cache.prepare(family.bind(card), weights)
        auto = depthviz.load_model(key, weights=weights)
        batch = family.preprocess(card, photo)
        timings = interleaved_ms(
            {**{f"net {p}": (lambda m=m, b=batch: m.engine.run(b)) for p, m in models.items()},
             "net reference": lambda r=reference, b=batch: r.engine.run(b),
             **{f"photo {p}": (lambda m=m: m.predict(photo)) for p, m in models.items()},
             "photo reference": lambda r=reference: r.predict(photo)}, repeats)
        judged = (verdict.truth_f32 or 0.0) >= MIN_TRUTH_SPEARMAN
        label = f"{card.title} ({note})"
        rows.append([label, f"reference: {card.reference_engine}", ms(timings["net reference"]),
                     ms(timings["photo reference"]), "1 (reference)", "", "", ""])
        for precision in ("f32", "bf16", "int8"):
            if precision in unavailable:
                rows.append([label, precision, "", "", "", "", unavailable[precision], ""])
                continue
            truth = (f"{verdict.truth_f32:.4f}" if precision == "f32" else
                     (lambda t: f"{t.spearman:.4f} ({t.change:+.4f}, 95% {t.change_low:+.4f} "
                                f"to {t.change_high:+.4f})")(verdict.truth[precision])
                     if precision in verdict.truth else "")
            if precision == "f32":
                rule = "the baseline"
            elif judged and precision in verdict.truth:
                rule = (f"passes: a loss <= {MAX_SPEARMAN_LOSS} is shown"
                        if verdict.truth[precision].passes else
                        f"fails: a loss <= {MAX_SPEARMAN_LOSS} is not shown")
            else:
                rule = ("passes" if verdict.pearson.get(precision, 0) >= 0.999 else "fails") + \
                    " the agreement bar (f32 does not track the truth: no judge)"
            rows.append([label, f"OpenVINO {precision}", ms(timings[f"net {precision}"]),
                         ms(timings[f"photo {precision}"]),
                         f"{verdict.pearson.get(precision, float('nan')):.4f}", truth, rule,
                         f"auto runs {auto.engine_name} {auto.engine.precision}"
                         if precision == "f32" else ""])
    print("Precisions (network alone at the model's size for a 600x400 photo; Pearson: worst over "
          "the three calibration photos against the reference engine; Spearman: the motorcycle "
          "against its true disparity, change from f32 with a 95% block-bootstrap interval):\n")
    print_table(["model", "precision", "network", "600x400 JPEG -> depth", "Pearson vs reference",
                 "Spearman to truth", "rule", "auto"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a rough look)")
    parser.add_argument("--engines", action="store_true", help="add the table of every engine")
    parser.add_argument("--peak-rss", nargs=2, metavar=("COLUMN", "JPEG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_rss:
        child_peak_rss(args.peak_rss[0], Path(args.peak_rss[1]))
        return
    load_before = os.getloadavg()[0]
    print(stamp() + "\n")
    end_to_end_table(3 if args.quick else 7)
    stage_table(5 if args.quick else 15)
    precision_table(5 if args.quick else 15)
    if args.engines:
        engine_table(args.quick)
    print(f"Load average: {load_before:.2f} at start, {os.getloadavg()[0]:.2f} at end.")


def engine_table(quick: bool) -> None:
    repeats = {"network": 7, "1 MP": 3, "12 MP": 2} if quick else {
        "network": 25, "1 MP": 7, "12 MP": 7}
    jpegs = photos()
    columns = {key: make_column(key) for key in column_keys()}
    rows: list[tuple[str, dict[str, str]]] = []

    def timed_row(title: str, tasks: dict[str, Callable[[], object]], reps: int) -> None:
        measured = interleaved_ms(tasks, reps)
        rows.append((title, {key: cell_ms(value, measured[columns[key].baseline],
                                          key != columns[key].baseline)
                             for key, value in measured.items()}))

    timed_row("network only, 256x256 (FastDepth 224x224)",
              {key: (lambda c=c: c.network(c.network_input)) for key, c in columns.items()},
              repeats["network"])
    decoded = {name: depthviz.load_image(data) for name, data in jpegs.items()}
    for name, data in jpegs.items():
        reps = repeats[name]
        timed_row(f"{name} JPEG -> depth",
                  {key: (lambda c=c, d=data: c.photo_to_depth(d)) for key, c in columns.items()},
                  reps)
        timed_row(f"{name} JPEG -> heatmap PNG",
                  {key: (lambda c=c, d=data: c.photo_to_png(d)) for key, c in columns.items()},
                  reps)
    big = decoded["12 MP"]
    timed_row("12 MP decoded array -> heatmap",
              {key: (lambda c=c: c.heatmap(c.depth(big))) for key, c in columns.items()},
              repeats["12 MP"])
    depths = {key: c.depth(big) for key, c in columns.items()}
    timed_row("12 MP depth -> heatmap PNG",
              {key: (lambda c=c, k=key: c.png(depths[k])) for key, c in columns.items()},
              repeats["12 MP"])

    big_path = bench_dir() / "coffee_4000x3000.jpg"
    rows.append(("peak memory, 12 MP JPEG -> heatmap PNG (fresh process)",
                 {key: f"{peak_rss_mb(key, big_path):,.0f} MB" for key in columns}))
    images = accuracy_photos(jpegs)
    scores = {key: accuracy(c, columns[c.baseline], images) for key, c in columns.items()}
    rows.append(("Pearson vs reference (worst of 6 photos)",
                 {key: "reference" if key == columns[key].baseline else f"{r:.6f}"
                  for key, (r, _) in scores.items()}))
    rows.append(("max abs diff / range vs reference (worst)",
                 {key: "reference" if key == columns[key].baseline else f"{d:.1e}"
                  for key, (_, d) in scores.items()}))

    weights = {"midas_small": seeded_midas_weights(), "fastdepth": fastdepth_weights()}
    auto = {name: model_status(get_card(name), path, installed_engines()).auto
            for name, path in weights.items()}

    print("engine='auto' chose: " + "; ".join(
              f"{name} -> {choice.engine}: {choice.reason}" for name, choice in auto.items()))
    print("Ratios (x) are speed-ups over the column's reference: the official recipe for MiDaS "
          "columns, FastDepth on onnxruntime for FastDepth columns.\n")
    header = ["", *(columns[key].label for key in columns)]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for title, cells in rows:
        print("| " + " | ".join([title, *(cells[key] for key in columns)]) + " |")


if __name__ == "__main__":
    main()
