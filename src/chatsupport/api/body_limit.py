"""A ceiling on HTTP request bodies, checked before any route reads one.

Without it a client could make the service read (and hold) a body of any size before the
route answered 401 or 422: nginx caps bodies in the documented deployment, but the service
may run without it. Pure ASGI: WebSockets pass untouched (their frames have their own limit).
A body over the ceiling is answered 413 ``request.too_large`` and never passed on.
"""

from __future__ import annotations

import json
from typing import Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatsupport.api.errors import error_body

Outcome = Literal["complete", "too_large", "gone"]


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._declared_too_large(scope):
            await _too_large(send, self.max_bytes)
            return
        body, outcome = await self._read(receive)
        if outcome == "too_large":
            await _too_large(send, self.max_bytes)
        elif outcome == "complete":
            await self.app(scope, _replay(body, receive), send)
        # "gone": the client left before its body was in; nobody is there to answer

    def _declared_too_large(self, scope: Scope) -> bool:
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    return int(value) > self.max_bytes
                except ValueError:
                    return False  # h11 refuses a malformed length before we are called
        return False

    async def _read(self, receive: Receive) -> tuple[bytes, Outcome]:
        """The whole body, stopping as soon as it passes the ceiling (a chunked body has no
        length to check first)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"", "gone"
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return b"", "too_large"
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), "complete"


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: a disconnect, as the server would say

    return replay


async def _too_large(send: Send, max_bytes: int) -> None:
    payload = json.dumps(
        error_body("request.too_large", f"The request body is larger than {max_bytes} bytes.")
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
