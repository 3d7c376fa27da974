"""The HTTP API (`depthviz serve`): POST a photo, get its depth map back, over FastAPI/uvicorn.

The service is HTTP around the library and nothing more: the body is read from the socket into
memory with a cap (never spooled to disk, as Starlette's form parser does above 1 MB), then
`load_image` -> `model.predict` -> `export.encode` run in a bounded thread pool off the event
loop. Requests are admitted before their body is read: at most `max_concurrency` are worked on
and `max_queue` wait; the next one gets 503 with Retry-After, so a burst cannot exhaust memory.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Literal, Optional, Union

import anyio
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from depthviz import __version__
from depthviz.errors import DepthvizError, ImageError, ImageTooLarge
from depthviz.io.images import load_image, max_pixels_default, max_upload_bytes_default
from depthviz.models import DEFAULT_MODEL, available_models, get_family, load_model
from depthviz.models.base import DepthModel
from depthviz.outputs.colorize import DEFAULT_COLORMAP, colormap_lut
from depthviz.outputs.export import encode

log = logging.getLogger("depthviz.serve.service")

OutputFormat = Literal["heatmap", "depth16", "npy"]
MEDIA_TYPES = {"heatmap": "image/png", "depth16": "image/png", "npy": "application/octet-stream"}
#: Room for the multipart boundaries and part headers around the photo's bytes.
MULTIPART_OVERHEAD = 64 * 1024
#: Largest `input_size` a request may ask for: network memory grows with its square.
MAX_INPUT_SIZE = 1024
#: Models kept loaded at once (the served one is never dropped; others least recently used).
MAX_LOADED_MODELS = 3
#: Requests arrive concurrently: OpenVINO runs them side by side in streams rather than
#: splitting each over every core (see load_model's `mode`).
ENGINE_MODE = "throughput"
DEFAULT_MAX_CONCURRENCY = max(1, min(4, os.cpu_count() or 1))
DEFAULT_MAX_QUEUE = 32
DEFAULT_READ_TIMEOUT = 60.0

PHOTO_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["image"],
    "properties": {"image": {"type": "string", "format": "binary",
                             "description": "the photo (JPEG, PNG, WebP, BMP, TIFF or GIF)"}}}}}}}


@dataclass
class Limits:
    """What one request may cost: bytes, pixels, time to upload, and how many run or wait."""

    max_concurrency: int = DEFAULT_MAX_CONCURRENCY  # requests decoded/predicted/encoded at once
    max_queue: int = DEFAULT_MAX_QUEUE  # admitted requests waiting for a worker; then 503
    max_upload_bytes: int = field(default_factory=max_upload_bytes_default)
    max_pixels: int = field(default_factory=max_pixels_default)
    read_timeout: float = DEFAULT_READ_TIMEOUT  # seconds to receive a whole request body


class ModelCache:
    """The served model, plus others a request names (or other input sizes), loaded on first
    use from disk only (a request never triggers a download) and dropped least recently used."""

    def __init__(self, served: Union[str, DepthModel], weights: Optional[os.PathLike] = None,
                 engine: str = "auto", precision: Optional[str] = None,
                 capacity: int = MAX_LOADED_MODELS):
        self.served_name = served if isinstance(served, str) else served.name
        self.weights, self.engine, self.precision, self.capacity = weights, engine, precision, capacity
        self._loaded: OrderedDict[tuple[str, Optional[int]], DepthModel] = OrderedDict()
        if isinstance(served, DepthModel):
            self._loaded[(served.name, None)] = served
        self._lock = threading.Lock()  # guards _loaded
        self._loading = threading.Lock()  # one load at a time (each may take seconds and GBs)

    @property
    def served(self) -> Optional[DepthModel]:
        return self._loaded.get((self.served_name, None))

    def key(self, name: Optional[str], input_size: Optional[int]) -> tuple[str, Optional[int]]:
        """Validate the request's model and input size (DepthvizError if unusable), cheaply."""
        family = get_family(name or self.served_name)
        if input_size == family.input_size:
            input_size = None
        family.with_input_size(input_size)
        return family.name, input_size

    def get(self, key: tuple[str, Optional[int]]) -> DepthModel:
        with self._lock:
            if key in self._loaded:
                self._loaded.move_to_end(key)
                return self._loaded[key]
        with self._loading:
            with self._lock:
                if key in self._loaded:
                    return self._loaded[key]
            name, input_size = key
            own = name == self.served_name
            model = load_model(name, self.weights if own else None, self.engine if own else "auto",
                               input_size=input_size, precision=self.precision if own else None,
                               mode=ENGINE_MODE, download=False)
            with self._lock:
                self._loaded[key] = model
                for old in [k for k in self._loaded if k != (self.served_name, None)]:
                    if len(self._loaded) <= self.capacity:
                        break
                    del self._loaded[old]
        return model


