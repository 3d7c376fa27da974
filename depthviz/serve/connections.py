"""Connection-level defences uvicorn lacks, as a subclass of its h11 protocol: a deadline for the
request line and headers (uvicorn has none before the first request, so sockets that connect and
send nothing stay open for ever), a cap on open connections that answers with the service's JSON
503 (uvicorn's `limit_concurrency` counts idle connections and answers in plain text), and the
JSON body on uvicorn's own 400 for unparsable HTTP, and a lingering close: a refusal sent while
the client is still sending its body (401, 413, 503) shuts down the sending side and reads and
discards for a moment before closing, so the client reads the refusal instead of a reset (as
nginx's lingering_close does).
"""

from __future__ import annotations

import asyncio
import json
from typing import Optional

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from depthviz.serve.limits import Limits


def json_error(status: int, reason: str, detail: str, extra: str = "") -> bytes:
    """A whole HTTP/1.1 error response with the service's JSON body, closing the connection."""
    body = json.dumps({"detail": detail}).encode()
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n{extra}\r\n").encode() + body


TOO_MANY_CONNECTIONS = json_error(
    503, "Service Unavailable", "The service has too many open connections; retry in a moment.",
    "retry-after: 1\r\n")
UNPARSABLE_REQUEST = json_error(400, "Bad Request", "The HTTP request could not be parsed.")
#: Seconds a refused connection is read and discarded before it is closed.
LINGER_SECONDS = 2.0


class LingeringTransport:
    """The connection's transport as uvicorn's request cycle sees it: closing while the client
    still sends its body lingers instead (the protocol discards what arrives meanwhile)."""

    def __init__(self, transport: asyncio.Transport, protocol: GuardedH11Protocol):
        self._transport = transport
        self._protocol = protocol

    def __getattr__(self, name: str) -> object:
        return getattr(self._transport, name)

    def is_closing(self) -> bool:
        return self._protocol.lingering or self._transport.is_closing()

    def close(self) -> None:
        protocol = self._protocol
        if (protocol.lingering or self._transport.is_closing()
                or protocol.conn.their_state is not h11.SEND_BODY):
            self._transport.close()
            return
        protocol.linger()


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header deadline and a cap on open connections."""

    limits: Limits = Limits()  # set per server by guarded_protocol()

    header_deadline: Optional[asyncio.TimerHandle] = None
    over_capacity = False
    lingering = False  # refused mid-body: what arrives is discarded until the close

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.socket_transport = transport
        self.transport = LingeringTransport(transport, self)  # type: ignore[assignment]
        self.over_capacity = len(self.connections) > self.limits.max_connections
        self._arm_header_deadline()

    def eof_received(self) -> None:
        if self.lingering:  # the client has sent all it will: nothing left to wait for
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            return
        if self.over_capacity:  # answered once its request starts arriving, so it is read
            self._cancel_header_deadline()
            self.transport.write(TOO_MANY_CONNECTIONS)
            self.linger()
            return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._cancel_header_deadline()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_header_deadline()

    def linger(self) -> None:
        """Stop sending, discard what the client still sends, close after LINGER_SECONDS (or
        at the client's end of data, whichever is first)."""
        transport = self.socket_transport
        if not transport.can_write_eof():
            transport.close()
            return
        self.lingering = True
        transport.write_eof()
        transport.resume_reading()
        self.loop.call_later(LINGER_SECONDS, transport.close)

    def send_400_response(self, msg: str) -> None:
        self.logger.info(msg)
        self.transport.write(UNPARSABLE_REQUEST)
        self.transport.close()

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        self.header_deadline = self.loop.call_later(self.limits.header_timeout,
                                                    self._headers_too_slow)

    def _cancel_header_deadline(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _headers_too_slow(self) -> None:
        """No complete request line and headers in time: close, as for an idle keep-alive."""
        self.header_deadline = None
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self.transport.close()


def guarded_protocol(limits: Limits) -> type[GuardedH11Protocol]:
    """The protocol class uvicorn instantiates per connection, bound to these limits."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"limits": limits})
