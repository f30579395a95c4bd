"""The two WebSocket endpoints. Secrets never travel in the URL; see docs/protocol.md."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketState

from chatsupport import metrics
from chatsupport.api.console_sessions import Refusal, admit
from chatsupport.api.deps import SESSION_COOKIE
from chatsupport.api.origins import origin_allowed
from chatsupport.api.runtime import Runtime
from chatsupport.domain.errors import NotAuthenticated
from chatsupport.hub import frames
from chatsupport.hub.connection import CLOSE_FORBIDDEN, Connection
from chatsupport.hub.responder import ResponderSession
from chatsupport.hub.youth import YouthSession
from chatsupport.services import limit_counts
from chatsupport.services.limits import RateLimited
from chatsupport.storage.staff_sessions import SessionRecord

CLOSE_TRY_LATER = 4029  # retry range: too many connections from one network; back off
CLOSE_HANDSHAKE_TIMEOUT = 4008  # retry range: no valid first frame / hello in time

router = APIRouter()
log = logging.getLogger("chatsupport.ws")


def _runtime(ws: WebSocket) -> Runtime:
    runtime: Runtime = ws.app.state.runtime
    return runtime


async def _pump(
    ws: WebSocket, conn: Connection, handle: Any, *, greeted: Callable[[], bool], window: float
) -> None:
    """Read frames until the client leaves; binary frames get an error frame.

    Until ``greeted()`` is true (youth: a valid first frame; responder: ``hello``) the socket
    has ``window`` seconds in all, then it is closed with 4008, so that unauthenticated or
    silent sockets cannot be held open for free.
    """
    deadline = asyncio.get_running_loop().time() + window
    while True:
        if greeted():  # no timeout to arm and disarm for every frame (it showed in profiles)
            message = await ws.receive()
        else:
            try:
                async with asyncio.timeout_at(deadline):
                    message = await ws.receive()
            except TimeoutError:
                await _handshake_timeout(ws, conn)
                return
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            conn.error("frame.invalid", "expected a text frame with one JSON object")
            continue
        await handle(text)
        if conn.closed:
            return


async def _handshake_timeout(ws: WebSocket, conn: Connection) -> None:
    limit_counts.count("ws.handshake_timeout")
    await conn.stop()
    with contextlib.suppress(RuntimeError):  # the client closed at the same moment
        await ws.close(CLOSE_HANDSHAKE_TIMEOUT)


@router.websocket("/ws/youth")
async def youth_socket(ws: WebSocket) -> None:
    runtime = _runtime(ws)
    await ws.accept()
    if not origin_allowed(ws, runtime.settings.allowed_origins):
        await ws.close(CLOSE_FORBIDDEN)
        return
    key = await _admit_youth(ws, runtime)
    if key is None:
        return
    conn = runtime.hub.new_youth(ws)
    metrics.connections.labels(side="youth").inc()
    session = YouthSession(runtime.hub, conn, limits=runtime.limits, key=key)
    try:
        window = runtime.settings.handshake_secs
        await _pump(ws, conn, session.handle_text, greeted=lambda: session.greeted, window=window)
    finally:
        metrics.connections.labels(side="youth").dec()
        await runtime.hub.disconnect(conn)
        await runtime.limits.disconnect(key)
        await _close(ws)


async def _admit_youth(ws: WebSocket, runtime: Runtime) -> str | None:
    """The connection's limit key, or None (socket closed) when its network has too many.

    The address is read once here (uvicorn has already applied X-Forwarded-For, and only from
    ``CHATSUPPORT_TRUSTED_PROXIES``), turned into the day's keyed hash and dropped.
    """
    key = await runtime.limits.client_key(ws.client.host if ws.client else None)
    try:
        await runtime.limits.connect(key)
    except RateLimited as exc:
        await ws.send_json(frames.error(exc.code, exc.message))
        await ws.close(CLOSE_TRY_LATER)
        return None
    return key


async def _admit_responder(runtime: Runtime, token: str) -> SessionRecord | Refusal:
    """The live session behind ``token`` if it may hold a responder socket."""
    try:
        record = await runtime.accounts.authenticate(token)
    except NotAuthenticated:
        record = None
    return admit(record, runtime.two_factor)


@router.websocket("/ws/responder")
async def responder_socket(ws: WebSocket) -> None:
    runtime = _runtime(ws)
    await ws.accept()
    if not origin_allowed(ws, runtime.settings.allowed_origins):
        await ws.close(CLOSE_FORBIDDEN)
        return
    token = ws.cookies.get(SESSION_COOKIE, "")
    admitted = await _admit_responder(runtime, token)
    if isinstance(admitted, Refusal):
        await ws.send_json(frames.error(admitted.code, admitted.message))
        await ws.close(admitted.close_code)
        return
    conn = runtime.hub.new_responder(ws, admitted.responder)
    metrics.connections.labels(side="responder").inc()
    runtime.consoles.watch(conn, token)  # closed once the session ends
    try:
        session = ResponderSession(runtime.hub, conn, limits=runtime.limits)
        window = runtime.settings.handshake_secs
        await _pump(ws, conn, session.handle_text, greeted=lambda: conn.greeted, window=window)
    finally:
        runtime.consoles.forget(conn)
        metrics.connections.labels(side="responder").dec()
        await runtime.hub.disconnect(conn)
        await _close(ws)


async def _close(ws: WebSocket) -> None:
    if ws.application_state is WebSocketState.CONNECTED and (
        ws.client_state is WebSocketState.CONNECTED
    ):
        with contextlib.suppress(RuntimeError):  # the client closed at the same moment
            await ws.close()


@router.get("/api/protocol/schema.json", tags=["protocol"])
async def protocol_schema() -> dict[str, Any]:
    """The wire protocol as JSON Schema (generated from the frame models)."""
    return frames.json_schema()
