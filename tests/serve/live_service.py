"""Waiting for a real `depthviz serve` process, shared by the tests that start one."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import httpx


def wait_healthy(url: str, process: subprocess.Popen, log: Callable[[], str],
                 seconds: float = 90) -> None:
    """Until /healthz answers 200; fails with the server's log (`log()`) if it exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log()
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError("the server did not become healthy")
