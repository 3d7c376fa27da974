"""The service's routes, one function each: GET /healthz, GET /v1/models, POST /v1/depth, and
POST /predict (the Flask tutorial's endpoint, for the clients written against it).

POST /v1/depth checks its parameters, reads the photo into memory in an upload place, takes a
place in the work queue (or gets 503), and hands the photo to a worker thread (worker.py); the
event loop never decodes or predicts.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal, Optional
from urllib.parse import quote

import anyio
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from depthviz import __version__
from depthviz.errors import DepthvizError
from depthviz.io.naming import colours_name, output_name
from depthviz.models import ModelStatus, available_models, get_card
from depthviz.outputs.archive import unique_stems
from depthviz.outputs.colorize import DEFAULT_COLORMAP, colormap_lut
from depthviz.outputs.export import FORMAT_SUFFIXES
from depthviz.serve.disconnects import disconnect_watch
from depthviz.serve.limits import MAX_INPUT_SIZE
from depthviz.serve.memory_budget import estimated_bytes
from depthviz.serve.model_cache import ModelCache, ModelKey
from depthviz.serve.state import ServiceState
from depthviz.serve.uploads import PHOTO_BODY, read_image_field
from depthviz.serve.worker import EncodedDepth, handle_photo

OutputFormat = Literal["heatmap", "depth16", "npy"]
#: /predict answers a JPEG heatmap by default, as the tutorial's server did.
PredictFormat = Literal["jpeg", "heatmap", "depth16", "npy"]
MEDIA_TYPES = {"heatmap": "image/png", "depth16": "image/png", "npy": "application/octet-stream",
               "jpeg": "image/jpeg"}
#: The OpenAPI description of a depth map response.
DEPTH_RESPONSES: dict[int | str, dict[str, Any]] = {200: {
    "content": {"image/png": {}, "application/octet-stream": {}},
    "description": "heatmap: 8-bit palette PNG (decodes to RGB) at the photo's size; depth16: "
                   "16-bit grey PNG (metric models: millimetres); npy: float32 HxW (relative: "
                   "larger = nearer; metric: metres)"}}


def add_health_route(app: FastAPI, state: ServiceState) -> None:
    @app.get("/healthz", summary="200 once the model is loaded")
    async def healthz() -> JSONResponse:
        served = state.models.served
        if served is None or state.workers is None:
            return JSONResponse({"detail": "The model is still loading."}, status_code=503,
                                headers={"Retry-After": "5"})
        return JSONResponse({"status": "ok", "model": served.name, "engine": served.engine_name,
                             "version": __version__})


def add_models_route(app: FastAPI, state: ServiceState, authorized: list) -> None:
    models = state.models

    @app.get("/v1/models", dependencies=authorized,
             summary="every model: weights on this server, licence, metric or relative")
    async def list_models() -> dict:
        statuses = await anyio.to_thread.run_sync(available_models)
        return {"served": models.served_name,
                "models": [model_entry(status) for status in statuses]}


def model_entry(status: ModelStatus) -> dict:
    """One model as /v1/models lists it: its card's facts and whether its weights are here."""
    card = status.card
    return {
        "name": card.name, "title": card.title, "description": card.description,
        "licence": card.licence, "non_commercial": card.non_commercial,
        "depth": "metric" if card.metric else "relative", "metric": card.metric,
        "input_size": card.input_size, "weights_present": status.weights_present,
        "weights_file": card.weights.filename, "engines": list(card.engines),
    }


def add_depth_route(app: FastAPI, state: ServiceState, authorized: list) -> None:
    @app.post("/v1/depth", dependencies=authorized, openapi_extra=PHOTO_BODY,
              response_class=Response, summary="a photo's depth map", responses=DEPTH_RESPONSES)
    async def depth(
        request: Request,
        fmt: OutputFormat = Query("heatmap", alias="format"),
        cmap: str = Query(DEFAULT_COLORMAP, description="matplotlib colormap (heatmap)"),
        invert: bool = Query(False, description="near = cold instead of warm (heatmap)"),
        model: Optional[str] = Query(None, description="default: the served model"),
        input_size: Optional[int] = Query(None, ge=1, le=MAX_INPUT_SIZE,
                                          description="network input side in pixels"),
    ) -> Response:
        key = checked_request(state.models, cmap, model, input_size)
        return await depth_answer(state, request, key, fmt, cmap, invert)


