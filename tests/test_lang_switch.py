"""A young person who switches the page's language mid-chat: the consoles that show the chat
see it, and the diary records the language chosen last (DOMAIN.md 4.2: unmet demand for
Swedish must show in the statistics). On both stacks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from chatsupport.storage.tables import DiaryRecordRow
from tests.live import live_server, responder, youth
from tests.test_hub import chat_state, on_duty, open_chat


async def test_a_switch_while_waiting_changes_the_tags(stack_values: dict[str, Any]) -> None:
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        await on_duty(server, "bert")
        async with responder(server, "anna") as a, youth(server) as y:
            await open_chat(y, lang="fi")
            chat_id = (await a.expect("tag"))["chat_id"]
            await y.send(type="lang", lang="sv")
            assert await a.expect("lang") == {
                "v": 1,
                "type": "lang",
                "chat_id": chat_id,
                "lang": "sv",
            }
            await y.send(type="lang", lang="sv")  # the same again: nothing to tell
            assert [f for f in await a.nothing_within(0.4) if f["type"] == "lang"] == []
            async with responder(server, "bert") as b:  # a console that connects later
                assert (await b.expect("tag", chat_id=chat_id))["lang"] == "sv"
            assert not [f for f in y.seen if f["type"] == "error"]


async def test_a_switch_in_an_active_chat_reaches_the_holder_and_the_diary(
    stack_values: dict[str, Any],
) -> None:
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as a, youth(server) as y:
            await open_chat(y, lang="fi")
            chat_id = (await a.expect("tag"))["chat_id"]
            await a.send(type="claim", chat_id=chat_id)
            await a.expect("claimed")
            await y.expect("claimed")
            await y.send(type="lang", lang="en")
            assert (await a.expect("lang", chat_id=chat_id))["lang"] == "en"
            async with responder(server, "anna") as again:  # the holder's second tab, or reload
                assert (await again.expect("chat", chat_id=chat_id))["lang"] == "en"
            await y.send(type="end")
            await a.expect("ended", chat_id=chat_id)
            assert await chat_state(server, chat_id) == "ended"
            await y.send(type="lang", lang="sv")  # too late: the chat is over
            assert (await y.expect("error"))["code"] == "chat.none"
        async with server.runtime.db.read() as s:
            assert list(await s.scalars(select(DiaryRecordRow.lang))) == ["en"]


async def test_a_switch_without_a_chat_is_refused(stack_values: dict[str, Any]) -> None:
    async with live_server(stack_values) as server, youth(server) as y:
        await y.send(type="lang", lang="sv")
        assert (await y.expect("error"))["code"] == "chat.none"
        await y.send(type="lang", lang="de")
        assert (await y.expect("error"))["code"] == "frame.invalid"
