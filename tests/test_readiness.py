"""/readyz follows the real dependencies: unready while PostgreSQL or Redis is gone, ready
again when they return (PostgreSQL + Redis stack, no service restarted for other tests)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import (
    FAST_HASH,
    POSTGRES_URL,
    create_postgres_database,
    drop_postgres_database,
    free_port,
    need_service,
)
from tests.live import live_server
from tests.test_cluster import _start_redis

pytestmark = pytest.mark.slow


class Forwarder:
    """A TCP forwarder to PostgreSQL that can be cut (as if the database went away)."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self.server:
            self.server.close()
            await self.server.wait_closed()
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_writer}
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


@asynccontextmanager
async def forwarded_database() -> AsyncIterator[tuple[str, Forwarder]]:
    need_service("PostgreSQL", POSTGRES_URL, 5432)
    url = await create_postgres_database()
    forwarder = Forwarder(free_port(), ("127.0.0.1", 5432))
    await forwarder.start()
    try:
        yield url.replace("127.0.0.1:5432", f"127.0.0.1:{forwarder.port}"), forwarder
    finally:
        await forwarder.stop()
        await drop_postgres_database(url)


async def wait_ready(client: httpx.AsyncClient, ready: bool) -> dict[str, Any]:
    for _ in range(200):
        body: dict[str, Any] = (await client.get("/readyz")).json()
        if body["ready"] is ready:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"/readyz never became ready={ready}")


async def test_readyz_follows_postgresql_and_redis(
    redis_url: str, unique_namespace: str, tmp_path: Path
) -> None:
    """Redis away → unready (broker); back → ready. PostgreSQL away → unready; back → ready."""
    redis_port = free_port()
    redis = _start_redis(redis_port, tmp_path)
    try:
        async with forwarded_database() as (db_url, forwarder):
            values = {
                "data_dir": tmp_path / "data",
                "database_url": db_url,
                "broker_url": f"redis://127.0.0.1:{redis_port}/0",
                "broker_namespace": unique_namespace,
                "auto_migrate": True,
                **FAST_HASH,
            }
            async with live_server(values) as server, httpx.AsyncClient(base_url=server.base) as c:
                await wait_ready(c, True)
                redis.terminate()
                redis.wait(10)
                assert (await wait_ready(c, False))["checks"]["broker"] is False
                redis = _start_redis(redis_port, tmp_path)
                await wait_ready(c, True)

                await forwarder.stop()
                assert (await wait_ready(c, False))["checks"]["database"] is False
                await forwarder.start()
                await wait_ready(c, True)
    finally:
        redis.terminate()
        redis.wait(10)
