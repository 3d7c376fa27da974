"""Every metric pinned on hand-made depth maps whose answer is known in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from depthviz import depth_metrics

GT = np.array([[1.0, 2.0, 4.0], [0.5, 3.0, 8.0]])


def test_a_perfect_prediction_has_no_error():
    metrics = depth_metrics(GT.copy(), GT)
    for name in ("abs_rel", "sq_rel", "rmse", "rmse_log", "log10", "silog"):
        assert metrics[name] == pytest.approx(0.0, abs=1e-12), name
    assert metrics["delta1"] == metrics["delta2"] == metrics["delta3"] == 1.0
    assert metrics["valid_pixels"] == GT.size


@pytest.mark.parametrize("factor", [1.1, 1 / 1.1])
def test_a_constant_factor(factor):
    metrics = depth_metrics(factor * GT, GT)
    assert metrics["abs_rel"] == pytest.approx(abs(factor - 1))
    assert metrics["sq_rel"] == pytest.approx((factor - 1) ** 2 * GT.mean())
    assert metrics["rmse"] == pytest.approx(abs(factor - 1) * math.sqrt(np.mean(GT ** 2)))
    assert metrics["rmse_log"] == pytest.approx(abs(math.log(factor)))
    assert metrics["log10"] == pytest.approx(abs(math.log10(factor)))
    assert metrics["silog"] == pytest.approx(0.0, abs=1e-6)  # a scale is all it is off by
    assert metrics["delta1"] == 1.0


@pytest.mark.parametrize("factor, deltas", [(1.3, (0.0, 1.0, 1.0)), (1 / 1.3, (0.0, 1.0, 1.0)),
                                            (1.7, (0.0, 0.0, 1.0)), (2.0, (0.0, 0.0, 0.0))])
def test_the_deltas_count_ratios_below_powers_of_1_25_either_way(factor, deltas):
    metrics = depth_metrics(factor * GT, GT)
    assert (metrics["delta1"], metrics["delta2"], metrics["delta3"]) == deltas


def test_half_the_pixels_twice_as_far():
    pred = GT.copy()
    pred[0] *= 2
    metrics = depth_metrics(pred, GT)
    assert metrics["abs_rel"] == pytest.approx(0.5)
    assert metrics["rmse_log"] == pytest.approx(math.log(2) / math.sqrt(2))
    # e is ln 2 on half the pixels, 0 on the others: its spread is ln 2 / 2.
    assert metrics["silog"] == pytest.approx(100 * math.log(2) / 2)
    assert metrics["delta1"] == metrics["delta2"] == metrics["delta3"] == 0.5


def test_unmeasured_pixels_are_ignored_whatever_is_predicted_there():
    gt = GT.copy()
    gt[0, 0], gt[0, 1], gt[1, 2] = 0.0, np.nan, np.inf
    pred = 1.1 * GT
    pred[0, 0], pred[0, 1], pred[1, 2] = 1e6, 1e-6, 7.0
    metrics = depth_metrics(pred, gt)
    assert metrics["valid_pixels"] == 3
    assert metrics["abs_rel"] == pytest.approx(0.1)
    assert metrics["delta1"] == 1.0


def test_an_explicit_valid_mask_and_shape_checks():
    valid = np.zeros(GT.shape, bool)
    valid[1] = True
    pred = GT.copy()
    pred[0] = 100.0
    assert depth_metrics(pred, GT, valid)["abs_rel"] == 0.0
    with pytest.raises(ValueError, match="shape"):
        depth_metrics(GT[:1], GT)
    with pytest.raises(ValueError, match="no valid"):
        depth_metrics(GT, np.zeros_like(GT))
