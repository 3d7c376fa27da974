"""`depthviz serve` on one machine: the app on uvicorn, with the connection-level limits."""

from __future__ import annotations

import copy
from typing import Any, Optional

from depthviz.models.depth_model import DepthModel
from depthviz.serve.app import create_app
from depthviz.serve.connections import guarded_protocol
from depthviz.serve.limits import Limits

#: Request line plus headers: far more than any client sends, small enough to refuse junk.
MAX_HEADER_BYTES = 64 * 1024


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, with the service's own logger (depthviz.serve) on
    uvicorn's stderr handler and format, at INFO."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["depthviz.serve"] = {"handlers": ["default"], "level": "INFO",
                                           "propagate": False}
    return config


def run_server(model: DepthModel, host: str = "127.0.0.1", port: int = 8000, *,
               api_key: Optional[str] = None, limits: Optional[Limits] = None) -> None:
    """Serve `model` on uvicorn until Ctrl-C. Open connections are capped and must send their
    headers in time (connections.py); requests are admitted separately (limits.py)."""
    import uvicorn

    limits = limits or Limits()
    app = create_app(model, api_key=api_key, limits=limits)
    uvicorn.run(app, host=host, port=port, timeout_keep_alive=limits.keep_alive_timeout,
                server_header=False, http=guarded_protocol(limits),
                h11_max_incomplete_event_size=MAX_HEADER_BYTES, log_config=log_config(),
                log_level="info")
