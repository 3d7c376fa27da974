"""Errors as JSON a person can act on: invalid parameters as one sentence (422), anything
unexpected as a 500 whose details go to the server log only, never to the client."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

log = logging.getLogger("depthviz.serve")


def validation_detail(exc: RequestValidationError) -> str:
    """FastAPI's list of validation errors as one sentence a person can act on."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "Invalid parameter " + "; ".join(parts) + "."


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_parameters(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_detail(exc)}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("Unexpected error", exc_info=exc)
        return JSONResponse({"detail": "Internal error; the server log has the details."},
                            status_code=500)
