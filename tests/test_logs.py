"""Structured logs: JSON lines with request ids, and an access log with nothing identifying."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from chatsupport.logs import AddRequestId, JsonFormatter, request_id
from tests.cluster import ServeProcess, cli_env
from tests.conftest import free_port

YOUTH_ADDRESS = "127.0.0.3"


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[ServeProcess]:
    env = cli_env(
        {
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'logs.sqlite3'}",
            "data_dir": str(tmp_path / "data"),
            "log_format": "json",
        }
    )
    process = ServeProcess(free_port(), env, tmp_path / "serve.log")
    await process.start()
    try:
        yield process
    finally:
        process.stop()


async def test_logs_are_json_lines_with_request_ids(node: ServeProcess) -> None:
    """Every line is JSON; each HTTP answer's X-Request-ID is on its access-log line, which
    names the route template and status but not the address, query or user agent."""
    transport = httpx.AsyncHTTPTransport(local_address=YOUTH_ADDRESS)
    async with httpx.AsyncClient(base_url=node.base, transport=transport) as client:
        ok = await client.get("/healthz?secret=CANARY-query", headers={"User-Agent": "CANARY-ua"})
        missing = await client.get("/api/auth/me")
    node.stop()
    lines = [json.loads(line) for line in node.log.read_text().splitlines() if line.strip()]
    access = {e["request_id"]: e for e in lines if e["logger"] == "chatsupport.access"}
    first = access[ok.headers["x-request-id"]]
    assert (first["method"], first["route"], first["status"]) == ("GET", "/healthz", 200)
    assert access[missing.headers["x-request-id"]]["status"] == 401
    text = node.log.read_text()
    for secret in (YOUTH_ADDRESS, "CANARY-query", "CANARY-ua"):
        assert secret not in text


def test_json_formatter_carries_the_request_id() -> None:
    """A record logged while serving a request has that request's id."""
    token = request_id.set("abc123")
    try:
        record = logging.LogRecord(
            "chatsupport.x", logging.INFO, __file__, 1, "hei %s", ("maailma",), None
        )
        AddRequestId().filter(record)
    finally:
        request_id.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "hei maailma" and entry["request_id"] == "abc123"
