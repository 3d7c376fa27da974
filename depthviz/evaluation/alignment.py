"""A model's output -> depth in metres on the ground truth's pixels, by the field's protocol:
relative models aligned by least squares in inverse depth (scale and shift), metric models taken
as they are (or median-scaled), then clipped to the evaluated depth range."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from depthviz.errors import EvaluationError

#: `align` values: auto (scale-shift for relative models, none for metric ones), scale-shift
#: (least squares in inverse depth), scale (median scaling of depth), none (metric output as is).
ALIGNMENTS = ("auto", "scale-shift", "scale", "none")
#: The aligned inverse depth's floor when no farthest depth is given (depth at most 1e8 m).
INVERSE_FLOOR = 1e-8


@dataclass(frozen=True)
class DepthRange:
    """Ground truth counts within [min_depth, max_depth] metres; predictions are clipped to it."""

    min_depth: float = 0.001
    max_depth: float = math.inf

    def __post_init__(self) -> None:
        if not 0 < self.min_depth < self.max_depth:
            raise EvaluationError(f"The depth range must satisfy 0 < min_depth < max_depth, not "
                                  f"{self.min_depth} and {self.max_depth}.")

    def valid(self, gt: np.ndarray) -> np.ndarray:
        """Pixels measured (finite) within the range."""
        with np.errstate(invalid="ignore"):
            return np.isfinite(gt) & (gt >= self.min_depth) & (gt <= self.max_depth)

    @property
    def inverse_floor(self) -> float:
        return 1.0 / self.max_depth if math.isfinite(self.max_depth) else INVERSE_FLOOR


def resolve_alignment(align: str, metric: bool) -> str:
    """The rule `align` means for a model: auto picks scale-shift (relative) or none (metric);
    none is refused for a relative model, whose output has no unit."""
    if align not in ALIGNMENTS:
        raise EvaluationError(f"align must be one of {', '.join(ALIGNMENTS)}, not {align!r}.")
    if align == "auto":
        return "none" if metric else "scale-shift"
    if align == "none" and not metric:
        raise EvaluationError("align='none' needs a metric model: a relative model's output has "
                              "no unit; use auto, scale-shift or scale.")
    return align


def at_size(prediction: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The prediction at the ground truth's size (bilinear, align_corners=False), float64."""
    height, width = shape[:2]
    if prediction.shape[:2] != (height, width):
        prediction = cv2.resize(np.asarray(prediction, np.float32), (width, height),
                                interpolation=cv2.INTER_LINEAR)
    return np.asarray(prediction, np.float64)


def scale_shift(inverse: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """s, t minimising sum (s * inverse + t - target)^2 (closed form, float64; a constant
    prediction gets s = 0, t = mean(target))."""
    x, y = inverse.astype(np.float64), target.astype(np.float64)
    x_mean = x.mean()
    x -= x_mean
    spread = float(np.dot(x, x))
    s = float(np.dot(x, y)) / spread if spread > 0 else 0.0
    return s, float(y.mean() - s * x_mean)

def aligned_depth(prediction: np.ndarray, gt: np.ndarray, valid: np.ndarray, rule: str,
                  depth_range: DepthRange) -> np.ndarray:
    """Depth in metres from the model's inverse depth `prediction` (at the ground truth's size)
    by a resolved alignment `rule`, clipped to the depth range."""
    floor = depth_range.inverse_floor
    if rule == "scale-shift":
        s, t = scale_shift(prediction[valid], 1.0 / gt[valid])
        inverse = prediction * s
        inverse += t
    else:
        inverse = prediction.copy()
    np.maximum(inverse, floor, out=inverse)
    depth = np.reciprocal(inverse, out=inverse)
    if rule == "scale":
        depth *= np.median(gt[valid]) / np.median(depth[valid])
    return np.clip(depth, depth_range.min_depth, depth_range.max_depth, out=depth)
