"""The backup on another `chatsupport serve` process than the expert (PostgreSQL + Redis)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.cluster import Cluster, cluster
from tests.conftest import (
    POSTGRES_URL,
    create_postgres_database,
    drop_postgres_database,
    need_service,
)
from tests.helpers import PASSWORD, login
from tests.live import WsClient, responder, youth
from tests.rota_helpers import shift_body_now

pytestmark = pytest.mark.slow


@asynccontextmanager
async def fresh_cluster(
    redis_url: str, namespace: str, tmp: Path, extra: dict[str, str] | None = None
) -> AsyncIterator[Cluster]:
    """Two ``serve`` processes on a fresh PostgreSQL database (dropped after) and Redis."""
    need_service("PostgreSQL", POSTGRES_URL, 5432)
    url = await create_postgres_database()
    try:
        async with cluster(
            database_url=url, redis_url=redis_url, namespace=namespace, tmp=tmp, extra=extra
        ) as c:
            yield c
    finally:
        await drop_postgres_database(url)


@pytest.fixture
async def two(redis_url: str, unique_namespace: str, tmp_path: Path) -> Any:
    async with fresh_cluster(redis_url, unique_namespace, tmp_path) as c:
        yield c


@pytest.fixture
async def two_quick(redis_url: str, unique_namespace: str, tmp_path: Path) -> Any:
    """``two`` with a short sweep and a 2-second grace for a responder's gone console."""
    quick = {"sweep_interval_secs": "0.5", "holder_gone_secs": "2"}
    async with fresh_cluster(redis_url, unique_namespace, tmp_path, quick) as c:
        yield c


async def expert_shift(two: Cluster) -> None:
    """Aino (experience expert) on a shift now with Sanna as backup, through the HTTP API;
    Pekka and Paula are professionals on no shift."""
    async with httpx.AsyncClient(base_url=two.nodes[0].base) as client:
        r = await client.post(
            "/api/auth/login", json={"login_name": "koordi", "password": PASSWORD}
        )
        csrf = {"X-CSRF-Token": r.json()["csrf_token"]}
        ids = {}
        people = ("aino", "experience_expert"), ("sanna", "professional")
        for login, role in (*people, ("pekka", "professional"), ("paula", "professional")):
            body = {"login_name": login, "display_name": login.title(), "role": role}
            created = await client.post(
                "/api/responders", headers=csrf, json={**body, "password": PASSWORD}
            )
            assert created.status_code == 201, created.text
            ids[login] = created.json()["id"]
        shift = shift_body_now(
            datetime.now(UTC),
            ZoneInfo("Europe/Helsinki"),
            responder_ids=[ids["aino"]],
            role="experience_expert",
            backup_id=ids["sanna"],
        )
        made = await client.post("/api/rota/shifts", headers=csrf, json=shift)
        assert made.status_code == 201, made.text


async def test_backup_on_another_process_is_alerted_reads_and_takes_over(two: Cluster) -> None:
    """Expert and youth on process A, backup on B: the youth's "hätä nyt" alerts B at once,
    the support alert, the history, notes and live messages reach B; B takes over and the
    youth on A is told and answered."""
    a_node, b_node = two.nodes
    await expert_shift(two)
    async with responder(b_node, "sanna") as backup, responder(a_node, "aino") as expert:
        await asyncio.sleep(1.1)  # each process caches who is on duty for a second
        async with youth(a_node) as y:
            await y.send(type="open", urgent=True)
            await y.expect("opened")
            tag = await expert.expect("tag")
            chat_id = tag["chat_id"]
            assert tag["youth_urgent"] is True
            alert = await backup.expect("tag", chat_id=chat_id, urgent=True)
            assert alert["youth_urgent"] is True
            await expert.send(type="claim", chat_id=chat_id)
            await y.expect("claimed")
            await expert.expect("claimed", chat_id=chat_id)
            await y.send(type="send", client_id="y1", text="hei")
            await y.expect("message", seq=1)
            await expert.send(type="support", chat_id=chat_id)
            await backup.expect("support_alert", chat_id=chat_id)
            await backup.send(type="watch", chat_id=chat_id)
            watching = await backup.expect("watching", chat_id=chat_id)
            assert [m["seq"] for m in watching["messages"]] == [1]
            await backup.send(type="note", chat_id=chat_id, text="olen tässä")
            assert (await expert.expect("note", chat_id=chat_id))["text"] == "olen tässä"
            await y.send(type="send", client_id="y2", text="apua")
            await backup.expect("message", chat_id=chat_id, seq=2)
            await backup.send(type="take_over", chat_id=chat_id)
            await y.expect("claimed", responder={"role": "professional", "name": "Sanna"})
            await expert.expect("handed_over", chat_id=chat_id)
            await backup.send(type="send", chat_id=chat_id, client_id="b1", text="moi")
            assert (await y.expect("message", seq=3))["text"] == "moi"
            assert all(f["type"] != "note" for f in y.seen)


