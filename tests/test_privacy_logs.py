"""Anonymity: a full chat leaves no youth address, user agent, token or text in the logs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import websockets
from sqlalchemy import text

from chatsupport.storage.database import Database
from tests.cluster import Cluster, ServeProcess, cli_env
from tests.conftest import free_port
from tests.helpers import PASSWORD
from tests.live import WsClient, responder
from tests.test_cluster import open_chat

YOUTH_ADDRESS = "127.0.0.2"  # a loopback address only the youth uses, so it can be searched for
USER_AGENT = "CANARY-UserAgent-Mozilla-5510"
SECRET_TEXT = "CANARY-minun-osoitteeni-on-Kotikatu-7"


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[ServeProcess]:
    database = f"sqlite+aiosqlite:///{tmp_path / 'privacy.sqlite3'}"
    env = cli_env({"database_url": database, "data_dir": str(tmp_path / "data")})
    process = ServeProcess(free_port(), env, tmp_path / "serve.log")
    await process.start()
    try:
        yield process
    finally:
        process.stop()


async def test_full_chat_leaves_no_youth_trace_in_logs(node: ServeProcess, tmp_path: Path) -> None:
    """Logs of a whole chat hold no youth IP, user agent, resume token or message text."""
    c = Cluster([node], node.env)
    await _coordinator(node)
    await c.add_on_duty(["anna"])
    async with (
        responder(node, "anna") as a,
        websockets.connect(
            f"{node.ws_base}/ws/youth?leak={SECRET_TEXT}",
            local_addr=(YOUTH_ADDRESS, 0),
            user_agent_header=USER_AGENT,
        ) as raw,
    ):
        y = WsClient(raw)
        token = await open_chat(y)
        chat_id = (await a.expect("tag"))["chat_id"]
        await a.send(type="claim", chat_id=chat_id)
        await a.expect("claimed")
        await y.send(type="send", client_id="1", text=SECRET_TEXT)
        await a.expect("message")
        await y.send(type="send", client_id="2", text=SECRET_TEXT + "x" * 10_000)  # too long
        await y.expect("error")
        await y.send_raw('{"type": "send", "text": "' + SECRET_TEXT + '", "bogus": 1}')
        await y.expect("error")
        await y.send(type="end")
        await y.expect("ended")
    node.stop()
    logs = node.log.read_text()
    assert "Uvicorn running" in logs  # the log was really captured
    for canary in (YOUTH_ADDRESS, USER_AGENT, SECRET_TEXT, token):
        assert canary not in logs, f"found {canary!r} in the logs"
    stored = await _dump_database(node.env["CHATSUPPORT_DATABASE_URL"])
    for canary in (YOUTH_ADDRESS, USER_AGENT, token):
        assert canary not in stored, f"found {canary!r} in the database"


async def _coordinator(node: ServeProcess) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "chatsupport",
            "create-user",
            "--login",
            "koordi",
            "--role",
            "coordinator",
            "--password-stdin",
        ],
        env=node.env,
        input=f"{PASSWORD}\n".encode(),
        check=True,
        capture_output=True,
        timeout=60,
    )


async def _dump_database(url: str) -> str:
    """Every row of every table as text."""
    db = Database(url)
    try:
        async with db.read() as s:
            names = await s.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
            dump = []
            for (name,) in names.all():
                rows = (await s.execute(text(f'SELECT * FROM "{name}"'))).all()  # noqa: S608
                dump.append(json.dumps([list(map(str, r)) for r in rows]))
        return "\n".join(dump)
    finally:
        await db.dispose()
