"""Evaluate depth models on photos with measured depth: pairs and ground truth
(ground_truth.py), alignment (alignment.py), the metrics (metrics.py), running a model over the
pairs (run.py) and the report with its JSON and CSV (report.py)."""

from depthviz.evaluation.alignment import ALIGNMENTS, DepthRange
from depthviz.evaluation.ground_truth import (
    Pair,
    PairSet,
    folder_pairs,
    motorcycle_sample,
    sample_pairs,
    upload_pairs,
)
from depthviz.evaluation.metrics import METRICS, depth_metrics
from depthviz.evaluation.report import EvalReport, best_models, reports_csv, reports_json
from depthviz.evaluation.run import EvalSettings, PairResult, evaluate, evaluate_pair

__all__ = ["ALIGNMENTS", "METRICS", "DepthRange", "EvalReport", "EvalSettings", "Pair",
           "PairResult", "PairSet", "best_models", "depth_metrics", "evaluate", "evaluate_pair",
           "folder_pairs", "motorcycle_sample", "reports_csv", "reports_json", "sample_pairs",
           "upload_pairs"]
