"""What the app draws: the maps keep the photo's orientation and one depth scale, the histogram
counts every valid pixel once, on the diagonal for a perfect prediction."""

from __future__ import annotations

import numpy as np

from depthviz.evaluation.run import PairResult
from depthviz.evaluation.views import depth_histogram, pair_views


def result(gt: np.ndarray, depth: np.ndarray) -> PairResult:
    valid = np.isfinite(gt)
    return PairResult("x", np.zeros((*gt.shape, 3), np.uint8), gt, depth, valid,
                      {}, 0.0)


def test_maps_are_subsampled_upright_and_share_one_scale():
    gt = np.tile(np.linspace(1.0, 5.0, 400)[:, None], (1, 600))  # near at the top, far below
    depth = gt * 1.5
    gt[:50, :50] = np.nan
    views = pair_views(result(gt, depth), max_side=100)
    assert views.gt.shape == views.depth.shape == views.error.shape == (67, 100)
    assert views.gt[-1, -1] > views.gt[20, -1]  # not flipped
    assert np.isnan(views.gt[0, 0]) and np.isnan(views.error[0, 0])
    assert not np.isnan(views.depth[0, 0])  # the prediction is shown whole
    low, high = views.depth_range
    assert 1.0 <= low < 1.2 and 7.0 < high <= 7.5  # spans truth and prediction alike
    assert np.allclose(views.error[~np.isnan(views.error)], 0.5)


def test_the_histogram_of_a_perfect_prediction_is_its_diagonal():
    gt = np.random.default_rng(0).uniform(1, 10, (30, 40))
    gt[0] = np.nan
    histogram = depth_histogram(result(gt, gt.copy()), bins=20)
    assert histogram.counts.sum() == 29 * 40
    assert np.array_equal(np.diag(np.diag(histogram.counts)), histogram.counts)
    assert histogram.edges[0] == np.nanmin(gt) and histogram.edges[-1] == np.nanmax(gt)
