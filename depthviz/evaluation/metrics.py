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
    # Few passes over the pixels: d/g serves AbsRel, SqRel, the logs (ln d - ln g = ln(d/g)) and
    # the deltas.
    difference = d - g
    ratio_minus_1 = d / g - 1.0
    log_error = np.log1p(ratio_minus_1)
    n = d.size
    mean_log_error = log_error.mean()
    square_log_error = float(np.dot(log_error, log_error)) / n
    ratio = 1.0 + ratio_minus_1
    worst_ratio = np.maximum(ratio, 1.0 / ratio)
    metrics = {
        "abs_rel": float(np.abs(ratio_minus_1).mean()),
        "sq_rel": float(np.dot(difference, ratio_minus_1)) / n,
        "rmse": float(np.sqrt(np.dot(difference, difference) / n)),
        "rmse_log": float(np.sqrt(square_log_error)),
        "log10": float(np.abs(log_error).mean() / np.log(10.0)),
        "silog": 100.0 * float(np.sqrt(max(square_log_error - mean_log_error ** 2, 0.0))),
    }
    for k in (1, 2, 3):
        metrics[f"delta{k}"] = int(np.count_nonzero(worst_ratio < 1.25 ** k)) / n
    return metrics | {"valid_pixels": n}
