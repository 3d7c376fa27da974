"""One model's evaluation as a report: per-image metrics, the dataset's means, and the JSON and
CSV files `depthviz eval` and the Evaluate page write."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from depthviz.evaluation.metrics import HIGHER_IS_BETTER, METRICS


@dataclass(frozen=True)
class EvalReport:
    """`images`: photo stem -> its metrics; `mean`: each metric's mean over the images (each
    image counts once); `skipped`: file or photo -> why it was left out."""

    model: str
    align: str  # the rule that ran: scale-shift, scale or none
    images: dict[str, dict[str, float]]
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of the images, reading and metrics included
    inference_seconds: float = 0.0  # the model's predict() alone

    @property
    def mean(self) -> dict[str, float]:
        return {name: float(np.mean([metrics[name] for metrics in self.images.values()]))
                for name in METRICS}

    @property
    def seconds_per_photo(self) -> float:
        return self.seconds / len(self.images)

    def as_dict(self) -> dict:
        return {"align": self.align, "seconds_per_photo": self.seconds_per_photo,
                "inference_seconds_per_photo": self.inference_seconds / len(self.images),
                "mean": self.mean, "images": self.images, "skipped": self.skipped}


def reports_json(reports: Sequence[EvalReport], align: str) -> str:
    """{"align": asked, "models": {NAME: {"mean": ..., "images": {PHOTO_STEM: ...}, ...}}}."""
    return json.dumps({"align": align, "models": {report.model: report.as_dict()
                                                  for report in reports}}, indent=2)


def reports_csv(reports: Sequence[EvalReport]) -> str:
    """One row per (model, photo): model, photo, align, then every metric."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["model", "photo", "align", *METRICS])
    for report in reports:
        for photo, metrics in report.images.items():
            writer.writerow([report.model, photo, report.align,
                             *(metrics[name] for name in METRICS)])
    return out.getvalue()


def best_models(reports: Sequence[EvalReport]) -> dict[str, str]:
    """Metric -> the model with the best mean (lowest error, highest delta)."""
    best = {}
    for name in METRICS[:-1]:
        pick = max if name in HIGHER_IS_BETTER else min
        best[name] = pick(reports, key=lambda report: report.mean[name]).model
    return best
