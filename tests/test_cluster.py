"""Two real `chatsupport serve` processes on one PostgreSQL and one Redis behave as one."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import Cluster, cluster
from tests.conftest import (
    POSTGRES_URL,
    REDIS_URL,
    create_postgres_database,
    drop_postgres_database,
    free_port,
    need_service,
)
from tests.live import WsClient, responder, youth

pytestmark = pytest.mark.slow


@pytest.fixture
async def pg_url() -> Any:
    need_service("PostgreSQL", POSTGRES_URL, 5432)
    url = await create_postgres_database()
    yield url
    await drop_postgres_database(url)


@pytest.fixture
async def two(pg_url: str, redis_url: str, unique_namespace: str, tmp_path: Path) -> Any:
    async with cluster(
        database_url=pg_url, redis_url=redis_url, namespace=unique_namespace, tmp=tmp_path
    ) as c:
        yield c


async def open_chat(y: WsClient) -> str:
    await y.send(type="open")
    token: str = (await y.expect("opened"))["token"]
    return token


async def test_tags_and_messages_cross_processes(two: Cluster) -> None:
    """A youth on A tags responders on A and B; messages cross processes in order."""
    a_node, b_node = two.nodes
    await two.add_on_duty(["anna", "bert"])
    async with (
        responder(a_node, "anna") as on_a,
        responder(b_node, "bert") as on_b,
        youth(a_node) as y,
    ):
        await open_chat(y)
        chat_id = (await on_a.expect("tag"))["chat_id"]
        assert (await on_b.expect("tag"))["chat_id"] == chat_id
        await on_b.send(type="claim", chat_id=chat_id)
        await on_b.expect("claimed")
        await on_a.expect("taken", chat_id=chat_id)
        await y.expect("claimed")
        for i in range(20):
            await y.send(type="send", client_id=f"y{i}", text=f"viesti {i}")
        got = [(await on_b.expect("message"))["seq"] for _ in range(20)]
        assert got == list(range(1, 21))
        await on_b.send(type="send", chat_id=chat_id, client_id="r", text="vastaus")
        assert (await y.expect("message", seq=21))["text"] == "vastaus"


async def test_200_claim_races_across_processes_have_one_winner_each(two: Cluster) -> None:
    """200 simultaneous claim races, one contender on each process: exactly one winner each."""
    a_node, b_node = two.nodes
    await two.add_on_duty(["anna", "bert"])
    wins = {"anna": 0, "bert": 0}
    async with responder(a_node, "anna") as on_a, responder(b_node, "bert") as on_b:
        for race in range(200):
            async with youth(a_node if race % 2 else b_node) as y:
                await open_chat(y)
                chat_id = (await on_a.expect("tag"))["chat_id"]
                await on_b.expect("tag", chat_id=chat_id)
                await asyncio.gather(
                    on_a.send(type="claim", chat_id=chat_id),
                    on_b.send(type="claim", chat_id=chat_id),
                )
                results = await asyncio.gather(_outcome(on_a, chat_id), _outcome(on_b, chat_id))
                assert sorted(results) == ["lost", "won"], (race, results)
                winner, winner_conn = ("anna", on_a) if results[0] == "won" else ("bert", on_b)
                wins[winner] += 1
                await winner_conn.send(type="end", chat_id=chat_id)
                await winner_conn.expect("ended", chat_id=chat_id)
                await y.expect("ended")
    assert wins["anna"] + wins["bert"] == 200
    assert wins["anna"] > 0 and wins["bert"] > 0  # the races were real, not one-sided


async def _outcome(conn: WsClient, chat_id: str) -> str:
    while True:
        frame = await conn.recv()
        if frame["type"] == "claimed" and frame.get("chat_id") == chat_id:
            return "won"
        if frame["type"] == "error" and frame.get("ref") == chat_id:
            assert frame["code"] == "chat.taken"
            return "lost"
        conn.seen.append(frame)


async def test_killed_process_youth_resumes_on_the_other(two: Cluster) -> None:
    """Process A dies mid-chat; the youth resumes on B; nothing is lost or repeated."""
    a_node, b_node = two.nodes
    await two.add_on_duty(["bert"])
    async with responder(b_node, "bert") as on_b:
        async with youth(a_node) as y:
            token = await open_chat(y)
            chat_id = (await on_b.expect("tag"))["chat_id"]
            await on_b.send(type="claim", chat_id=chat_id)
            await on_b.expect("claimed")
            await y.expect("claimed")
            await y.send(type="send", client_id="1", text="ennen")
            await y.expect("message", seq=1)
            a_node.kill()
            await on_b.send(type="send", chat_id=chat_id, client_id="r1", text="kaaduitko?")
            await on_b.send(type="send", chat_id=chat_id, client_id="r2", text="odotan")
            await on_b.expect("ack", client_id="r2")
        async with youth(b_node) as y2:
            await y2.send(type="resume", token=token, last_seq=1)
            resumed = await y2.expect("resumed")
            assert [(m["seq"], m["text"]) for m in resumed["messages"]] == [
                (2, "kaaduitko?"),
                (3, "odotan"),
            ]
            await y2.send(type="send", client_id="2", text="jatketaan")
            assert (await on_b.expect("message", seq=4))["text"] == "jatketaan"
            seqs = [f["seq"] for f in on_b.seen if f["type"] == "message"]
            assert sorted(set(seqs)) == seqs  # never a repeat


async def test_redis_restart_mid_chat_loses_nothing(
    pg_url: str, unique_namespace: str, tmp_path: Path
) -> None:
    """Redis restarts mid-chat: the chat continues after it returns and nothing is lost."""
    port = free_port()
    redis = _start_redis(port, tmp_path)
    try:
        async with cluster(
            database_url=pg_url,
            redis_url=f"redis://127.0.0.1:{port}/0",
            namespace=unique_namespace,
            tmp=tmp_path,
        ) as c:
            a_node, b_node = c.nodes
            await c.add_on_duty(["bert"])
            async with responder(b_node, "bert") as on_b, youth(a_node) as y:
                await open_chat(y)
                chat_id = (await on_b.expect("tag"))["chat_id"]
                await on_b.send(type="claim", chat_id=chat_id)
                await on_b.expect("claimed")
                await y.send(type="send", client_id="1", text="yksi")
                await on_b.expect("message", seq=1)
                redis.terminate()
                redis.wait(10)
                await y.send(type="send", client_id="2", text="kaksi (redis poissa)")
                assert (await y.expect("ack", client_id="2"))["seq"] == 2  # stored anyway
                redis = _start_redis(port, tmp_path)
                got = await on_b.expect("message", seq=2, within=20)
                assert got["text"] == "kaksi (redis poissa)"
                await y.send(type="send", client_id="3", text="kolme")
                assert (await on_b.expect("message", seq=3, within=20))["text"] == "kolme"
                seqs = [f["seq"] for f in on_b.seen if f["type"] == "message"]
                assert len(seqs) == len(set(seqs))
    finally:
        redis.terminate()
        redis.wait(10)


def _start_redis(port: int, tmp: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    need_service("redis-server (private)", REDIS_URL, 6379)
    import socket
    import time

    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("private redis-server did not start")
