"""The alignment rules: a known scale and shift in inverse depth removed exactly, median
scaling, metric output taken as it is, clipping, and prediction resized to the ground truth."""

from __future__ import annotations

import numpy as np
import pytest

import depthviz
from depthviz.errors import EvaluationError
from depthviz.evaluation import Pair

RNG = np.random.default_rng(19)


class FakeModel:
    """Predicts a fixed inverse-depth map (at the photo's size unless it is another size)."""

    def __init__(self, inverse: np.ndarray, metric: bool, name: str = "fake"):
        self.inverse, self.metric, self.name = inverse, metric, name

    def predict(self, rgb: np.ndarray) -> np.ndarray:
        return self.inverse.astype(np.float32)


def scene(height: int = 24, width: int = 32) -> np.ndarray:
    """Ground truth between 0.5 and 10 m, some pixels unmeasured."""
    gt = RNG.uniform(0.5, 10.0, (height, width))
    gt[RNG.random((height, width)) < 0.1] = 0.0
    return gt


def pair(gt: np.ndarray, photo_shape: tuple[int, int] | None = None) -> Pair:
    height, width = photo_shape or gt.shape
    return Pair("scene", _png(height, width), gt)


def _png(height: int, width: int) -> bytes:
    import cv2

    return cv2.imencode(".png", np.full((height, width, 3), 128, np.uint8))[1].tobytes()


def test_a_known_scale_and_shift_in_inverse_depth_is_removed_exactly():
    gt = scene()
    with np.errstate(divide="ignore"):
        inverse = np.where(gt > 0, 1 / gt, 0.3)
    model = FakeModel((inverse - 0.05) / 2.5, metric=False)  # s = 2.5, t = 0.05 undo it
    report = depthviz.evaluate(model, [pair(gt)])
    metrics = report.images["scene"]
    assert report.align == "scale-shift"
    assert metrics["abs_rel"] == pytest.approx(0.0, abs=1e-5)
    assert metrics["delta1"] == 1.0
    assert metrics["valid_pixels"] == np.count_nonzero(gt)


def test_a_metric_model_is_taken_as_it_is_unless_told_to_scale():
    gt = scene()
    with np.errstate(divide="ignore"):
        inverse = np.where(gt > 0, 1 / (1.2 * gt), 1.0)  # 20 % too far everywhere
    model = FakeModel(inverse, metric=True)
    as_is = depthviz.evaluate(model, [pair(gt)])
    assert as_is.align == "none"
    assert as_is.mean["abs_rel"] == pytest.approx(0.2, rel=1e-5)
    scaled = depthviz.evaluate(model, [pair(gt)], align="scale")
    assert scaled.mean["abs_rel"] == pytest.approx(0.0, abs=1e-5)
    shifted = depthviz.evaluate(model, [pair(gt)], align="scale-shift")
    assert shifted.align == "scale-shift" and shifted.mean["abs_rel"] < 1e-5


def test_none_is_refused_for_a_relative_model():
    with pytest.raises(EvaluationError, match="metric model"):
        depthviz.evaluate(FakeModel(np.ones((4, 4)), metric=False), [pair(scene(4, 4))],
                          align="none")
    with pytest.raises(EvaluationError, match="align must be"):
        depthviz.evaluate(FakeModel(np.ones((4, 4)), metric=True), [pair(scene(4, 4))],
                          align="median")


def test_the_depth_range_selects_ground_truth_and_clips_predictions():
    gt = np.array([[1.0, 2.0], [4.0, 20.0]])
    model = FakeModel(np.full(gt.shape, 1 / 8.0), metric=True)  # 8 m everywhere
    report = depthviz.evaluate(model, [pair(gt)], min_depth=1.5, max_depth=5.0)
    metrics = report.images["scene"]
    assert metrics["valid_pixels"] == 2  # 2 m and 4 m; 1 m and 20 m are out of range
    # 8 m clipped to 5 m: |5-2|/2 and |5-4|/4.
    assert metrics["abs_rel"] == pytest.approx((1.5 + 0.25) / 2)


def test_the_prediction_is_resized_to_the_ground_truth_bilinearly_half_pixel_centres():
    """A metric model's inverse depth is a ramp across a 40x64 photo; the ground truth, 10x16,
    holds that ramp sampled where bilinear resizing with align_corners=False samples it (source
    x = (x + 0.5) * 4 - 0.5): exactly right only with that rule."""
    columns = np.arange(64, dtype=np.float64)
    inverse = np.tile(0.2 + 0.01 * columns, (40, 1))
    sampled_x = (np.arange(16) + 0.5) * 4 - 0.5
    gt = np.tile(1 / (0.2 + 0.01 * sampled_x), (10, 1))
    report = depthviz.evaluate(FakeModel(inverse, metric=True), [pair(gt, (40, 64))])
    assert report.images["scene"]["abs_rel"] == pytest.approx(0.0, abs=1e-6)
    # The corner-aligned rule would sample x * 63 / 15 instead and be off.
    corner_x = np.arange(16) * 63 / 15
    assert np.abs(corner_x - sampled_x).max() > 1


def test_a_pair_without_valid_pixels_is_skipped_and_reported():
    good, empty = scene(4, 4), np.zeros((4, 4))
    model = FakeModel(np.ones((4, 4)), metric=True)
    report = depthviz.evaluate(model, [pair(good), Pair("empty", pair(empty).photo, empty)])
    assert list(report.images) == ["scene"]
    assert "no ground-truth pixel" in report.skipped["empty"]
    with pytest.raises(EvaluationError, match="No pair could be evaluated"):
        depthviz.evaluate(model, [Pair("empty", pair(empty).photo, empty)])
