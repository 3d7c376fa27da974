"""depthviz.evaluate with the real FastDepth on a folder the test writes equals, to 1e-6
relative, an evaluation written independently from the protocol (tests/eval_reference.py)."""

from __future__ import annotations

import numpy as np
import pytest
from eval_reference import reference_evaluation, write_folder

import depthviz


@pytest.fixture(scope="module")
def pairs_folder(tmp_path_factory, motorcycle):
    return write_folder(tmp_path_factory.mktemp("eval") / "pairs", *motorcycle)


@pytest.mark.parametrize("depth_range", [{}, {"min_depth": 1.0, "max_depth": 3.0}])
def test_the_numbers_equal_an_independent_computation(fastdepth, pairs_folder, depth_range):
    report = depthviz.evaluate(fastdepth, pairs_folder, **depth_range)
    expected = reference_evaluation(fastdepth, pairs_folder, **depth_range)
    assert report.align == "scale-shift" and not report.skipped
    assert set(report.images) == set(expected) == {"full", "half", "crop"}
    for stem, metrics in expected.items():
        for name, value in metrics.items():
            assert report.images[stem][name] == pytest.approx(value, rel=1e-6), (stem, name)
    for name in expected["full"]:
        mean = np.mean([metrics[name] for metrics in expected.values()])
        assert report.mean[name] == pytest.approx(mean, rel=1e-6), name
    # Not a vacuous match: the model is far from perfect and the images differ.
    assert 0.02 < report.mean["abs_rel"] < 0.5
    assert len({metrics["abs_rel"] for metrics in report.images.values()}) == 3
