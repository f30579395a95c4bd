"""The retention purge deletes transcripts past their window, and only those."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from chatsupport.domain.chat import Sender
from chatsupport.domain.clock import FrozenClock
from chatsupport.storage.tables import ChatRow, DiaryPendingRow, DiaryRecordRow, MessageRow
from tests.helpers import running_app
from tests.live import LiveServer, WsClient, live_server, responder, youth
from tests.test_cli import run_cli
from tests.test_hub import on_duty

START = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


async def closed_chat(runtime: Any, text: str = "salaisuus") -> str:
    """A chat with one youth message that the youth then left (a missed contact)."""
    chat, _ = await runtime.chats.create_chat(lang="fi")
    await runtime.chats.post(chat_id=chat.id, sender=Sender.YOUTH, client_id="1", text=text)
    await runtime.chats.youth_leaves(chat.id)
    return str(chat.id)


async def count(runtime: Any, table: Any, *where: Any) -> int:
    async with runtime.db.read() as s:
        return int(await s.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def test_transcripts_go_after_their_window(settings_values: dict[str, Any]) -> None:
    """A chat closed 31 days ago goes with its messages; one closed 11 days ago and an open
    one stay; the anonymous diary records stay, unlinked."""
    clock = FrozenClock(START)
    values = {**settings_values, "transcript_retention_days": 30}
    async with running_app(values, clock=clock) as (_, rt):
        old = await closed_chat(rt)
        clock.advance(days=20)
        recent = await closed_chat(rt)
        waiting, _ = await rt.chats.create_chat(lang="sv")
        records = await count(rt, DiaryRecordRow)
        clock.advance(days=11)

        purged = await rt.retention.purge()

        assert (purged.chats, purged.messages) == (1, 1)
        assert await count(rt, ChatRow, ChatRow.id == old) == 0
        assert await count(rt, MessageRow, MessageRow.chat_id == old) == 0
        assert await count(rt, DiaryPendingRow, DiaryPendingRow.chat_id == old) == 0
        assert await count(rt, MessageRow, MessageRow.chat_id == recent) == 1
        assert await count(rt, ChatRow, ChatRow.id == waiting.id) == 1
        assert await count(rt, DiaryRecordRow) == records


async def test_zero_days_deletes_at_the_next_run(settings_values: dict[str, Any]) -> None:
    """Retention 0: a closed transcript is gone at the next purge."""
    clock = FrozenClock(START)
    async with running_app({**settings_values, "transcript_retention_days": 0}, clock=clock) as (
        _,
        rt,
    ):
        chat_id = await closed_chat(rt)
        clock.advance(seconds=1)
        await rt.retention.purge()
        assert await count(rt, MessageRow, MessageRow.chat_id == chat_id) == 0


async def test_purges_running_at_once_are_safe(settings_values: dict[str, Any]) -> None:
    """Several processes may purge at the same moment: each row is deleted exactly once."""
    clock = FrozenClock(START)
    async with running_app(settings_values, clock=clock) as (_, rt):
        for _ in range(5):
            await closed_chat(rt)
        clock.advance(days=31)
        results = await asyncio.gather(*(rt.retention.purge() for _ in range(4)))
        assert sum(r.chats for r in results) == 5
        assert sum(r.messages for r in results) == 5
        assert await count(rt, ChatRow) == 0


async def test_youth_can_have_the_conversation_deleted_at_once(
    stack_values: dict[str, Any],
) -> None:
    """`end` with `forget`: the messages are gone now, not after the retention window."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")  # the service is open only while someone is on duty
        async with youth(server) as y:
            await forget_after_one_message(server, y)


async def forget_after_one_message(server: LiveServer, y: WsClient) -> None:
    await y.send(type="open")
    await y.expect("opened")
    await y.send(type="send", client_id="1", text="poista tämä")
    await y.expect("ack")
    await y.send(type="end", forget=True)
    ended = await y.expect("ended")
    assert ended["state"] == "missed"
    assert await count(server.runtime, MessageRow) == 0
    assert await count(server.runtime, ChatRow) == 1  # the row (no text) waits for the purge


def test_purge_command(database_url: str, tmp_path: Any) -> None:
    """`chatsupport purge` migrates if it may, purges, and says what it deleted."""
    env = {"CHATSUPPORT_DATABASE_URL": database_url, "CHATSUPPORT_DATA_DIR": str(tmp_path)}
    assert run_cli("migrate", env=env).returncode == 0
    result = run_cli("purge", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("deleted 0 chats closed over 30 days ago")


async def test_the_responder_is_told_the_messages_were_deleted(
    stack_values: dict[str, Any],
) -> None:
    """The youth ends a claimed chat with `forget`: the console's `ended` says `forgotten`
    (what it shows is the only copy left); an ordinary end does not."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as anna, youth(server) as y:
            for forget in (False, True):
                await y.send(type="open")
                await y.expect("opened")
                chat_id = (await anna.expect("tag"))["chat_id"]
                await anna.send(type="claim", chat_id=chat_id)
                await anna.expect("claimed", chat_id=chat_id)
                await y.send(type="send", client_id=f"c{forget}", text="poista tämä")
                await anna.expect("message", chat_id=chat_id)
                await y.send(type="end", forget=forget)
                assert "forgotten" not in await y.expect("ended")
                told = await anna.expect("ended", chat_id=chat_id)
                assert told.get("forgotten", False) is forget
                messages = MessageRow.chat_id == chat_id
                assert await count(server.runtime, MessageRow, messages) == (0 if forget else 1)
