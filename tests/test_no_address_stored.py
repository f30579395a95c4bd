"""No youth address or user agent in any form: not in any database table, not in Redis."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
import websockets
from sqlalchemy import MetaData, select

from tests.live import WsClient, live_server, responder
from tests.test_hub import on_duty

YOUTH_ADDRESS = "127.0.0.9"  # a loopback address only this youth uses
USER_AGENT = "CANARY-UA-Kotikone-4471"


async def database_text(rt: Any) -> str:
    """Every row of every table, as text."""
    metadata = MetaData()
    async with rt.db.engine.connect() as conn:
        await conn.run_sync(metadata.reflect)
        dump = []
        for table in metadata.sorted_tables:
            dump.extend(str(row) for row in (await conn.execute(select(table))).all())
    return "\n".join(dump)


async def redis_text(url: str, namespace: str) -> str:
    client = aioredis.from_url(url)
    try:
        dump = []
        async for key in client.scan_iter(match="*"):
            kind = (await client.type(key)).decode()
            value = (
                await client.get(key)
                if kind == "string"
                else await client.hgetall(key)
                if kind == "hash"
                else b""
            )
            dump.append(f"{key!r} {value!r}")
        return "\n".join(dump)
    finally:
        await client.aclose()


async def test_a_whole_chat_stores_no_address(stack_values: dict[str, Any]) -> None:
    """After a chat, a claim, messages and an end, neither the database nor Redis holds the
    youth's address or user agent (abuse limits keep only a keyed hash of the network)."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with (
            responder(server, "anna") as a,
            websockets.connect(
                f"{server.ws_base}/ws/youth",
                local_addr=(YOUTH_ADDRESS, 0),
                user_agent_header=USER_AGENT,
            ) as raw,
        ):
            y = WsClient(raw)
            await y.send(type="open")
            await y.expect("opened")
            chat_id = (await a.expect("tag"))["chat_id"]
            await a.send(type="claim", chat_id=chat_id)
            await a.expect("claimed")
            await y.send(type="send", client_id="1", text="hei")
            await a.expect("message")
            await y.send(type="end")
            await y.expect("ended")
        stored = await database_text(server.runtime)
        assert "hei" in stored  # the dump does see the tables (the transcript is there)
        if stack_values["broker_url"].startswith("redis://"):
            stored += await redis_text(stack_values["broker_url"], stack_values["broker_namespace"])
    for secret in (YOUTH_ADDRESS, USER_AGENT, "127.0.0"):
        assert secret not in stored
