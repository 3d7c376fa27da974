"""An evaluation written from issue 19's protocol alone, sharing no code with depthviz.evaluate:
the reference the library's and the CLI's numbers must equal to 1e-6 relative."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image


def write_folder(folder: Path, left: np.ndarray, disparity: np.ndarray) -> Path:
    """Three pairs from the motorcycle: a 16-bit millimetre PNG at the photo's size, float32
    metres (.npy) at half size with far pixels dropped, and a PFM for a cropped photo."""
    folder.mkdir()
    with np.errstate(invalid="ignore"):
        metres = 193.001 * 994.978 / (disparity.astype(np.float64) + 31.086) / 1000
    metres[~np.isfinite(metres)] = 0.0
    Image.fromarray(left).save(folder / "full.png")
    cv2.imwrite(str(folder / "full.depth.png"), np.round(metres * 1000).astype(np.uint16))
    Image.fromarray(left).save(folder / "half.jpg", quality=95)
    half = cv2.resize(metres, (metres.shape[1] // 2, metres.shape[0] // 2),
                      interpolation=cv2.INTER_NEAREST).astype(np.float32)
    half[half > 4.0] = np.nan
    np.save(folder / "half.depth.npy", half)
    crop = slice(100, 400), slice(200, 600)
    Image.fromarray(left[crop]).save(folder / "crop.webp", lossless=True)
    rows = np.flipud(metres[crop].astype("<f4"))
    (folder / "crop.depth.pfm").write_bytes(b"Pf\n400 300\n-1.0\n" + rows.tobytes())
    return folder


def ground_truth(path: Path) -> np.ndarray:
    """Metres, NaN where nothing was measured, read with the plainest tools."""
    if path.suffix == ".png":
        gt = cv2.imread(str(path), cv2.IMREAD_UNCHANGED).astype(np.float64) * 0.001
    elif path.suffix == ".npy":
        gt = np.load(path).astype(np.float64)
    else:
        header, body = path.read_bytes().split(b"\n-1.0\n", 1)
        width, height = map(int, header.split()[1:])
        gt = np.flipud(np.frombuffer(body, "<f4").reshape(height, width)).astype(np.float64)
    gt[~np.isfinite(gt) | (gt <= 0)] = np.nan
    return gt


def reference_metrics(inverse: np.ndarray, gt: np.ndarray, min_depth: float = 0.001,
                      max_depth: float = np.inf) -> dict[str, float]:
    """Scale and shift in inverse depth by least squares (np.linalg.lstsq), then the metrics."""
    p = cv2.resize(inverse, (gt.shape[1], gt.shape[0]), interpolation=cv2.INTER_LINEAR)
    p = p.astype(np.float64)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(gt) & (gt >= min_depth) & (gt <= max_depth)
    design = np.stack([p[valid], np.ones(valid.sum())], axis=1)
    (s, t), *_ = np.linalg.lstsq(design, 1.0 / gt[valid], rcond=None)
    floor = 1.0 / max_depth if np.isfinite(max_depth) else 1e-8
    d = np.clip(1.0 / np.maximum(s * p + t, floor), min_depth, max_depth)[valid]
    g = gt[valid]
    e = np.log(d) - np.log(g)
    ratio = np.maximum(d / g, g / d)
    return {"abs_rel": np.mean(np.abs(d - g) / g), "sq_rel": np.mean((d - g) ** 2 / g),
            "rmse": np.sqrt(np.mean((d - g) ** 2)), "rmse_log": np.sqrt(np.mean(e ** 2)),
            "log10": np.mean(np.abs(np.log10(d) - np.log10(g))),
            "silog": 100 * np.sqrt(np.mean(e ** 2) - np.mean(e) ** 2),
            "delta1": np.mean(ratio < 1.25), "delta2": np.mean(ratio < 1.25 ** 2),
            "delta3": np.mean(ratio < 1.25 ** 3), "valid_pixels": valid.sum()}


def reference_evaluation(model, folder: Path, **depth_range: float) -> dict[str, dict]:
    """Photo stem -> the reference metrics of `model` (any object with predict(rgb))."""
    results = {}
    for depth_file in sorted(folder.glob("*.depth.*")):
        stem = depth_file.name.split(".depth.")[0]
        (photo,) = [path for path in folder.glob(f"{stem}.*") if ".depth." not in path.name]
        rgb = np.asarray(Image.open(photo).convert("RGB"))
        results[stem] = reference_metrics(model.predict(rgb), ground_truth(depth_file),
                                          **depth_range)
    return results