class Admission:
    """Counts requests from admission to response and estimates when to retry."""

    def __init__(self, limits: Limits):
        self.capacity = limits.max_concurrency + limits.max_queue
        self.workers = limits.max_concurrency
        self.active = 0
        self.seconds_per_request = 1.0  # running mean of recent work times

    def admit(self) -> None:
        if self.active >= self.capacity:
            retry = max(1, math.ceil(self.seconds_per_request * self.active / self.workers))
            raise HTTPException(503, f"The service is busy ({self.active} requests in progress); "
                                     f"retry in {retry} s.", headers={"Retry-After": str(retry)})
        self.active += 1

    def release(self, seconds: Optional[float] = None) -> None:
        self.active -= 1
        if seconds is not None:
            self.seconds_per_request += 0.2 * (seconds - self.seconds_per_request)


class ImageField:
    """python-multipart callbacks that keep the bytes of the form field `image`, in memory."""

    def __init__(self, limit: int):
        self.limit = limit
        self.data: Optional[bytearray] = None
        self._header = b""
        self._value = b""
        self._in_image = False

    def callbacks(self) -> dict:
        return {"on_part_begin": self.part_begin, "on_header_field": self.header_field,
                "on_header_value": self.header_value, "on_header_end": self.header_end,
                "on_part_data": self.part_data}

    def part_begin(self) -> None:
        self._in_image = False
        self._header = self._value = b""

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def header_end(self) -> None:
        if self._header.lower() == b"content-disposition":
            _, options = parse_options_header(self._value)
            if options.get(b"name") == b"image" and self.data is None:
                self._in_image = True
                self.data = bytearray()
        self._header = self._value = b""

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_image:
            self.data += data[start:end]
            if len(self.data) > self.limit:
                raise ImageTooLarge(too_many_bytes(len(self.data), self.limit))


def too_many_bytes(size: int, limit: int) -> str:
    return (f"The upload is over {size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB "
            f"(the server's DEPTHVIZ_MAX_UPLOAD_MB). Send a smaller or more compressed photo.")


async def read_image_field(request: Request, limits: Limits) -> bytes:
    """The `image` field of a multipart body, streamed into memory with a byte cap and a time
    limit: a client can neither send more than the cap nor hold the request open forever."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise HTTPException(422, "Send the photo as a multipart/form-data field named 'image' "
                                 "(curl -F image=@photo.jpg).")
    cap = limits.max_upload_bytes + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise HTTPException(413, too_many_bytes(int(declared), limits.max_upload_bytes))
    field_ = ImageField(limits.max_upload_bytes)
    parser = MultipartParser(options[b"boundary"], field_.callbacks())
    received = 0
    try:
        with anyio.fail_after(limits.read_timeout):
            async for chunk in request.stream():
                received += len(chunk)
                if received > cap:
                    raise ImageTooLarge(too_many_bytes(received, limits.max_upload_bytes))
                parser.write(chunk)
        parser.finalize()
    except ImageTooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    except TimeoutError:
        raise HTTPException(408, f"The upload took longer than {limits.read_timeout:g} s.") from None
    except MultipartParseError as exc:
        raise HTTPException(400, f"The multipart/form-data body is malformed ({exc}).") from None
    if field_.data is None:
        raise HTTPException(422, "The request has no 'image' field: send the photo as a "
                                 "multipart/form-data field named 'image' (curl -F image=@photo.jpg).")
    return bytes(field_.data)


@dataclass(frozen=True)
class DepthResult:
    body: bytes
    model: str
    engine: str
    metric: bool
    inference_ms: float


def photo_to_depth_file(model: DepthModel, photo: bytes, fmt: str, cmap: str, invert: bool,
                        max_pixels: int) -> DepthResult:
    """The whole job for one request, on a worker thread: all of it is library calls."""
    rgb = load_image(photo, max_pixels=max_pixels)
    started = time.perf_counter()
    depth = model.predict(rgb)
    inference_ms = (time.perf_counter() - started) * 1000
    return DepthResult(encode(fmt, depth, cmap, invert, metric=model.metric), model.name,
                       model.engine_name, model.metric, inference_ms)


def key_checker(api_key: str):
    """A dependency that accepts `Authorization: Bearer KEY` or `X-API-Key: KEY`, compared in
    constant time (declared as security schemes, so /docs offers an Authorize button)."""
    expected = api_key.encode()
    bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer KEY")
    header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: KEY")

    def check_key(credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer),
                  key_header: Optional[str] = Depends(header)) -> None:
        offered = [key_header, credentials.credentials if credentials else None]
        if not any(hmac.compare_digest(key.encode(), expected) for key in offered if key):
            raise HTTPException(401, "A valid API key is required: send 'Authorization: Bearer "
                                     "KEY' or 'X-API-Key: KEY'.",
                                headers={"WWW-Authenticate": "Bearer"})

    return check_key


def validation_detail(exc: RequestValidationError) -> str:
    """FastAPI's list of validation errors as one sentence a person can act on."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "Invalid parameter " + "; ".join(parts) + "."


