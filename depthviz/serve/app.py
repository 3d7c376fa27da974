"""The HTTP API (`depthviz serve`): POST a photo, get its depth map back, over FastAPI/uvicorn.

The service is HTTP around the library and nothing more: the body is read from the socket into
memory with a cap (uploads.py), then `load_image` -> `model.predict` -> `export.encode` run in a
bounded thread pool off the event loop (worker.py). Requests are admitted before their body is
read: at most `max_concurrency` are worked on and `max_queue` wait; the next one gets 503 with
Retry-After, so a burst cannot exhaust memory (limits.py).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Optional, Union

import anyio
from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline

from depthviz import __version__
from depthviz.models import DEFAULT_MODEL
from depthviz.models.depth_model import DepthModel
from depthviz.serve.auth import key_checker
from depthviz.serve.demo import add_demo_page
from depthviz.serve.early_close import CloseUnreadBodies
from depthviz.serve.error_handlers import add_error_handlers
from depthviz.serve.limits import Limits
from depthviz.serve.model_cache import ModelCache
from depthviz.serve.routes import (
    add_depth_route,
    add_health_route,
    add_models_route,
    add_predict_route,
)
from depthviz.serve.state import ServiceState

DESCRIPTION = ("Monocular depth estimation on the CPU: POST a photo to /v1/depth, get its depth "
               "map back (a heatmap PNG, a 16-bit PNG or a float32 .npy).")


def create_app(model: Union[str, DepthModel] = DEFAULT_MODEL, *,
               weights: Optional[os.PathLike] = None, engine: str = "auto",
               precision: Optional[str] = None, api_key: Optional[str] = None,
               limits: Optional[Limits] = None) -> FastAPI:
    """The FastAPI app. `model` is a loaded DepthModel, or a name loaded at startup (so each
    Ray Serve replica loads its own copy); `weights`, `engine` and `precision` apply to the
    served model. `api_key` None: no key needed."""
    state = ServiceState(limits or Limits(), ModelCache(model, weights, engine, precision))
    app = FastAPIOffline(title="depthviz", version=__version__, lifespan=lifespan(state),
                         redoc_url=None, description=DESCRIPTION)
    authorized = [Depends(key_checker(api_key))] if api_key else []
    app.add_middleware(CloseUnreadBodies)
    add_error_handlers(app)
    add_health_route(app, state)
    add_models_route(app, state, authorized)
    add_depth_route(app, state, authorized)
    add_predict_route(app, state, authorized)
    add_demo_page(app)
    return app


def lifespan(state: ServiceState) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start the workers and load the served model before the first request; stop the workers
    when the server shuts down."""

    @asynccontextmanager
    async def run(_app: FastAPI) -> AsyncIterator[None]:
        state.start()
        try:
            await anyio.to_thread.run_sync(state.models.get, state.models.served_key)
            yield
        finally:
            state.stop()

    return run
