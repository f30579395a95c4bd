"""A real uvicorn behind a pretend trusted proxy, so each client can be another network."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import websockets

from tests.live import LiveServer, WsClient, live_server


@asynccontextmanager
async def proxied_server(
    values: dict[str, Any], *, trust: bool = True
) -> AsyncIterator[LiveServer]:
    """Like ``tests.live.live_server``, with uvicorn's proxy headers trusted from loopback."""
    options = {"proxy_headers": trust, "forwarded_allow_ips": "127.0.0.1" if trust else None}
    async with live_server(values, **options) as server:
        yield server


@asynccontextmanager
async def youth_from(server: LiveServer, address: str) -> AsyncIterator[WsClient]:
    """A youth socket that the (pretend) proxy says comes from ``address``."""
    headers = {"X-Forwarded-For": address}
    async with websockets.connect(
        f"{server.ws_base}/ws/youth", additional_headers=headers, open_timeout=10
    ) as ws:
        yield WsClient(ws)
