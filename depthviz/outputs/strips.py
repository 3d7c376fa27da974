"""Row strips of large images on a shared thread pool: OpenCV, NumPy reductions and ISA-L
release the GIL, so a 12 MP array's passes use every core."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TypeVar

import numpy as np

T = TypeVar("T")
#: Below this many pixels per strip, handing work to threads costs more than it saves.
MIN_PIXELS_PER_STRIP = 1 << 18


@lru_cache(maxsize=1)
def shared_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="depthviz")


def row_strips(height: int, width: int) -> list[tuple[int, int]]:
    """(start, stop) rows of one strip per core, or a single strip for small images."""
    strips = max(1, min(os.cpu_count() or 1, height * width // MIN_PIXELS_PER_STRIP, height))
    bounds = np.linspace(0, height, strips + 1).astype(int)
    return [(int(start), int(stop)) for start, stop in zip(bounds[:-1], bounds[1:])]


def map_strips(work: Callable[[int, int], T], height: int, width: int) -> list[T]:
    """`work(start, stop)` for each strip, in parallel when there is more than one, in order."""
    strips = row_strips(height, width)
    if len(strips) == 1:
        return [work(*strips[0])]
    return list(shared_pool().map(lambda strip: work(*strip), strips))
