"""Which reduced precision a network may run at, judged by what it does to depth.

Agreement with f32 alone is the wrong yardstick for a small network: FastDepth in bf16 agrees
with its f32 self at Pearson ~0.993 yet ranks the motorcycle's true depth exactly as well.
So where a photo with true depth can judge the network, the rule asks the truth:

1. Ground truth (scikit-image's stereo_motorcycle: a real photo with its true disparity): when
   the f32 network ranks true depth at Spearman >= MIN_TRUTH_SPEARMAN (it can be judged by it),
   a reduced precision passes if the lower end of the 95 % block-bootstrap interval of its
   Spearman change is >= -MAX_SPEARMAN_LOSS: shown to lose at most that much.
2. Otherwise (e.g. seeded, untrained weights) agreement with the reference engine on the
   calibration photos: worst Pearson >= MIN_PEARSON.
3. Otherwise f32.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

#: precision= choices of load_model: "auto" applies the rule above (per weights file and CPU).
PRECISIONS = ("auto", "f32", "bf16", "int8")
#: mode= choices: "latency" runs one photo as fast as possible (the app); "throughput" runs
#: several OpenVINO streams, more photos per second when the caller keeps the engine's
#: `parallel_requests` photos in flight (CLI batches, Ray workers, the service's pool).
MODES = ("latency", "throughput")
#: Agreement bar (rule 2): an engine's output must correlate this well with the reference.
MIN_PEARSON = 0.999
#: Rule 1 applies only to networks whose f32 output ranks true depth at least this well.
MIN_TRUTH_SPEARMAN = 0.5
#: Rule 1: a reduced precision may lose at most this much Spearman (95 % interval's low end).
MAX_SPEARMAN_LOSS = 0.005
#: Block bootstrap: square blocks of this many pixels (neighbouring pixels are not independent).
BLOCK = 25
RESAMPLES = 2000
#: Reduced precisions, fastest first; f32 is what remains.
REDUCED = ("int8", "bf16")


@dataclass(frozen=True)
class TruthScore:
    """One precision's Spearman to true depth, and its change from f32 with a 95 % interval."""

    spearman: float
    change: float
    change_low: float  # 2.5th percentile of the block-bootstrap change
    change_high: float  # 97.5th percentile

    @property
    def passes(self) -> bool:
        return self.change_low >= -MAX_SPEARMAN_LOSS


def motorcycle() -> tuple[np.ndarray, np.ndarray]:
    """(left view HxWx3 uint8, true disparity HxW; non-finite where unknown)."""
    from skimage import data

    left, _right, disparity = data.stereo_motorcycle()
    return left, disparity


def _ranks(values: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(values).astype(np.float64)


def _block_sums(ranks: list[np.ndarray], blocks: np.ndarray, count: int) -> np.ndarray:
    """Per block: n, sum of each rank array, and the sums of their pairwise products."""
    columns = [np.ones_like(ranks[0]), *ranks]
    columns += [a * b for i, a in enumerate(ranks) for b in ranks[i:]]
    return np.stack([np.bincount(blocks, weights=c, minlength=count) for c in columns], axis=1)


def _spearmans(sums: np.ndarray, predictions: int) -> np.ndarray:
    """Spearman of each prediction with the truth from block sums (rows: resamples)."""
    n = sums[..., 0]
    means = sums[..., 1:2 + predictions] / n[..., None]
    products = sums[..., 2 + predictions:]
    index = {}
    k = 0
    for i in range(predictions + 1):
        for j in range(i, predictions + 1):
            index[i, j] = k
            k += 1

    def covariance(i: int, j: int) -> np.ndarray:
        return products[..., index[i, j]] / n - means[..., i] * means[..., j]

    return np.stack([covariance(0, p) / np.sqrt(covariance(0, 0) * covariance(p, p))
                     for p in range(1, predictions + 1)], axis=-1)


def truth_scores(truth: np.ndarray, f32: np.ndarray, reduced: dict[str, np.ndarray],
                 seed: int = 0) -> tuple[float, dict[str, TruthScore]]:
    """Spearman of f32 and each reduced-precision depth with the true disparity (where known),
    and each one's change from f32 with a 95 % interval from a block bootstrap (blocks of
    BLOCK x BLOCK pixels resampled with replacement; ranks taken once over the whole photo)."""
    known = np.isfinite(truth) & (truth > 0)
    rows, cols = np.nonzero(known)
    blocks_across = -(-truth.shape[1] // BLOCK)
    block_ids = (rows // BLOCK) * blocks_across + cols // BLOCK
    _, blocks = np.unique(block_ids, return_inverse=True)
    count = int(blocks.max()) + 1
    names = list(reduced)
    ranks = [_ranks(truth[known]), _ranks(f32[known]), *(_ranks(reduced[n][known]) for n in names)]
    sums = _block_sums(ranks, blocks, count)
    point = _spearmans(sums.sum(axis=0), len(ranks) - 1)
    draws = np.random.default_rng(seed).integers(0, count, (RESAMPLES, count))
    weights = np.stack([np.bincount(d, minlength=count) for d in draws]).astype(np.float64)
    boot = _spearmans(weights @ sums, len(ranks) - 1)
    scores = {}
    for k, name in enumerate(names, start=1):
        changes = boot[:, k] - boot[:, 0]
        low, high = np.percentile(changes, [2.5, 97.5])
        scores[name] = TruthScore(float(point[k]), float(point[k] - point[0]), float(low),
                                  float(high))
    return float(point[0]), scores


def choose_precision(pearson: dict[str, float], truth_f32: Optional[float] = None,
                     truth: Optional[dict[str, TruthScore]] = None) -> Optional[str]:
    """The rule above: the fastest reduced precision that passes, else f32 if f32 agrees with
    the reference, else None (even f32 fails: the reference engine is used)."""
    truth = truth or {}
    judged_by_truth = truth_f32 is not None and truth_f32 >= MIN_TRUTH_SPEARMAN and bool(truth)
    for precision in REDUCED:
        if judged_by_truth:
            if precision in truth and truth[precision].passes:
                return precision
        elif pearson.get(precision, -1.0) >= MIN_PEARSON:
            return precision
    return "f32" if pearson.get("f32", -1.0) >= MIN_PEARSON else None