def add_predict_route(app: FastAPI, state: ServiceState, authorized: list) -> None:
    @app.post("/predict", dependencies=authorized, openapi_extra=PHOTO_BODY,
              response_class=Response, responses=DEPTH_RESPONSES,
              summary="the Flask tutorial's endpoint: the heatmap as a JPEG at the photo's size")
    async def predict(
        request: Request,
        fmt: PredictFormat = Query("jpeg", alias="format"),
        cmap: str = Query(DEFAULT_COLORMAP, description="matplotlib colormap (heatmap)"),
        invert: bool = Query(False, description="near = cold instead of warm (heatmap)"),
    ) -> Response:
        key = checked_request(state.models, cmap, None, None)
        return await depth_answer(state, request, key, fmt, cmap, invert)


async def depth_answer(state: ServiceState, request: Request, key: ModelKey, fmt: str,
                       cmap: str, invert: bool) -> Response:
    """The photo's depth in `fmt`, named as the CLI would name its file."""
    result, photo_name = await admitted_work(state, request, key, fmt, cmap, invert)
    return depth_response(result, fmt, response_name(photo_name, fmt, cmap, invert))


def response_name(photo_name: str, fmt: str, cmap: str, invert: bool) -> str:
    """coffee.inferno.heatmap.png as the CLI names it; the JPEG heatmap .heatmap.jpg."""
    stem = unique_stems([photo_name or "photo"])[0]
    if fmt == "jpeg":
        return f"{stem}.{colours_name(cmap, invert)}.heatmap.jpg"
    return output_name(stem, FORMAT_SUFFIXES[fmt], cmap, invert)


def checked_request(models: ModelCache, cmap: str, model: Optional[str],
                    input_size: Optional[int]) -> ModelKey:
    """The requested model's key, once the colormap, model and input size are known to be
    usable: a bad parameter is a 422 before the request takes a place or sends its photo."""
    try:
        colormap_lut(cmap)
        return models.key(model, input_size)
    except DepthvizError as exc:
        raise HTTPException(422, str(exc)) from None


async def admitted_work(state: ServiceState, request: Request, key: ModelKey, fmt: str,
                        cmap: str, invert: bool) -> tuple[EncodedDepth, str]:
    """Read the photo while holding an upload place, then take a place in the work queue, wait
    until the photo's estimated memory fits the budget (or 413), and encode its depth on a
    worker thread unless the client has gone by then; the result and the photo's file name as
    uploaded. A full work queue refuses from the headers too, before the body is sent."""
    running = state.running()
    running.work.check()
    with running.uploads.place():
        photo = await read_image_field(request, state.limits)
    with running.work.place():
        input_side = key[1] or get_card(key[0]).input_size
        needed = estimated_bytes(photo.data, input_side, state.limits.max_pixels)
        async with disconnect_watch(request) as client_gone, running.memory.reserve(needed):
            result = await asyncio.get_running_loop().run_in_executor(
                running.workers, handle_photo, state.models, key, photo.data, fmt, cmap,
                invert, state.limits.max_pixels, client_gone)
    return result, photo.name


def inline_file(file_name: str) -> str:
    """A Content-Disposition naming the file (`curl -OJ` saves it so), as Starlette's
    FileResponse writes it: plain if the name needs no quoting, else RFC 5987 UTF-8."""
    quoted = quote(file_name)
    return (f'inline; filename="{file_name}"' if quoted == file_name
            else f"inline; filename*=utf-8''{quoted}")


def depth_response(result: EncodedDepth, fmt: str, file_name: str) -> Response:
    """The encoded depth, named as the CLI would name its file (coffee.inferno.heatmap.png)."""
    return Response(result.body, media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": inline_file(file_name),
        "X-Depthviz-Model": result.model, "X-Depthviz-Engine": result.engine,
        "X-Depthviz-Depth": "metric" if result.metric else "relative",
        "X-Depthviz-Inference-Ms": f"{result.inference_ms:.1f}", "Cache-Control": "no-store"})
