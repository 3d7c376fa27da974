"""Refuse early and close: a response that starts before its request's body has been read (a 401,
a 413 from the declared Content-Length, a 503) says `Connection: close`, so the server closes
the connection instead of reading and discarding the rest of a body it already refused.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CLOSE = (b"connection", b"close")


def declares_body(scope: Scope) -> bool:
    """Whether the request's headers announce a body (a length above 0, or chunks)."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.strip() not in (b"", b"0"):
            return True
        if name == b"transfer-encoding":
            return True
    return False


class CloseUnreadBodies:
    """ASGI middleware: adds `Connection: close` to a response begun before the request body
    was read to its end."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not declares_body(scope):
            await self.app(scope, receive, send)
            return
        body_read = False

        async def tracked_receive() -> Message:
            nonlocal body_read
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                body_read = True
            return message

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not body_read:
                message = {**message, "headers": [*message.get("headers", []), CLOSE]}
            await send(message)

        await self.app(scope, tracked_receive, closing_send)
