"""What the routes share: the limits, the model cache, and while the app runs, the admission
counters (uploading; worked on or waiting), the memory budget and the worker threads that
decode, predict and encode."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple, Optional

from depthviz.serve.limits import Admission, Limits, uploads_admission, work_admission
from depthviz.serve.memory_budget import MemoryBudget
from depthviz.serve.model_cache import ModelCache


@dataclass
class ServiceState:
    limits: Limits
    models: ModelCache
    uploads: Optional[Admission] = None
    work: Optional[Admission] = None
    memory: Optional[MemoryBudget] = None
    workers: Optional[ThreadPoolExecutor] = None  # None until started and once stopped

    def start(self) -> None:
        self.uploads = uploads_admission(self.limits)
        self.work = work_admission(self.limits)
        self.memory = MemoryBudget(self.limits.memory_budget)
        self.workers = ThreadPoolExecutor(self.limits.max_concurrency,
                                          thread_name_prefix="depthviz-worker")

    def stop(self) -> None:
        if self.workers is not None:
            self.workers.shutdown(wait=False, cancel_futures=True)
            self.workers = None

    def running(self) -> Running:
        """The admission counters, the memory budget and the worker threads, which exist from
        start to stop."""
        if (self.uploads is None or self.work is None or self.memory is None
                or self.workers is None):
            raise RuntimeError("The service is not running: the app's lifespan starts it.")
        return Running(self.uploads, self.work, self.memory, self.workers)


class Running(NamedTuple):
    uploads: Admission
    work: Admission
    memory: MemoryBudget
    workers: ThreadPoolExecutor
