"""What one request may cost (bytes, pixels, time to upload, input size), and the admission that
holds the service to how many upload, run or wait. Uploading and being worked on are counted
apart: a client trickling its body holds an upload place (and loses it within seconds), never
a place in the work queue, so slow uploads cannot lock out the requests ready to run.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import HTTPException

from depthviz.io.images import max_pixels_default, max_upload_bytes_default

#: Largest `input_size` a request may ask for: network memory grows with its square.
MAX_INPUT_SIZE = 1024
DEFAULT_MAX_CONCURRENCY = max(1, min(4, os.cpu_count() or 1))
DEFAULT_MAX_QUEUE = 32
DEFAULT_MAX_UPLOADS = 128
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_HEADER_TIMEOUT = 5.0
DEFAULT_KEEP_ALIVE_TIMEOUT = 5
DEFAULT_UPLOAD_GRACE = 5.0
DEFAULT_MIN_UPLOAD_RATE = 32 * 1024
DEFAULT_MAX_CONNECTIONS = 512
DEFAULT_MAX_PARTS = 16
DEFAULT_MAX_PART_HEADER_BYTES = 8 * 1024
DEFAULT_MEMORY_BUDGET = 512 * 2**20


@dataclass
class Limits:
    """What one request may cost: bytes, pixels, time to upload, and how many run or wait."""

    max_concurrency: int = DEFAULT_MAX_CONCURRENCY  # requests decoded/predicted/encoded at once
    max_queue: int = DEFAULT_MAX_QUEUE  # uploaded requests waiting for a worker; then 503
    # bodies being received at once; more get 503 before their body is read
    max_uploads: int = DEFAULT_MAX_UPLOADS
    max_upload_bytes: int = field(default_factory=max_upload_bytes_default)
    max_pixels: int = field(default_factory=max_pixels_default)
    read_timeout: float = DEFAULT_READ_TIMEOUT  # seconds to receive a whole request body
    # after this many seconds the body must average min_upload_rate bytes a second, so a
    # trickling client loses its place in seconds rather than holding it for read_timeout
    upload_grace: float = DEFAULT_UPLOAD_GRACE
    min_upload_rate: int = DEFAULT_MIN_UPLOAD_RATE
    header_timeout: float = DEFAULT_HEADER_TIMEOUT  # seconds for a request line and headers
    keep_alive_timeout: int = DEFAULT_KEEP_ALIVE_TIMEOUT  # idle seconds between requests
    # open connections, idle ones included: far more than are admitted, so idle sockets never
    # take the places of requests
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_parts: int = DEFAULT_MAX_PARTS  # parts of a multipart body
    max_part_header_bytes: int = DEFAULT_MAX_PART_HEADER_BYTES  # headers of one part
    # estimated peak bytes of the requests worked on at once (memory_budget.py)
    memory_budget: int = DEFAULT_MEMORY_BUDGET

    def upload_deadline(self, started: float, received: int) -> float:
        """When the body must be complete, given the bytes received so far: the grace plus
        the time `received` bytes take at the minimum rate, and never beyond read_timeout."""
        return started + min(self.read_timeout,
                             self.upload_grace + received / self.min_upload_rate)


class Admission:
    """Counts the requests in one stage (uploading, or worked on and waiting) against its
    capacity, and estimates when a refused client should retry."""

    def __init__(self, capacity: int, workers: int, stage: str):
        self.capacity = capacity
        self.workers = workers
        self.stage = stage
        self.active = 0
        self.seconds_per_request = 1.0  # running mean of recent times in this stage

    def check(self) -> None:
        """503 with Retry-After if the stage is full: a refusal a client can act on."""
        if self.active >= self.capacity:
            retry = max(1, math.ceil(self.seconds_per_request * self.active / self.workers))
            raise HTTPException(503, f"The service is busy ({self.active} requests {self.stage}); "
                                     f"retry in {retry} s.", headers={"Retry-After": str(retry)})

    @contextmanager
    def place(self) -> Iterator[None]:
        """Hold a place in the stage while the block runs (503 if there is none)."""
        self.check()
        self.active += 1
        started = time.perf_counter()
        finished = False
        try:
            yield
            finished = True
        finally:
            self.active -= 1
            if finished:
                seconds = time.perf_counter() - started
                self.seconds_per_request += 0.2 * (seconds - self.seconds_per_request)


def uploads_admission(limits: Limits) -> Admission:
    return Admission(limits.max_uploads, limits.max_uploads, "uploading")


def work_admission(limits: Limits) -> Admission:
    return Admission(limits.max_concurrency + limits.max_queue, limits.max_concurrency,
                     "in progress")
