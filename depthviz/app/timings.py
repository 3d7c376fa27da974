"""How long each model took per photo on this machine, for people choosing a model (the app's
Models page). Process-wide and in memory only: whoever runs a prediction records its wall time.
(The app warms each model up when it loads it, so recorded runs are warm runs.)"""

from __future__ import annotations

import statistics
import threading
from collections import defaultdict, deque
from dataclasses import dataclass

#: Recent runs kept per (model, engine): enough for a steady median, bounded memory.
KEPT_RUNS = 50

_lock = threading.Lock()
_runs: dict[tuple[str, str], deque[float]] = defaultdict(lambda: deque(maxlen=KEPT_RUNS))


@dataclass(frozen=True)
class Timing:
    """A model's time per photo on one engine."""

    engine: str
    seconds: float  # median of the recent runs
    runs: int  # how many runs that median is over


def record(model: str, engine: str, seconds: float) -> None:
    """Note one prediction's wall time."""
    with _lock:
        _runs[model, engine].append(seconds)


def timings(model: str) -> list[Timing]:
    """The model's measured time per photo on each engine it ran on, fastest first."""
    with _lock:
        measured = [Timing(engine, statistics.median(runs), len(runs))
                    for (name, engine), runs in _runs.items() if name == model and runs]
    return sorted(measured, key=lambda timing: timing.seconds)


def forget() -> None:
    """Drop every measurement (for tests, and after the models change)."""
    with _lock:
        _runs.clear()
