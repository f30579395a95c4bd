"""A responder blocks an abusive chat: it ends, the diary marks it, its network waits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from chatsupport.storage.tables import DiaryRecordRow
from tests.limits_live import proxied_server, youth_from
from tests.live import responder
from tests.test_hub import on_duty, open_chat

A, B = "198.51.100.7", "2001:db8:5:6::1"


async def test_block_ends_marks_and_limits(stack_values: dict[str, Any]) -> None:
    """Block: both sides get an ordinary end, the record is ABUSIVE, only that network waits."""
    async with proxied_server(stack_values) as server:
        await on_duty(server, "pia")
        async with responder(server, "pia") as pia, youth_from(server, A) as youth:
            await open_chat(youth)
            chat_id = (await pia.expect("tag"))["chat_id"]
            await pia.send(type="claim", chat_id=chat_id)
            await pia.expect("claimed", chat_id=chat_id)
            await pia.send(type="block", chat_id=chat_id)
            ended = await pia.expect("ended", chat_id=chat_id)
            assert ended["reason"] == "responder_ended"
            assert (await youth.expect("ended"))["reason"] == "responder_ended"
            assert set(ended) == {"v", "type", "chat_id", "state", "reason"}
            await youth.send(type="open", lang="fi")  # the same network, same socket
            assert (await youth.expect("error"))["code"] == "rate.too_many_chats"
        async with youth_from(server, A) as again:  # a new socket from that network
            await again.send(type="open", lang="fi")
            assert (await again.expect("error"))["code"] == "rate.too_many_chats"
        async with youth_from(server, B) as other:
            await open_chat(other)
        async with server.runtime.db.read() as s:
            rows = (await s.scalars(select(DiaryRecordRow))).all()
        marked = [(r.contact_type, r.outcome) for r in rows if r.contact_type]
        assert marked == [("ABUSIVE", "RESPONDER_ENDED_ABUSE")]


async def test_block_only_own_chat(stack_values: dict[str, Any]) -> None:
    """A responder cannot block a chat they do not hold; nothing changes."""
    async with proxied_server(stack_values) as server:
        await on_duty(server, "pia")
        async with responder(server, "pia") as pia, youth_from(server, A) as youth:
            await open_chat(youth)
            chat_id = (await pia.expect("tag"))["chat_id"]
            await pia.send(type="block", chat_id=chat_id)
            error = await pia.expect("error")
            assert error["code"] in {"chat.not_yours", "chat.not_active"}
            await pia.send(type="claim", chat_id=chat_id)
            await pia.expect("claimed", chat_id=chat_id)
