"""Where two models disagree about one photo's depth.

Relative depth has an unknown scale and shift per model, so two maps of the same photo cannot be
subtracted as they are. The second map is first fitted to the first by least squares in inverse
depth (the models' native output, larger = nearer); what is left after that fit is where they
really disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from depthviz.outputs.colorize import colorize, depth_range

#: Diverging, white in the middle: agreement looks blank, disagreement stands out in red
#: (the second model puts it nearer) or blue (farther), whatever colormap the heatmaps use.
DIFFERENCE_COLORMAP = "RdBu_r"
#: The colours span this percentile of the absolute difference, so a few wild pixels (a sky the
#: models scale differently, a thin edge) do not wash everything else out to white.
SPREAD_PERCENTILE = 99.0


@dataclass(frozen=True)
class DepthDifference:
    """`other` fitted to `reference`, and what remains, in units of the reference's range."""

    difference: np.ndarray  # HxW float32: (scale * other + shift - reference) / reference range
    scale: float
    shift: float
    spread: float  # the colour scale runs from -spread (blue) to +spread (red)
    median: float  # half the pixels differ by less than this (fraction of the range)

    def heatmap(self) -> np.ndarray:
        """HxWx3 uint8 RGB: red where the other model is nearer, blue where farther."""
        return colorize(self.difference, DIFFERENCE_COLORMAP,
                        value_range=(-self.spread, self.spread))


def align(reference: np.ndarray, other: np.ndarray) -> tuple[float, float]:
    """(scale, shift) minimising the squared error of `scale * other + shift - reference` over
    the pixels finite in both maps: the closed-form least-squares line fit."""
    if reference.shape != other.shape:
        raise ValueError(f"Depth maps differ in shape: {reference.shape} vs {other.shape}.")
    finite = np.isfinite(reference) & np.isfinite(other)
    ref = reference[finite].astype(np.float64)
    oth = other[finite].astype(np.float64)
    if ref.size == 0:
        return 0.0, 0.0
    ref_mean, other_mean = ref.mean(), oth.mean()
    centred = oth - other_mean
    variance = float(np.dot(centred, centred))
    scale = float(np.dot(centred, ref - ref_mean)) / variance if variance > 0 else 0.0
    return scale, float(ref_mean - scale * other_mean)


def depth_difference(reference: np.ndarray, other: np.ndarray) -> DepthDifference:
    """Fit `other` to `reference` (see `align`) and measure where they still disagree."""
    scale, shift = align(reference, other)
    low, high = depth_range(reference)
    span = high - low if high > low else 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        difference = ((scale * other.astype(np.float64) + shift - reference) / span)
    difference = np.nan_to_num(difference.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    size = np.abs(difference)
    spread = float(np.percentile(size, SPREAD_PERCENTILE)) if size.size else 0.0
    median = float(np.median(size)) if size.size else 0.0
    return DepthDifference(difference, scale, shift, max(spread, 1e-3), median)
