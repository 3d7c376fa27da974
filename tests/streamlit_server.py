"""Starting the app with a real `streamlit run` for the tests that need a server (the browser
tests and the privacy tests), on a free loopback port, optionally recording every outbound
network attempt of the server process (tests/outbound/sitecustomize.py)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[1]
RECORDER = Path(__file__).resolve().parent / "outbound"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout:.0f} s")


@contextlib.contextmanager
def streamlit_app(home: Path, args: tuple[str, ...] = (),
                  outbound_log: Optional[Path] = None) -> Iterator[str]:
    """Serve streamlit_app.py with `home` as the model home; yields the app's URL. With
    `outbound_log`, every host the server looks up or connects to (other than loopback) is
    appended to that file."""
    port = free_port()
    env = {**os.environ, "DEPTHVIZ_HOME": str(home), "TORCH_HOME": str(home / "torch")}
    if outbound_log is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(RECORDER), env.get("PYTHONPATH")]))
        env["DEPTHVIZ_OUTBOUND_LOG"] = str(outbound_log)
    with open(home / f"streamlit-{port}.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.port", str(port), *args],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, server)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)
