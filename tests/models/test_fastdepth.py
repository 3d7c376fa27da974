"""FastDepth, the real pretrained offline model: convention and quality on real photos."""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy.stats import spearmanr

import depthviz
from depthviz.models.fastdepth import FASTDEPTH, FastDepth


def test_prediction_ranks_like_the_true_disparity(fastdepth, motorcycle):
    """Inverse depth and disparity are both larger for nearer points: their ranks must agree."""
    left, disparity = motorcycle
    depth = fastdepth.predict(left)
    finite = np.isfinite(disparity)
    rho = spearmanr(depth[finite], disparity[finite]).statistic
    assert rho >= 0.7, rho


def test_output_follows_the_depthviz_convention(fastdepth, coffee):
    depth = fastdepth.predict(coffee)
    assert depth.dtype == np.float32 and depth.shape == coffee.shape[:2]
    assert np.isfinite(depth).all()
    # The network outputs depth in metres (larger = farther); predict must invert it.
    raw = fastdepth.engine.run(FastDepth().preprocess(FASTDEPTH, coffee))[0]
    small = np.asarray(Image.fromarray(depth).resize(raw.shape[::-1], Image.BILINEAR))
    assert spearmanr(small.ravel(), raw.ravel()).statistic < -0.9


def test_pil_images_and_arrays_give_the_same_depth(fastdepth, coffee):
    np.testing.assert_array_equal(fastdepth.predict(Image.fromarray(coffee)),
                                  fastdepth.predict(coffee))


def test_weights_file_is_the_published_one(fastdepth):
    from depthviz.io.weights import sha256_of

    assert sha256_of(fastdepth.weights_path) == FASTDEPTH.weights.sha256
    status = {s.card.name: s for s in depthviz.available_models()}["fastdepth"]
    assert status.weights_present and status.auto.engine in status.card.engines
