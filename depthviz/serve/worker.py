"""What a worker thread does for one request, off the event loop: the model from the cache, then
`model.predict_photo` (load_image at the size the network needs, then predict) ->
`outputs.export.encode`, all library calls, whose errors
become HTTP statuses a client can act on."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Optional

from fastapi import HTTPException

from depthviz.errors import DepthvizError, ImageError, ImageTooLarge, WeightsUnavailable
from depthviz.models.depth_model import DepthModel
from depthviz.outputs.export import encode, heatmap_jpeg
from depthviz.serve.model_cache import ModelCache, ModelKey

log = logging.getLogger("depthviz.serve")


@dataclass(frozen=True)
class EncodedDepth:
    """A photo's depth map encoded for the response body, and what the headers say about it."""

    body: bytes
    model: str
    engine: str
    metric: bool
    inference_ms: float


def photo_to_depth_file(model: DepthModel, photo: bytes, fmt: str, cmap: str, invert: bool,
                        max_pixels: int) -> EncodedDepth:
    """The whole job for one request, on a worker thread: all of it is library calls. `fmt`
    is one of export.encode's, or "jpeg" (the heatmap as /predict answers it)."""
    started = time.perf_counter()
    depth = model.predict_photo(photo, max_pixels=max_pixels)
    inference_ms = (time.perf_counter() - started) * 1000
    body = (heatmap_jpeg(depth, cmap, invert) if fmt == "jpeg"
            else encode(fmt, depth, cmap, invert, metric=model.metric))
    return EncodedDepth(body, model.name, model.engine_name, model.metric, inference_ms)


def weights_missing(name: str, weights_file: Optional[str]) -> str:
    """Why a model cannot run here, for a client: what is missing and who can add it, without
    the server's folders."""
    weights = f" ({weights_file})" if weights_file else ""
    return (f"Model '{name}' cannot run on this server: its weights{weights} are not here. The "
            f"server's administrator can add them (`depthviz fetch {name}`); GET /v1/models "
            "lists the models whose weights are here.")


def handle_photo(models: ModelCache, key: ModelKey, photo: bytes, fmt: str, cmap: str,
                 invert: bool, max_pixels: int, client_gone: threading.Event) -> EncodedDepth:
    """`photo_to_depth_file` with the requested model, its errors as HTTP statuses; nothing
    if the client disconnected while the request waited for this thread."""
    if client_gone.is_set():
        log.info("A client disconnected while its request waited; its work was not started.")
        raise HTTPException(400, "The client disconnected before its work started.")
    try:
        loaded = models.get(key)
    except WeightsUnavailable as exc:  # its message names the server's folders: not for clients
        raise HTTPException(422, weights_missing(key[0], exc.weights_file)) from None
    except DepthvizError as exc:
        raise HTTPException(422, str(exc)) from None
    try:
        return photo_to_depth_file(loaded, photo, fmt, cmap, invert, max_pixels)
    except ImageTooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    except ImageError as exc:
        raise HTTPException(400, str(exc)) from None
