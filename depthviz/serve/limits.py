"""What one request may cost (bytes, pixels, time to upload, input size), and the admission that
holds the service to how many run or wait: requests are admitted before their body is read, so
a burst gets 503 with Retry-After instead of exhausting memory.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Optional

from fastapi import HTTPException

from depthviz.io.images import max_pixels_default, max_upload_bytes_default

#: Largest `input_size` a request may ask for: network memory grows with its square.
MAX_INPUT_SIZE = 1024
DEFAULT_MAX_CONCURRENCY = max(1, min(4, os.cpu_count() or 1))
DEFAULT_MAX_QUEUE = 32
DEFAULT_READ_TIMEOUT = 60.0


@dataclass
class Limits:
    """What one request may cost: bytes, pixels, time to upload, and how many run or wait."""

    max_concurrency: int = DEFAULT_MAX_CONCURRENCY  # requests decoded/predicted/encoded at once
    max_queue: int = DEFAULT_MAX_QUEUE  # admitted requests waiting for a worker; then 503
    max_upload_bytes: int = field(default_factory=max_upload_bytes_default)
    max_pixels: int = field(default_factory=max_pixels_default)
    read_timeout: float = DEFAULT_READ_TIMEOUT  # seconds to receive a whole request body


class Admission:
    """Counts requests from admission to response and estimates when to retry."""

    def __init__(self, limits: Limits):
        self.capacity = limits.max_concurrency + limits.max_queue
        self.workers = limits.max_concurrency
        self.active = 0
        self.seconds_per_request = 1.0  # running mean of recent work times

    def admit(self) -> None:
        if self.active >= self.capacity:
            retry = max(1, math.ceil(self.seconds_per_request * self.active / self.workers))
            raise HTTPException(503, f"The service is busy ({self.active} requests in progress); "
                                     f"retry in {retry} s.", headers={"Retry-After": str(retry)})
        self.active += 1

    def release(self, seconds: Optional[float] = None) -> None:
        self.active -= 1
        if seconds is not None:
            self.seconds_per_request += 0.2 * (seconds - self.seconds_per_request)
