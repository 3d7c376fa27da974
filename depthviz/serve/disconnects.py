"""Work for a client that has gone away is not started: while a request waits for memory or a
worker thread, its connection is watched, and the worker skips the job if the client left."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request


@asynccontextmanager
async def disconnect_watch(request: Request) -> AsyncIterator[threading.Event]:
    """An event set once the client disconnects (readable from a worker thread), watched while
    the block runs; the body must have been read already. (A plain task, not a task group:
    errors of the block, a 413 say, must reach the handlers as they are, not grouped.)"""
    gone = threading.Event()

    async def watch() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.ensure_future(watch())
    try:
        yield gone
    finally:
        watcher.cancel()
