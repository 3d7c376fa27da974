"""The field's depth metrics (Eigen et al. 2014, as the MiDaS and Depth Anything papers report
them), computed over the valid pixels of one pair of depth maps in metres, vectorised."""

from __future__ import annotations

from typing import Optional

import numpy as np

#: Every metric of one image, in the order tables show them; errors: lower is better, deltas:
#: higher is better.
METRICS = ("abs_rel", "sq_rel", "rmse", "rmse_log", "log10", "silog",
           "delta1", "delta2", "delta3", "valid_pixels")
HIGHER_IS_BETTER = ("delta1", "delta2", "delta3")
#: What tables call them.
TITLES = {"abs_rel": "AbsRel", "sq_rel": "SqRel", "rmse": "RMSE", "rmse_log": "RMSElog",
          "log10": "log10", "silog": "SILog", "delta1": "δ1", "delta2": "δ2", "delta3": "δ3",
          "valid_pixels": "pixels"}


def depth_metrics(pred_depth: np.ndarray, gt_depth: np.ndarray,
                  valid: Optional[np.ndarray] = None) -> dict[str, float]:
    """The metrics of aligned depth `pred_depth` against `gt_depth` (both HxW metres) over
    `valid` pixels (default: ground truth finite and above 0; prediction must be positive)."""
    pred, gt = np.asarray(pred_depth, np.float64), np.asarray(gt_depth, np.float64)
    if pred.shape != gt.shape:
        raise ValueError(f"prediction {pred.shape} and ground truth {gt.shape} differ in shape")
    if valid is None:
        with np.errstate(invalid="ignore"):
            valid = np.isfinite(gt) & (gt > 0)
    d, g = pred[valid], gt[valid]
    if not d.size:
        raise ValueError("no valid ground-truth pixel to evaluate")
    difference = d - g
    log_error = np.log(d) - np.log(g)
    ratio = np.maximum(d / g, g / d)
    metrics = {
        "abs_rel": np.mean(np.abs(difference) / g),
        "sq_rel": np.mean(np.square(difference) / g),
        "rmse": np.sqrt(np.mean(np.square(difference))),
        "rmse_log": np.sqrt(np.mean(np.square(log_error))),
        "log10": np.mean(np.abs(log_error)) / np.log(10.0),
        "silog": 100.0 * np.sqrt(max(np.mean(np.square(log_error)) - np.mean(log_error) ** 2,
                                     0.0)),
    }
    for k in (1, 2, 3):
        metrics[f"delta{k}"] = np.mean(ratio < 1.25 ** k)
    return {name: float(value) for name, value in metrics.items()} | {"valid_pixels": int(d.size)}
