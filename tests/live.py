"""A real uvicorn server on loopback, in the test's own event loop, and WebSocket clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import uvicorn
import websockets
from websockets.asyncio.client import ClientConnection

from chatsupport.api.runtime import Runtime
from chatsupport.app import create_app
from chatsupport.domain.clock import Clock
from chatsupport.hub.frames import SERVER_FRAMES
from chatsupport.logs import log_config
from chatsupport.settings import Settings
from tests.conftest import free_port
from tests.helpers import PASSWORD

FRAME_TIMEOUT_SECS = 10.0


class Served(Protocol):
    """Anything that serves chatsupport: an in-test server or a real process."""

    @property
    def base(self) -> str: ...

    @property
    def ws_base(self) -> str: ...


@dataclass
class LiveServer:
    base: str
    runtime: Runtime

    @property
    def ws_base(self) -> str:
        return self.base.replace("http://", "ws://")


def server_config(app: Any, settings: Settings, **options: Any) -> uvicorn.Config:
    """uvicorn as ``chatsupport serve`` runs it (websockets-sansio, no deflate, the frame limit)
    on a free loopback port; ``options`` add to it (e.g. proxy headers)."""
    return uvicorn.Config(
        app,
        host="127.0.0.1",
        port=free_port(),
        ws="websockets-sansio",
        ws_max_size=settings.max_frame_bytes,
        ws_per_message_deflate=False,
        log_config=log_config("WARNING"),
        access_log=False,
        lifespan="on",
        **options,
    )


@asynccontextmanager
async def live_server(
    values: dict[str, Any], *, clock: Clock | None = None, **uvicorn_options: Any
) -> AsyncIterator[LiveServer]:
    """The production server stack (uvicorn, websockets-sansio, no deflate) on a free port."""
    settings = Settings(**values)
    app = create_app(settings, clock=clock)
    config = server_config(app, settings, **uvicorn_options)
    port = config.port
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(20):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.02)
        yield LiveServer(f"http://127.0.0.1:{port}", app.state.runtime)
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 20)


@dataclass
class WsClient:
    """A WebSocket client that checks every server frame against the published schema."""

    ws: ClientConnection
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, **frame: Any) -> None:
        await self.ws.send(json.dumps(frame))

    async def send_raw(self, data: str | bytes) -> None:
        await self.ws.send(data)

    async def recv(self, within: float = FRAME_TIMEOUT_SECS) -> dict[str, Any]:
        async with asyncio.timeout(within):
            raw = await self.ws.recv()
        frame: dict[str, Any] = json.loads(raw)
        SERVER_FRAMES.validate_python(frame)  # every frame must match the schema
        return frame

    async def expect(
        self, kind: str, within: float = FRAME_TIMEOUT_SECS, **match: Any
    ) -> dict[str, Any]:
        """The first frame of ``kind`` (matching ``match``), from those already read or new ones.

        Frames read past are kept in ``seen`` for later ``expect`` calls.
        """
        for i, frame in enumerate(self.seen):
            if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                return self.seen.pop(i)
        async with asyncio.timeout(within):
            while True:
                frame = await self.recv(within)
                if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                    return frame
                self.seen.append(frame)

    async def nothing_within(self, secs: float) -> list[dict[str, Any]]:
        """Frames that arrive within ``secs`` (used to show that something did NOT arrive)."""
        got: list[dict[str, Any]] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(secs):
                while True:
                    got.append(await self.recv(secs + 1))
        return got

    async def close(self) -> None:
        await self.ws.close()


@asynccontextmanager
async def youth(server: Served) -> AsyncIterator[WsClient]:
    async with websockets.connect(f"{server.ws_base}/ws/youth", open_timeout=10) as ws:
        yield WsClient(ws)


async def session_cookie(server: Served, login_name: str) -> str:
    async with httpx.AsyncClient(base_url=server.base) as client:
        r = await client.post(
            "/api/auth/login", json={"login_name": login_name, "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        return f"cs_session={r.cookies['cs_session']}"


@asynccontextmanager
async def responder(
    server: Served, login_name: str, *, hello: bool = True, resume: dict[str, int] | None = None
) -> AsyncIterator[WsClient]:
    cookie = await session_cookie(server, login_name)
    async with websockets.connect(
        f"{server.ws_base}/ws/responder", additional_headers={"Cookie": cookie}, open_timeout=10
    ) as ws:
        client = WsClient(ws)
        if hello:
            await client.send(type="hello", resume=resume or {})
            await client.expect("welcome")
        yield client