def create_app(model: Union[str, DepthModel] = DEFAULT_MODEL, *,
               weights: Optional[os.PathLike] = None, engine: str = "auto",
               precision: Optional[str] = None, api_key: Optional[str] = None,
               limits: Optional[Limits] = None) -> FastAPI:
    """The FastAPI app. `model` is a loaded DepthModel, or a name loaded at startup (so each
    Ray Serve replica loads its own copy); `weights`, `engine` and `precision` apply to the
    served model. `api_key` None: no key needed."""
    limits = limits or Limits()
    models = ModelCache(model, weights, engine, precision)
    state: dict = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        state["admission"] = Admission(limits)
        state["workers"] = ThreadPoolExecutor(limits.max_concurrency,
                                              thread_name_prefix="depthviz-worker")
        try:
            await anyio.to_thread.run_sync(models.get, (models.served_name, None))
            yield
        finally:
            state.pop("workers").shutdown(wait=False, cancel_futures=True)

    app = FastAPIOffline(
        title="depthviz", version=__version__, lifespan=lifespan, redoc_url=None,
        description="Monocular depth estimation on the CPU: POST a photo to /v1/depth, get its "
                    "depth map back (a heatmap PNG, a 16-bit PNG or a float32 .npy).")
    authorized = [Depends(key_checker(api_key))] if api_key else []

    @app.exception_handler(RequestValidationError)
    async def invalid_parameters(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_detail(exc)}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("Unexpected error", exc_info=exc)
        return JSONResponse({"detail": "Internal error; the server log has the details."},
                            status_code=500)

    @app.get("/healthz", summary="200 once the model is loaded")
    async def healthz() -> JSONResponse:
        served = models.served
        if served is None or "workers" not in state:
            return JSONResponse({"detail": "The model is still loading."}, status_code=503,
                                headers={"Retry-After": "5"})
        return JSONResponse({"status": "ok", "model": served.name, "engine": served.engine_name,
                             "version": __version__})

    @app.get("/v1/models", dependencies=authorized,
             summary="every model: weights on this server, licence, metric or relative")
    async def list_models() -> dict:
        statuses = await anyio.to_thread.run_sync(available_models)
        return {"served": models.served_name, "models": [{
            "name": status.name, "title": status.title, "description": status.description,
            "licence": status.licence, "non_commercial": status.non_commercial,
            "depth": "metric" if status.metric else "relative", "metric": status.metric,
            "input_size": status.input_size, "weights_present": status.weights_present,
            "weights_file": status.weights_file, "engines": list(status.engines),
        } for status in statuses]}

    @app.post("/v1/depth", dependencies=authorized, openapi_extra=PHOTO_BODY,
              response_class=Response, summary="a photo's depth map",
              responses={200: {"content": {"image/png": {}, "application/octet-stream": {}},
                               "description": "heatmap: 8-bit palette PNG (decodes to RGB) at "
                                              "the photo's size; depth16: 16-bit grey PNG "
                                              "(metric models: millimetres); npy: float32 HxW "
                                              "(relative: larger = nearer; metric: metres)"}})
    async def depth(
        request: Request,
        fmt: OutputFormat = Query("heatmap", alias="format"),
        cmap: str = Query(DEFAULT_COLORMAP, description="matplotlib colormap (heatmap)"),
        invert: bool = Query(False, description="near = cold instead of warm (heatmap)"),
        model: Optional[str] = Query(None, description="default: the served model"),
        input_size: Optional[int] = Query(None, ge=1, le=MAX_INPUT_SIZE,
                                          description="network input side in pixels"),
    ) -> Response:
        try:
            colormap_lut(cmap)
            key = models.key(model, input_size)
        except DepthvizError as exc:
            raise HTTPException(422, str(exc)) from None
        admission: Admission = state["admission"]
        admission.admit()
        started = time.perf_counter()
        finished = None
        try:
            photo = await read_image_field(request, limits)
            result = await asyncio.get_running_loop().run_in_executor(
                state["workers"], work, key, photo, fmt, cmap, invert)
            finished = time.perf_counter() - started
        finally:
            admission.release(finished)
        return Response(result.body, media_type=MEDIA_TYPES[fmt], headers={
            "X-Depthviz-Model": result.model, "X-Depthviz-Engine": result.engine,
            "X-Depthviz-Depth": "metric" if result.metric else "relative",
            "X-Depthviz-Inference-Ms": f"{result.inference_ms:.1f}", "Cache-Control": "no-store"})

    def work(key, photo: bytes, fmt: str, cmap: str, invert: bool) -> DepthResult:
        try:
            loaded = models.get(key)
        except DepthvizError as exc:  # e.g. that model's weights are not on this server
            raise HTTPException(422, str(exc)) from None
        try:
            return photo_to_depth_file(loaded, photo, fmt, cmap, invert, limits.max_pixels)
        except ImageTooLarge as exc:
            raise HTTPException(413, str(exc)) from None
        except ImageError as exc:
            raise HTTPException(400, str(exc)) from None

    return app


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
