"""The report: each image counts once in the mean; the JSON and CSV layouts the issue fixes."""

from __future__ import annotations

import csv
import io
import json

import pytest

from depthviz.evaluation import EvalReport, reports_csv, reports_json
from depthviz.evaluation.metrics import METRICS


def metrics(abs_rel: float, delta1: float, pixels: int) -> dict[str, float]:
    return {name: 0.5 for name in METRICS} | {"abs_rel": abs_rel, "delta1": delta1,
                                              "valid_pixels": pixels}


A = EvalReport("a", "scale-shift", {"x": metrics(0.1, 0.9, 10), "y": metrics(0.3, 0.5, 1000)},
               seconds=2.0, inference_seconds=1.5)
B = EvalReport("b", "none", {"x": metrics(0.15, 0.95, 10), "y": metrics(0.05, 0.7, 1000)},
               skipped={"z.jpg": "no ground truth"}, seconds=1.0)


def test_each_image_counts_once_in_the_mean():
    assert A.mean["abs_rel"] == pytest.approx(0.2)  # not weighted by 10 and 1000 pixels
    assert A.mean["delta1"] == pytest.approx(0.7)
    assert A.seconds_per_photo == 1.0


def test_the_json_and_csv_layouts():
    written = json.loads(reports_json([A, B], "auto"))
    assert written["align"] == "auto" and list(written["models"]) == ["a", "b"]
    assert written["models"]["b"]["images"]["y"]["abs_rel"] == 0.05
    assert written["models"]["b"]["mean"]["abs_rel"] == pytest.approx(0.1)
    assert written["models"]["b"]["skipped"] == {"z.jpg": "no ground truth"}
    assert written["models"]["a"]["seconds_per_photo"] == 1.0
    assert written["models"]["a"]["inference_seconds_per_photo"] == 0.75
    rows = list(csv.DictReader(io.StringIO(reports_csv([A, B]))))
    assert [(row["model"], row["photo"]) for row in rows] == [("a", "x"), ("a", "y"),
                                                              ("b", "x"), ("b", "y")]
    assert float(rows[3]["delta1"]) == 0.7 and rows[3]["valid_pixels"] == "1000"

