"""The uploaded photo: the `image` field of a multipart body, read from the socket into memory
with a byte cap and a time limit (never spooled to disk, as Starlette's form parser does above
1 MB), so a client can neither send more than the cap nor hold a request open forever.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, NamedTuple, Optional

import anyio
from fastapi import HTTPException, Request
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from depthviz.errors import ImageTooLarge
from depthviz.serve.limits import Limits

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

#: Room for the multipart boundaries and part headers around the photo's bytes.
MULTIPART_OVERHEAD = 64 * 1024
#: The body `read_image_field` expects, for the OpenAPI docs: FastAPI cannot infer it, since
#: the body is parsed here rather than declared as a form parameter.
log = logging.getLogger("depthviz.serve")

PHOTO_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["image"],
    "properties": {"image": {"type": "string", "format": "binary",
                             "description": "the photo (JPEG, PNG, WebP, BMP, TIFF or GIF)"}}}}}}}


class UploadedPhoto(NamedTuple):
    """The `image` field: its bytes, and the file name the client gave it ("" if none)."""

    data: bytes
    name: str


class FormTooComplex(ValueError):
    """The body has more parts, or longer part headers, than a photo upload needs."""


class ImageField:
    """python-multipart callbacks that keep the bytes of the form field `image`, in memory,
    and stop a body with more parts or longer part headers than the limits allow (a flood of
    tiny parts costs the parser CPU for each one)."""

    def __init__(self, limits: Limits):
        self.limit = limits.max_upload_bytes
        self.max_parts = limits.max_parts
        self.max_header_bytes = limits.max_part_header_bytes
        self.data: Optional[bytearray] = None
        self.name = ""
        self.parts = 0
        self._header = b""
        self._value = b""
        self._in_image = False

    def callbacks(self) -> MultipartCallbacks:
        return {"on_part_begin": self.part_begin, "on_header_field": self.header_field,
                "on_header_value": self.header_value, "on_header_end": self.header_end,
                "on_part_data": self.part_data}

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > self.max_parts:
            raise FormTooComplex(f"The form has more than {self.max_parts} parts; send the "
                                 "photo as the field 'image' and little else.")
        self._in_image = False
        self._header = self._value = b""

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]
        self._check_header_size()

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]
        self._check_header_size()

    def _check_header_size(self) -> None:
        if len(self._header) + len(self._value) > self.max_header_bytes:
            raise FormTooComplex(f"A part's header is over {self.max_header_bytes} bytes.")

    def header_end(self) -> None:
        if self._header.lower() == b"content-disposition":
            _, options = parse_options_header(self._value)
            if options.get(b"name") == b"image" and self.data is None:
                self._in_image = True
                self.data = bytearray()
                self.name = options.get(b"filename", b"").decode("utf-8", "replace")
        self._header = self._value = b""

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_image and self.data is not None:
            self.data += data[start:end]
            if len(self.data) > self.limit:
                raise ImageTooLarge(too_many_bytes(len(self.data), self.limit))


def too_many_bytes(size: int, limit: int) -> str:
    return (f"The upload is over {size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB "
            f"(the server's DEPTHVIZ_MAX_UPLOAD_MB). Send a smaller or more compressed photo.")


def multipart_boundary(request: Request, limits: Limits) -> bytes:
    """The body's multipart boundary, once its headers show it is a form of acceptable size."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise HTTPException(422, "Send the photo as a multipart/form-data field named 'image' "
                                 "(curl -F image=@photo.jpg).")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_upload_bytes + MULTIPART_OVERHEAD:
        raise HTTPException(413, too_many_bytes(int(declared), limits.max_upload_bytes))
    return options[b"boundary"]


async def read_image_field(request: Request, limits: Limits) -> UploadedPhoto:
    """The `image` field of a multipart body, streamed into memory with a byte cap, a deadline
    and a minimum rate: a client can neither send more than the cap nor hold its place by
    trickling. Every parser error, whatever its type, is a 400."""
    boundary = multipart_boundary(request, limits)
    field_ = ImageField(limits)
    received = 0
    try:
        parser = MultipartParser(boundary, field_.callbacks())
        with anyio.fail_after(limits.read_timeout) as deadline:
            started = time.monotonic()
            async for chunk in request.stream():
                received += len(chunk)
                if received > limits.max_upload_bytes + MULTIPART_OVERHEAD:
                    raise ImageTooLarge(too_many_bytes(received, limits.max_upload_bytes))
                parser.write(chunk)
                deadline.deadline = limits.upload_deadline(started, received)
        parser.finalize()
    except ImageTooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    except TimeoutError:
        raise HTTPException(408, too_slow(limits)) from None
    except ClientDisconnect:
        log.info("The client of %s disconnected after %d bytes of its upload; nothing was "
                 "started for it.", request.url.path, received)
        raise HTTPException(400, "The client disconnected during the upload.") from None
    except Exception as exc:  # noqa: BLE001 - the parser raises ValueError, its own errors, ...
        raise HTTPException(400, f"The multipart/form-data body is malformed ({exc}).") from None
    if field_.data is None:
        raise HTTPException(422, "The request has no 'image' field: send the photo as a "
                                 "multipart/form-data field named 'image' "
                                 "(curl -F image=@photo.jpg).")
    return UploadedPhoto(bytes(field_.data), field_.name)


def too_slow(limits: Limits) -> str:
    return (f"The upload was too slow: the whole body must arrive within "
            f"{limits.read_timeout:g} s and, after {limits.upload_grace:g} s, at "
            f"{limits.min_upload_rate / 1024:g} KB/s at least.")
