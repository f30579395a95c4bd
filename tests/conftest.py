"""Shared fixtures: the two storage backends, Redis, and the rule for missing services.

Every storage test runs on SQLite and on PostgreSQL (``backend`` parameter); every broker test
on the in-process broker and on Redis. A missing PostgreSQL or Redis skips those tests on a
developer's machine and **fails** them in CI (``CI=true``), so CI can never pass by skipping.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

POSTGRES_URL = os.environ.get(
    "CHATSUPPORT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CHATSUPPORT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SERVICES_REQUIRED = os.environ.get("CI", "").lower() == "true"

# Cheap argon2 for tests: the parameters are still argon2id; only the cost is lower.
FAST_HASH = {
    "password_hash_time_cost": 1,
    "password_hash_memory_kib": 1024,
    "password_hash_parallelism": 1,
}


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def need_service(name: str, url: str, default_port: int) -> None:
    """Skip (developer) or fail (CI) when a real service a test needs is not there."""
    if reachable(url, default_port):
        return
    message = f"{name} is not reachable at {url}"
    if SERVICES_REQUIRED:
        pytest.fail(f"{message} (CI=true: tests needing it must not be skipped)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _admin_execute(statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_postgres_database() -> str:
    """A new, empty database on the test server; returns its SQLAlchemy URL."""
    name = f"cs_test_{uuid.uuid4().hex[:12]}"
    await _admin_execute(f'CREATE DATABASE "{name}"')
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    await _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The storage backend under test."""
    name: str = request.param
    if name == "postgresql":
        need_service("PostgreSQL", POSTGRES_URL, 5432)
    return name


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the backend under test, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    url = await create_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(url)


@pytest.fixture
def redis_url() -> str:
    need_service("Redis", REDIS_URL, 6379)
    return REDIS_URL


@pytest.fixture
def settings_values(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """Settings for an app under test on the backend under test (memory broker)."""
    return {
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "broker_url": "memory://",
        "auto_migrate": True,
        **FAST_HASH,
    }


@pytest.fixture
def unique_namespace() -> str:
    """A broker namespace no other test run shares (Redis is shared on the machine)."""
    return f"cstest-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session", autouse=True)
def _no_stray_environment() -> Iterator[None]:
    """Tests build Settings explicitly; CHATSUPPORT_* from the shell must not leak in."""
    saved = {
        k: v for k, v in os.environ.items() if k.startswith("CHATSUPPORT_") and "TEST" not in k
    }
    for key in saved:
        del os.environ[key]
    yield
    os.environ.update(saved)


def run_async(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture(params=["embedded", "production"])
def stack(request: pytest.FixtureRequest) -> str:
    """embedded = SQLite + in-process broker; production = PostgreSQL + Redis."""
    name: str = request.param
    if name == "production":
        need_service("PostgreSQL", POSTGRES_URL, 5432)
        need_service("Redis", REDIS_URL, 6379)
    return name


@pytest.fixture
async def stack_values(
    stack: str, tmp_path: Path, unique_namespace: str
) -> AsyncIterator[dict[str, Any]]:
    """Settings for a server on the stack under test, with a fresh database."""
    values: dict[str, Any] = {"data_dir": tmp_path / "data", "auto_migrate": True, **FAST_HASH}
    if stack == "embedded":
        values.update(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.sqlite3'}", broker_url="memory://"
        )
        yield values
        return
    url = await create_postgres_database()
    values.update(database_url=url, broker_url=REDIS_URL, broker_namespace=unique_namespace)
    try:
        yield values
    finally:
        await drop_postgres_database(url)


@pytest.fixture
def host_site() -> str:
    """The family centre's own site: another origin on loopback (Chromium refuses a public
    page that loads from loopback, so the stand-in must be local too)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
async def server(tmp_path: Path, host_site: str) -> AsyncIterator[Any]:
    """The browser tests' live server: SQLite + in-process broker, the family centre's site
    allowed to frame the youth page (``tests.web_checks.web_server``). A module that needs
    other settings defines its own ``server``, which pytest uses instead."""
    from tests.web_checks import web_server  # it imports this module: import here

    async with web_server(tmp_path, host_site) as live:
        yield live


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Headless Chromium for the browser tests (tests/browser.py; fails in CI when missing)."""
    from tests.browser import chromium  # tests.browser imports this module: import here

    async with chromium() as b:
        yield b
