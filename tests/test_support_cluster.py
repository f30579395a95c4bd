"""The backup on another `chatsupport serve` process than the expert (PostgreSQL + Redis)."""

from __future__ import annotations

import asyncio
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
from tests.live import responder, youth
from tests.rota_helpers import shift_body_now

pytestmark = pytest.mark.slow


@pytest.fixture
async def two(redis_url: str, unique_namespace: str, tmp_path: Path) -> Any:
    need_service("PostgreSQL", POSTGRES_URL, 5432)
    url = await create_postgres_database()
    try:
        async with cluster(
            database_url=url, redis_url=redis_url, namespace=unique_namespace, tmp=tmp_path
        ) as c:
            yield c
    finally:
        await drop_postgres_database(url)


async def expert_shift(two: Cluster) -> None:
    """Aino (experience expert) on a shift now with Sanna as backup, through the HTTP API."""
    async with httpx.AsyncClient(base_url=two.nodes[0].base) as client:
        r = await client.post(
            "/api/auth/login", json={"login_name": "koordi", "password": PASSWORD}
        )
        csrf = {"X-CSRF-Token": r.json()["csrf_token"]}
        ids = {}
        for login, role in (("aino", "experience_expert"), ("sanna", "professional")):
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
            assert (await y.expect("joined"))["responder"]["name"] == "Sanna"
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
