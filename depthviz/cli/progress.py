"""Progress bars on stderr (tqdm hides them when stderr is not a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Optional

from tqdm import tqdm


@contextmanager
def frame_progress() -> Iterator[Callable[[int, Optional[int]], None]]:
    """A frame counter for the video writers' `on_frame(done, expected)` callbacks."""
    with tqdm(unit="frame", disable=None, file=sys.stderr) as bar:
        def on_frame(done: int, expected: Optional[int]) -> None:
            bar.total = expected
            bar.update(done - bar.n)

        yield on_frame
