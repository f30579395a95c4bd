"""Bad frames get an error frame with a stable code, and the connection stays usable."""

from __future__ import annotations

import json
from typing import Any

import pytest
import websockets
from sqlalchemy import func, select

from chatsupport.domain.roles import Role
from chatsupport.storage.tables import ChatRow, MessageRow
from tests.helpers import add_user
from tests.live import LiveServer, WsClient, live_server, responder, youth
from tests.test_hub import on_duty, open_chat

CANARY = "CANARY-do-not-echo-4471"


@pytest.fixture
async def server(stack_values: dict[str, Any]) -> Any:
    stack_values.update(max_message_chars=50, opens_per_minute=2)
    async with live_server(stack_values) as live:
        await on_duty(live, "open-rota")  # the service is open: youth may open chats
        yield live


async def still_usable(y: WsClient) -> None:
    """A valid frame still works after the error."""
    await y.send(type="typing", active=False)  # harmless and valid once a chat is open
    await y.send(type="send", client_id=f"ok-{id(y)}", text="toimiiko")
    assert (await y.expect("ack"))["seq"] >= 1


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json at all " + CANARY, "frame.invalid"),
        (json.dumps([1, 2, CANARY]), "frame.invalid"),
        (json.dumps({"type": "shout", "text": CANARY}), "frame.unknown_type"),
        (
            json.dumps({"type": "send", "client_id": "x", "text": CANARY, "role": "coordinator"}),
            "frame.invalid",
        ),
        (
            json.dumps({"type": "send", "client_id": "x", "text": CANARY, "chat_id": "other"}),
            "frame.invalid",
        ),
        (
            json.dumps({"v": 2, "type": "send", "client_id": "x", "text": CANARY}),
            "protocol.unsupported_version",
        ),
        (json.dumps({"type": "send", "client_id": "x", "text": ""}), "frame.invalid"),
        (json.dumps({"type": "send", "client_id": 10**30, "text": CANARY}), "frame.invalid"),
        (json.dumps({"type": "typing", "active": {"a": [[[[[[[[[[[1]]]]]]]]]]]}}), "frame.invalid"),
        (json.dumps({"type": "send", "client_id": "x", "text": "a" * 51}), "message.too_long"),
        (json.dumps({"type": "resume", "token": "x" * 40, "last_seq": -1}), "frame.invalid"),
        (json.dumps({"type": "open", "lang": "de"}), "frame.invalid"),
    ],
)
async def test_youth_bad_frames(server: LiveServer, raw: str, code: str) -> None:
    """Each malformed youth frame: its own code, no echo of the input, nothing stored."""
    async with youth(server) as y:
        await open_chat(y)
        await y.send_raw(raw)
        error = await y.expect("error")
        assert error["code"] == code
        assert CANARY not in json.dumps(error)
        await still_usable(y)
    async with server.runtime.db.read() as s:
        texts = list(await s.scalars(select(MessageRow.text)))
    assert texts == ["toimiiko"]


async def test_binary_frame_is_refused(server: LiveServer) -> None:
    """A binary frame gets frame.invalid; the connection stays open."""
    async with youth(server) as y:
        await open_chat(y)
        await y.send_raw(b"\x00\x01binary")
        assert (await y.expect("error"))["code"] == "frame.invalid"
        await still_usable(y)


async def test_send_before_open_and_double_open(server: LiveServer) -> None:
    """Sending with no chat, or opening twice, are refused with their codes."""
    async with youth(server) as y:
        await y.send(type="send", client_id="a", text="hei")
        assert (await y.expect("error"))["code"] == "chat.none"
        await open_chat(y)
        await y.send(type="open")
        assert (await y.expect("error"))["code"] == "chat.already_open"
        await still_usable(y)


async def test_too_many_opens_per_minute(server: LiveServer) -> None:
    """One connection may open only so many chats a minute (rate.too_many_chats)."""
    async with youth(server) as y:
        for _ in range(2):
            await open_chat(y)
            await y.send(type="end")
            await y.expect("ended")
        await y.send(type="open")
        assert (await y.expect("error"))["code"] == "rate.too_many_chats"
    async with youth(server) as y2:  # another connection has its own budget
        await open_chat(y2)


async def test_opens_counted_per_connection(server: LiveServer) -> None:
    """The open limit applies to one connection's burst (error frame, nothing created)."""
    async with youth(server) as y:
        await y.send(type="open")
        await y.expect("opened")
        await y.send(type="open")
        assert (await y.expect("error"))["code"] == "chat.already_open"
    async with server.runtime.db.read() as s:
        assert await s.scalar(select(func.count()).select_from(ChatRow)) == 1


async def test_unknown_token_is_refused_alike(server: LiveServer) -> None:
    """A made-up resume token gets chat.not_found."""
    async with youth(server) as y:
        await y.send(type="resume", token="A" * 43, last_seq=0)
        assert (await y.expect("error"))["code"] == "chat.not_found"


async def test_responder_errors(server: LiveServer) -> None:
    """Responder frames: hello first, no claims off duty, no sending into others' chats."""
    await on_duty(server, "anna")
    await add_user(server.runtime, "olli", Role.PROFESSIONAL)  # off duty
    async with responder(server, "anna", hello=False) as a, youth(server) as y:
        await a.send(type="claim", chat_id="x")
        assert (await a.expect("error"))["code"] == "frame.hello_first"
        await a.send(type="hello", resume={})
        await a.expect("welcome")
        await a.send(type="hello", resume={})
        assert (await a.expect("error"))["code"] == "frame.hello_again"
        await open_chat(y)
        chat_id = (await a.expect("tag"))["chat_id"]
        async with responder(server, "olli") as o:
            await o.send(type="claim", chat_id=chat_id)
            assert (await o.expect("error"))["code"] == "chat.not_on_duty"
            await o.send(type="send", chat_id=chat_id, client_id="1", text="hei")
            assert (await o.expect("error"))["code"] == "chat.not_yours"
            await o.send(type="end", chat_id=chat_id)
            assert (await o.expect("error"))["code"] == "chat.not_yours"
        await a.send(type="claim", chat_id="nonexistent")
        assert (await a.expect("error", ref="nonexistent"))["code"] in {
            "chat.not_found",
            "chat.not_on_duty",
        }
        await a.send(type="claim", chat_id=chat_id)
        await a.expect("claimed")
        await a.send(type="send", chat_id=chat_id, client_id="1", text="a" * 51)
        assert (await a.expect("error"))["code"] == "message.too_long"
        await a.send(type="send", chat_id=chat_id, client_id="2", text="moi")
        assert (await a.expect("ack"))["seq"] == 1


async def test_oversized_frame_closes_with_1009(stack_values: dict[str, Any]) -> None:
    """A frame over CHATSUPPORT_MAX_FRAME_BYTES is refused by the WebSocket layer (1009)."""
    stack_values["max_frame_bytes"] = 4096
    async with live_server(stack_values) as live:
        await on_duty(live, "anna")
        async with youth(live) as y:
            await open_chat(y)
            await y.send(type="send", client_id="big", text="x" * 5000)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await y.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        async with live.runtime.db.read() as s:
            assert await s.scalar(select(func.count()).select_from(MessageRow)) == 0
