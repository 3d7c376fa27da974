"""The public names: depthviz.evaluate is the function (its subpackage is depthviz.evaluation,
so loading a submodule changes nothing), with depth_metrics and EvalReport beside it."""

from __future__ import annotations

import importlib
import inspect
import math

import depthviz
from depthviz.evaluation.report import EvalReport
from depthviz.evaluation.run import evaluate


def test_the_public_names():
    importlib.import_module("depthviz.evaluation.views")  # a submodule loaded later changes nothing

    assert depthviz.evaluate is evaluate and depthviz.EvalReport is EvalReport
    assert {"evaluate", "depth_metrics", "EvalReport"} <= set(depthviz.__all__)
    parameters = inspect.signature(depthviz.evaluate).parameters
    assert [(name, parameters[name].default) for name in list(parameters)[2:6]] == [
        ("align", "auto"), ("min_depth", 0.001), ("max_depth", math.inf),
        ("depth_scale", 0.001)]