async def test_a_debrief_asked_on_one_process_is_answered_on_the_other(two: Cluster) -> None:
    """The expert's console and HTTP on A, the backup's on B: the request reaches B, the
    backup answers through B, and the expert's console on A hears who will call."""
    a_node, b_node = two.nodes
    await expert_shift(two)
    async with (
        httpx.AsyncClient(base_url=a_node.base) as on_a,
        httpx.AsyncClient(base_url=b_node.base) as on_b,
        responder(b_node, "sanna") as backup,
        responder(a_node, "aino") as expert,
    ):
        await asyncio.sleep(1.1)  # each process caches who is on duty for a second
        expert_csrf = await login(on_a, "aino")
        asked = await on_a.post("/api/debriefs", headers={"X-CSRF-Token": expert_csrf})
        assert asked.status_code == 201, asked.text
        debrief_id = asked.json()["id"]
        frame = await backup.expect("debrief")
        assert frame["debrief"]["id"] == debrief_id
        assert frame["debrief"]["backup"]["name"] == "Sanna"
        backup_csrf = await login(on_b, "sanna")
        answered = await on_b.post(
            f"/api/debriefs/{debrief_id}/answer", headers={"X-CSRF-Token": backup_csrf}
        )
        assert answered.status_code == 200, answered.text
        await expert.expect("debrief")  # the request itself, then its answer
        told = await expert.expect("debrief")
        assert told["debrief"]["answered_by"]["name"] == "Sanna"


async def backup_gone(node: Any, expert: str) -> None:
    """Wait until the expert's backup no longer counts as connected (a new console's
    welcome says so; the live `backup` frame comes only with a sweep)."""
    for _ in range(50):
        async with responder(node, expert, hello=False) as probe:
            await probe.send(type="hello", resume={})
            if (await probe.expect("welcome"))["backup_present"] is False:
                return
        await asyncio.sleep(0.2)
    raise AssertionError("the backup still counts as connected")


async def expert_claims_while_backup_on_b(two: Cluster, expert: WsClient, y: WsClient) -> str:
    """Sanna (the backup) is on B while the youth opens and Aino claims; then Sanna leaves.
    Returns the chat id."""
    async with responder(two.nodes[1], "sanna"):
        await asyncio.sleep(1.1)  # each process caches who is on duty for a second
        await y.send(type="open")
        await y.expect("opened")
        chat_id: str = (await expert.expect("tag"))["chat_id"]
        await expert.send(type="claim", chat_id=chat_id)
        await expert.expect("claimed", chat_id=chat_id)
    return chat_id


async def stand_in_outcome(console: WsClient) -> str:
    """ "won" (the alert again, now as the chat's backup) or the refusal's code."""
    while True:
        frame = console.seen.pop(0) if console.seen else await console.recv()
        if frame["type"] == "error":
            return str(frame["code"])
        if frame["type"] == "support_alert" and frame["stand_in"] is False:
            return "won"


