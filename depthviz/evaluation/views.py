"""What a person looks at to see where a model is wrong: the ground truth, the aligned
prediction and the relative error at screen size on one depth scale, and a 2-D histogram of
predicted against true depth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from depthviz.evaluation.run import PairResult

#: Longest side of the maps sent to a browser.
VIEW_SIDE = 320
#: Percentiles of true and predicted depth the shared colour scale spans (outliers saturate).
SCALE_PERCENTILES = (1.0, 99.0)


@dataclass(frozen=True)
class PairViews:
    """Screen-size maps (NaN = no ground truth there) and the shared depth range, metres."""

    gt: np.ndarray
    depth: np.ndarray  # everywhere: the whole of what the model sees
    error: np.ndarray  # |d - g| / g
    depth_range: tuple[float, float]


def _subsample(values: np.ndarray, max_side: int) -> np.ndarray:
    """Every n-th pixel (nearest: holes in the ground truth stay holes, values stay true)."""
    step = max(1, int(np.ceil(max(values.shape) / max_side)))
    return values[::step, ::step]


def pair_views(result: PairResult, max_side: int = VIEW_SIDE) -> PairViews:
    both = np.concatenate([result.gt[result.valid], result.depth[result.valid]])
    low, high = np.percentile(both, SCALE_PERCENTILES)
    return PairViews(_subsample(np.where(result.valid, result.gt, np.nan), max_side),
                     _subsample(result.depth, max_side),
                     _subsample(result.relative_error, max_side), (float(low), float(high)))


@dataclass(frozen=True)
class DepthHistogram:
    """Pixel counts by (true, predicted) depth bin; `edges` in metres, shared by both axes."""

    counts: np.ndarray  # [predicted bin, true bin]
    edges: np.ndarray

    @property
    def centres(self) -> np.ndarray:
        return (self.edges[:-1] + self.edges[1:]) / 2


def depth_histogram(result: PairResult, bins: int = 60) -> DepthHistogram:
    """Every valid pixel counted, on the square range both depths span."""
    true, predicted = result.gt[result.valid], result.depth[result.valid]
    edges = np.linspace(min(true.min(), predicted.min()), max(true.max(), predicted.max()),
                        bins + 1)
    counts, _, _ = np.histogram2d(predicted, true, bins=(edges, edges))
    return DepthHistogram(counts, edges)
