"""A real chatsupport server in a background thread, for synchronous property-based tests.

Hypothesis and Schemathesis drive synchronous test functions, so these tests cannot share
the event loop of an async fixture. The server runs on its own loop in a thread (uvicorn,
the production WebSocket implementation) on an SQLite file that the test can also inspect.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from chatsupport.api.runtime import build_runtime
from chatsupport.app import create_app
from chatsupport.domain.roles import Role
from chatsupport.domain.rota import Shift, ShiftRole
from chatsupport.settings import Settings
from tests.conftest import FAST_HASH
from tests.helpers import PASSWORD
from tests.live import server_config

ACCOUNTS = {"koordi": Role.COORDINATOR, "anna": Role.PROFESSIONAL}


@dataclass(frozen=True)
class ThreadedServer:
    base: str
    database: Path
    ids: dict[str, int]

    @property
    def ws_base(self) -> str:
        return self.base.replace("http://", "ws://")

    def count(self, table: str) -> int:
        """Rows in a table, read straight from the SQLite file (no server code involved)."""
        with sqlite3.connect(self.database) as conn:
            (n,) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        return int(n)

    def session(self, login: str) -> tuple[dict[str, str], dict[str, str]]:
        """Cookies and headers (CSRF) of a fresh staff session for ``login``."""
        client = _http()
        response = client.post(
            f"{self.base}/api/auth/login", json={"login_name": login, "password": PASSWORD}
        )
        client.cookies.clear()  # each call is a fresh session: keep no cookie between them
        response.raise_for_status()
        cookies = {"cs_session": response.cookies["cs_session"]}
        return cookies, {"X-CSRF-Token": response.json()["csrf_token"]}


@functools.cache
def _http() -> httpx.Client:
    """One client for every login: ``httpx.post`` built a new TLS context (the CA bundle
    read again) per call, a third of the fuzz tests' time."""
    return httpx.Client(timeout=30)


def _settings(tmp: Path) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp / "data",
        "database_url": f"sqlite+aiosqlite:///{tmp / 'fuzz.sqlite3'}",
        "broker_url": "memory://",
        "auto_migrate": True,
        "opens_per_minute": 1000,
        "login_max_failures": 1000,
        **FAST_HASH,
    }
    return Settings(**values)


async def _seed(settings: Settings) -> dict[str, int]:
    """The accounts, and a rota open around the clock with the professional on duty."""
    runtime = await build_runtime(settings)
    try:
        ids: dict[str, int] = {}
        for login, role in ACCOUNTS.items():
            responder = await runtime.accounts.create_responder(
                login_name=login, display_name=login.title(), role=role, password=PASSWORD
            )
            ids[login] = responder.id
        for weekday in range(7):
            shift = Shift(
                0, ShiftRole.PROFESSIONAL, clock_time(0), clock_time(0), frozenset({ids["anna"]}),
                weekday=weekday, ends_next_day=True,
            )  # fmt: skip
            await runtime.rota.save_shift(shift)
    finally:
        await runtime.close()
    return ids


@contextmanager
def threaded_server(tmp: Path) -> Iterator[ThreadedServer]:
    settings = _settings(tmp)
    ids = asyncio.run(_seed(settings))
    config = server_config(create_app(settings), settings)
    port = config.port
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the threaded server did not start")
        time.sleep(0.02)
    try:
        yield ThreadedServer(f"http://127.0.0.1:{port}", tmp / "fuzz.sqlite3", ids)
    finally:
        server.should_exit = True
        thread.join(20)
