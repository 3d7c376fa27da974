"""Errors as JSON a person can act on: invalid parameters as one sentence (422), anything
unexpected as a 500 whose details go to the server log only, never to the client, and no detail
naming the server's folders or its host name."""

from __future__ import annotations

import logging
import os
import socket
import sys
import tempfile
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from depthviz.io.weights import model_home

log = logging.getLogger("depthviz.serve")


def server_names() -> list[str]:
    """What a client has no business seeing: the server's folders and host name, longest
    first (so a folder inside another is replaced whole)."""
    names = {str(model_home()), str(Path.home()), sys.prefix, tempfile.gettempdir(),
             os.getcwd(), socket.gethostname(), socket.getfqdn()}
    return sorted((name for name in names if len(name) > 1), key=len, reverse=True)


def client_safe(detail: str) -> str:
    """`detail` with every server folder and host name replaced by "(server)"."""
    for name in server_names():
        detail = detail.replace(name, "(server)")
    return detail


def validation_detail(exc: RequestValidationError) -> str:
    """FastAPI's list of validation errors as one sentence a person can act on."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "Invalid parameter " + "; ".join(parts) + "."


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def refused(_request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"detail": client_safe(str(exc.detail))},
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_parameters(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_detail(exc)}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("Unexpected error", exc_info=exc)
        return JSONResponse({"detail": "Internal error; the server log has the details."},
                            status_code=500)
