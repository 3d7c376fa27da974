"""What the routes share: the limits, the model cache, and while the app runs, the admission
counter, the memory budget and the worker threads that decode, predict and encode."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Optional

from depthviz.serve.limits import Admission, Limits
from depthviz.serve.memory_budget import MemoryBudget
from depthviz.serve.model_cache import ModelCache


@dataclass
class ServiceState:
    limits: Limits
    models: ModelCache
    admission: Optional[Admission] = None
    memory: Optional[MemoryBudget] = None
    workers: Optional[ThreadPoolExecutor] = None  # None until started and once stopped

    def start(self) -> None:
        self.admission = Admission(self.limits)
        self.memory = MemoryBudget(self.limits.memory_budget)
        self.workers = ThreadPoolExecutor(self.limits.max_concurrency,
                                          thread_name_prefix="depthviz-worker")

    def stop(self) -> None:
        if self.workers is not None:
            self.workers.shutdown(wait=False, cancel_futures=True)
            self.workers = None

    def running(self) -> tuple[Admission, MemoryBudget, ThreadPoolExecutor]:
        """The admission counter, the memory budget and the worker threads, which exist from
        start to stop."""
        if self.admission is None or self.memory is None or self.workers is None:
            raise RuntimeError("The service is not running: the app's lifespan starts it.")
        return self.admission, self.memory, self.workers
