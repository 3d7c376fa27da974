"""`depthviz serve` on one machine: the app on uvicorn."""

from __future__ import annotations

from typing import Optional

from depthviz.models.depth_model import DepthModel
from depthviz.serve.app import create_app
from depthviz.serve.limits import Limits


def run_server(model: DepthModel, host: str = "127.0.0.1", port: int = 8000, *,
               api_key: Optional[str] = None, limits: Optional[Limits] = None) -> None:
    """Serve `model` on uvicorn until Ctrl-C. Idle keep-alive connections close after 5 s, and
    connections beyond the admission capacity (plus room for /healthz) get uvicorn's 503."""
    import uvicorn

    limits = limits or Limits()
    app = create_app(model, api_key=api_key, limits=limits)
    uvicorn.run(app, host=host, port=port, timeout_keep_alive=5, server_header=False,
                limit_concurrency=limits.max_concurrency + limits.max_queue + 64,
                http="h11", h11_max_incomplete_event_size=64 * 1024, log_level="info")