async def test_two_stand_ins_on_two_processes_answer_at_once_and_one_wins(two: Cluster) -> None:
    """The backup has left; the expert on A asks; Pekka on A and Paula on B both get the
    stand-in alert and answer at the same moment: exactly one becomes the backup, the other
    is refused `support.taken`, and the expert hears who."""
    a_node, b_node = two.nodes
    await expert_shift(two)
    async with responder(a_node, "aino") as expert, youth(a_node) as y:
        chat_id = await expert_claims_while_backup_on_b(two, expert, y)
        async with responder(a_node, "pekka") as pekka, responder(b_node, "paula") as paula:
            await backup_gone(a_node, "aino")
            await expert.send(type="support", chat_id=chat_id)
            assert (await expert.expect("support_requested"))["stand_in"] is True
            for console in (pekka, paula):
                assert (await console.expect("support_alert", chat_id=chat_id))["stand_in"]
            await asyncio.gather(
                pekka.send(type="stand_in", chat_id=chat_id),
                paula.send(type="stand_in", chat_id=chat_id),
            )
            outcomes = {
                "Pekka": await stand_in_outcome(pekka),
                "Paula": await stand_in_outcome(paula),
            }
            assert sorted(outcomes.values()) == ["support.taken", "won"], outcomes
            winner = next(name for name, got in outcomes.items() if got == "won")
            told = await expert.expect("stand_in", chat_id=chat_id)
            assert told["backup"]["name"] == winner


async def test_the_backup_leaves_and_a_stand_in_on_the_other_process_is_alerted(
    two: Cluster,
) -> None:
    """DOMAIN.md 3.5 across processes: the expert holds a chat on A, the backup's console on
    B closes; the sweep on A asks Paula on B as the stand-in without the expert asking, and
    tells the expert why; Paula answers and the expert on A hears who backs her up."""
    a_node, b_node = two.nodes
    await expert_shift(two)
    async with responder(a_node, "aino") as expert, youth(a_node) as y:
        chat_id = await expert_claims_while_backup_on_b(two, expert, y)
        async with responder(b_node, "paula") as paula:
            alert = await paula.expect("support_alert", within=20, chat_id=chat_id)
            assert (alert["stand_in"], alert["reason"]) == (True, "backup_left")
            told = await expert.expect("support_requested", within=20, chat_id=chat_id)
            assert (told["stand_in"], told["reason"]) == (True, "backup_left")
            await paula.send(type="stand_in", chat_id=chat_id)
            backing = await paula.expect("support_alert", chat_id=chat_id, stand_in=False)
            assert backing["reason"] == "backup_left"
            answered = await expert.expect("stand_in", chat_id=chat_id)
            assert answered["backup"] == {"role": "professional", "name": "Paula"}


async def test_a_chat_whose_responder_is_gone_is_continued_from_the_other_process(
    two_quick: Cluster,
) -> None:
    """Youth and holder on A, a colleague on B: the holder's console closes; after the grace
    one process marks the chat, B's console gets its tag (`holder_gone`), claims it, gets the
    history, and the youth on A is told who answers now and gets the answer."""
    two = two_quick
    a_node, b_node = two.nodes
    await expert_shift(two)
    async with responder(b_node, "paula") as paula, youth(a_node) as y:
        async with responder(a_node, "aino") as expert:
            chat_id = await expert_claims_while_backup_on_b(two, expert, y)
            await y.send(type="send", client_id="y1", text="hei")
            await expert.expect("message", chat_id=chat_id, seq=1)
        tag = await paula.expect("tag", within=30, chat_id=chat_id, holder_gone=True)
        assert tag["urgent"] is True
        await y.expect("holder_away")
        await paula.send(type="claim", chat_id=chat_id)
        history = await paula.expect("chat", chat_id=chat_id)
        assert [m["text"] for m in history["messages"]] == ["hei"]
        await y.expect("claimed", responder={"role": "professional", "name": "Paula"})
        await paula.send(type="send", chat_id=chat_id, client_id="p1", text="Jatketaan.")
        assert (await y.expect("message", seq=2))["text"] == "Jatketaan."
