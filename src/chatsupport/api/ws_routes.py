"""The two WebSocket endpoints. Secrets never travel in the URL; see docs/protocol.md."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketState

from chatsupport.api.deps import SESSION_COOKIE
from chatsupport.api.origins import origin_allowed
from chatsupport.api.runtime import Runtime
from chatsupport.domain.errors import NotAuthenticated
from chatsupport.domain.roles import may_answer_chats
from chatsupport.hub import frames
from chatsupport.hub.connection import CLOSE_FORBIDDEN, CLOSE_NOT_AUTHENTICATED, Connection
from chatsupport.hub.responder import ResponderSession
from chatsupport.hub.youth import YouthSession
from chatsupport.services.limits import RateLimited

CLOSE_TRY_LATER = 4029  # retry range: too many connections from one network; back off

router = APIRouter()
log = logging.getLogger("chatsupport.ws")


def _runtime(ws: WebSocket) -> Runtime:
    runtime: Runtime = ws.app.state.runtime
    return runtime


async def _pump(ws: WebSocket, conn: Connection, handle: Any) -> None:
    """Read frames until the client leaves; binary frames get an error frame."""
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            conn.error("frame.invalid", "expected a text frame with one JSON object")
            continue
        await handle(text)
        if conn.closed:
            return


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
    session = YouthSession(runtime.hub, conn, limits=runtime.limits, key=key)
    try:
        await _pump(ws, conn, session.handle_text)
    finally:
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


@router.websocket("/ws/responder")
async def responder_socket(ws: WebSocket) -> None:
    runtime = _runtime(ws)
    await ws.accept()
    if not origin_allowed(ws, runtime.settings.allowed_origins):
        await ws.close(CLOSE_FORBIDDEN)
        return
    try:
        record = await runtime.accounts.authenticate(ws.cookies.get(SESSION_COOKIE, ""))
    except NotAuthenticated:
        await ws.send_json(frames.error("auth.required", "Log in first."))
        await ws.close(CLOSE_NOT_AUTHENTICATED)
        return
    if not may_answer_chats(record.responder.role):
        await ws.send_json(frames.error("auth.forbidden", "This account does not answer chats."))
        await ws.close(CLOSE_FORBIDDEN)
        return
    conn = runtime.hub.new_responder(ws, record.responder)
    try:
        await _pump(
            ws, conn, ResponderSession(runtime.hub, conn, limits=runtime.limits).handle_text
        )
    finally:
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
