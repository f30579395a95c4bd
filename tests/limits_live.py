"""A real uvicorn behind a pretend trusted proxy, so each client can be another network."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
import websockets

from chatsupport.app import create_app
from chatsupport.logs import log_config
from chatsupport.settings import Settings
from tests.conftest import free_port
from tests.live import LiveServer, WsClient


@asynccontextmanager
async def proxied_server(
    values: dict[str, Any], *, trust: bool = True
) -> AsyncIterator[LiveServer]:
    """Like ``tests.live.live_server``, with uvicorn's proxy headers trusted from loopback."""
    settings = Settings(**values)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=free_port(),
        ws="websockets-sansio",
        ws_max_size=settings.max_frame_bytes,
        ws_per_message_deflate=False,
        log_config=log_config("WARNING"),
        access_log=False,
        proxy_headers=trust,
        forwarded_allow_ips="127.0.0.1" if trust else None,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(20):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.02)
        yield LiveServer(f"http://127.0.0.1:{config.port}", app.state.runtime)
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 20)


@asynccontextmanager
async def youth_from(server: LiveServer, address: str) -> AsyncIterator[WsClient]:
    """A youth socket that the (pretend) proxy says comes from ``address``."""
    headers = {"X-Forwarded-For": address}
    async with websockets.connect(
        f"{server.ws_base}/ws/youth", additional_headers=headers, open_timeout=10
    ) as ws:
        yield WsClient(ws)
