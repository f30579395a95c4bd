"""A request id for every HTTP request and WebSocket connection, and a privacy-safe access log.

Pure ASGI middleware (not Starlette's BaseHTTPMiddleware, which would buffer WebSockets out).
The id is random and made here: a client cannot choose it, so it cannot be used to tie log
lines to anything the client knows. HTTP answers carry it as ``X-Request-ID`` so that a staff
member can quote it when reporting a problem.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatsupport.logs import request_id

HEADER = b"x-request-id"
access_log = logging.getLogger("chatsupport.access")


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = secrets.token_hex(8)
        token = request_id.set(rid)
        started = time.perf_counter()
        status = {"code": 0}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (HEADER, rid.encode())]
            await send(message)

        try:  # WebSocket frames pass unwrapped: one wrapper per frame sent showed in profiles
            await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)
        finally:
            if scope["type"] == "http":
                _log_request(scope, status["code"], time.perf_counter() - started)
            request_id.reset(token)


def _log_request(scope: Scope, status: int, secs: float) -> None:
    """Method, route template (not the raw path: no ids), status and duration. Nothing else."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None) or "(unmatched)"
    fields = {"method": scope["method"], "route": path, "status": status, "ms": round(secs * 1e3)}
    access_log.info("%s %s %s", scope["method"], path, status, extra={"fields": fields})
