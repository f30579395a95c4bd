"""The live hub over real WebSockets, on SQLite + in-process broker and PostgreSQL + Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import websockets
from sqlalchemy import func, select

from chatsupport.domain.roles import Role
from chatsupport.storage.tables import ChatRow, MessageRow
from tests.helpers import add_user
from tests.live import LiveServer, WsClient, live_server, responder, youth
from tests.rota_helpers import put_on_shift_now


async def on_duty(server: LiveServer, login: str, role: Role = Role.PROFESSIONAL) -> int:
    """A professional with a rota shift running now."""
    assert role is Role.PROFESSIONAL, "expert shifts need a backup: see tests/test_rota_hub.py"
    rt = server.runtime
    responder_id = await add_user(rt, login, role)
    await put_on_shift_now(rt, [responder_id])
    return responder_id


async def open_chat(client: WsClient, lang: str = "fi") -> str:
    await client.send(type="open", lang=lang)
    opened = await client.expect("opened")
    token: str = opened["token"]
    return token


async def chat_state(server: LiveServer, chat_id: str) -> str:
    async with server.runtime.db.read() as s:
        state = await s.scalar(select(ChatRow.state).where(ChatRow.id == chat_id))
    assert state is not None
    return state


async def test_full_flow(stack_values: dict[str, Any]) -> None:
    """Open -> on-duty responders tagged (off-duty not) -> race -> one winner -> chat -> end."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        await on_duty(server, "bert")
        await add_user(server.runtime, "cecilia", Role.PROFESSIONAL)  # no shift: off duty
        async with (
            responder(server, "anna") as a,
            responder(server, "bert") as b,
            responder(server, "cecilia") as c,
            youth(server) as y,
        ):
            token = await open_chat(y)
            assert len(token) >= 22  # 128+ bits, url-safe
            queue = await y.expect("queue")
            assert queue["position"] == 1
            tag_a, tag_b = await a.expect("tag"), await b.expect("tag")
            chat_id = tag_a["chat_id"]
            assert tag_b["chat_id"] == chat_id and tag_a["reminder"] is False
            assert [f for f in await c.nothing_within(0.5) if f["type"] == "tag"] == []

            await asyncio.gather(
                a.send(type="claim", chat_id=chat_id), b.send(type="claim", chat_id=chat_id)
            )
            replies = await asyncio.gather(_claim_reply(a, chat_id), _claim_reply(b, chat_id))
            assert sorted(r["type"] for r in replies) == ["claimed", "error"]
            winner, loser = (a, b) if replies[0]["type"] == "claimed" else (b, a)
            lost = replies[1] if winner is a else replies[0]
            assert lost["code"] == "chat.taken"
            await loser.expect("taken", chat_id=chat_id)
            claimed = await y.expect("claimed")
            assert claimed["responder"]["role"] == "professional"

            for i in range(3):
                await y.send(type="send", client_id=f"y{i}", text=f"hei {i}")
                assert (await y.expect("ack", client_id=f"y{i}"))["seq"] == i + 1
            got = [await winner.expect("message") for _ in range(3)]
            assert [(m["seq"], m["text"], m["sender"]) for m in got] == [
                (1, "hei 0", "youth"),
                (2, "hei 1", "youth"),
                (3, "hei 2", "youth"),
            ]
            assert all("client_id" not in m for m in got)  # the other side's ids stay private

            await winner.send(type="send", chat_id=chat_id, client_id="r1", text="Moi, kerro lisää")
            reply = await y.expect("message", seq=4)
            assert reply["sender"] == "responder" and reply["text"] == "Moi, kerro lisää"

            await winner.send(type="typing", chat_id=chat_id, active=True)
            assert (await y.expect("typing"))["active"] is True

            await winner.send(type="end", chat_id=chat_id)
            ended_y = await y.expect("ended")
            ended_r = await winner.expect("ended", chat_id=chat_id)
            assert ended_y["reason"] == ended_r["reason"] == "responder_ended"
            assert await chat_state(server, chat_id) == "ended"
        async with youth(server) as again:  # the token stops working
            await again.send(type="resume", token=token, last_seq=0)
            assert (await again.expect("error"))["code"] == "chat.not_found"


async def _claim_reply(client: WsClient, chat_id: str) -> dict[str, Any]:
    while True:
        frame = await client.recv()
        if frame["type"] == "claimed" or (frame["type"] == "error" and frame["ref"] == chat_id):
            return frame
        client.seen.append(frame)


async def test_resume_after_reload_gets_exactly_the_missed_messages(
    stack_values: dict[str, Any],
) -> None:
    """A youth who reloads resumes with the token and gets every message after last_seq once."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as a:
            async with youth(server) as y:
                token = await open_chat(y)
                chat_id = (await a.expect("tag"))["chat_id"]
                await a.send(type="claim", chat_id=chat_id)
                await a.expect("claimed")
                await y.send(type="send", client_id="m1", text="eka")
                await y.expect("ack")
                await y.expect("message", seq=1)
            # the connection is gone; the responder keeps writing
            await a.send(type="send", chat_id=chat_id, client_id="r1", text="oletko siellä?")
            await a.send(type="send", chat_id=chat_id, client_id="r2", text="odotan")
            await a.expect("ack", client_id="r2")
            async with youth(server) as y2:
                await y2.send(type="resume", token=token, last_seq=1)
                resumed = await y2.expect("resumed")
                assert resumed["state"] == "active"
                assert [m["text"] for m in resumed["messages"]] == ["oletko siellä?", "odotan"]
                assert resumed["last_seq"] == 3 and resumed["responder"]["role"] == "professional"
                await y2.send(type="send", client_id="m2", text="olen")
                assert (await a.expect("message", seq=4))["text"] == "olen"
                extra = [f for f in await y2.nothing_within(0.3) if f["type"] == "message"]
                assert [f["seq"] for f in extra] == [4]  # its own copy, nothing repeated


async def test_resent_client_id_is_stored_once(stack_values: dict[str, Any]) -> None:
    """Sending the same client_id twice stores one message and acks the same seq."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as a, youth(server) as y:
            await open_chat(y)
            chat_id = (await a.expect("tag"))["chat_id"]
            await a.send(type="claim", chat_id=chat_id)
            await a.expect("claimed")
            for _ in range(2):
                await y.send(type="send", client_id="same", text="vain kerran")
            acks = [await y.expect("ack"), await y.expect("ack")]
            assert acks[0]["seq"] == acks[1]["seq"] == 1
            got = [f for f in await a.nothing_within(0.5) if f["type"] == "message"]
            assert len(got) == 1
            async with server.runtime.db.read() as s:
                assert await s.scalar(select(func.count()).select_from(MessageRow)) == 1


async def test_acks_mode_resends_acknowledges_by_the_own_copy(
    stack_values: dict[str, Any],
) -> None:
    """With ``acks: "resends"`` a new message is acknowledged by its own copy alone (no
    ``ack`` frame); a resend of a stored one still gets ``ack``, and nothing twice."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna", hello=False) as a, youth(server) as y:
            await a.send(type="hello", resume={}, acks="resends")
            await a.expect("welcome")
            await y.send(type="open", lang="fi", acks="resends")
            await y.expect("opened")
            chat_id = (await a.expect("tag"))["chat_id"]
            await a.send(type="claim", chat_id=chat_id)
            await a.expect("claimed")

            await y.send(type="send", client_id="y1", text="hei")
            own = await y.expect("message", seq=1)
            assert own["client_id"] == "y1" and own["sender"] == "youth"
            await a.expect("message", seq=1)
            await a.send(type="send", chat_id=chat_id, client_id="r1", text="moi")
            mine = await a.expect("message", seq=2)
            assert mine["client_id"] == "r1" and mine["sender"] == "responder"
            await y.expect("message", seq=2)
            rest = [*y.seen, *a.seen, *await y.nothing_within(0.3), *await a.nothing_within(0.1)]
            assert [f for f in rest if f["type"] in ("ack", "message")] == []  # incl. read past

            await y.send(type="send", client_id="y1", text="hei")  # a resend after a drop
            assert (await y.expect("ack", client_id="y1"))["seq"] == 1
            again = await y.nothing_within(0.3) + await a.nothing_within(0.1)
            assert [f for f in again if f["type"] == "message"] == []


async def test_youth_can_write_while_waiting_and_the_winner_gets_the_history(
    stack_values: dict[str, Any],
) -> None:
    """Messages sent while waiting arrive with the claim, in order."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as a, youth(server) as y:
            await open_chat(y)
            chat_id = (await a.expect("tag"))["chat_id"]
            await y.send(type="send", client_id="w1", text="onko ketään")
            await y.expect("ack")
            await a.send(type="claim", chat_id=chat_id)
            claimed = await a.expect("claimed")
            assert [m["text"] for m in claimed["messages"]] == ["onko ketään"]
            assert claimed["last_seq"] == 1


class _HeldWaitingRead:
    """Holds the next read of the waiting chats (a console's greeting is slow under load):
    ``before`` holds it before the read, otherwise the read is made and its answer held."""

    def __init__(self, server: LiveServer, *, before: bool) -> None:
        self.chats = server.runtime.hub.chats
        self.read = self.chats.waiting
        self.before = before
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def waiting(self) -> Any:
        self.chats.waiting = self.read  # only this one read is held
        self.started.set()
        if self.before:
            await self.release.wait()
        chats = await self.read()
        await self.release.wait()
        return chats

    def __enter__(self) -> _HeldWaitingRead:
        self.chats.waiting = self.waiting
        return self

    def __exit__(self, *exc: object) -> None:
        self.chats.waiting = self.read


def tag_frames(frames: list[dict[str, Any]], chat_id: str) -> list[str]:
    return [f["type"] for f in frames if f.get("chat_id") == chat_id]


async def test_a_console_greeted_during_a_claim_keeps_no_stale_tag(
    stack_values: dict[str, Any],
) -> None:
    """A console reads the queue as it connects; a claim landing while that read is under
    way must not leave it showing the taken chat (nothing would ever withdraw that tag)."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        await on_duty(server, "bert")
        async with responder(server, "anna") as a, youth(server) as y:
            await open_chat(y)
            chat_id = (await a.expect("tag"))["chat_id"]
            with _HeldWaitingRead(server, before=False) as held:
                async with responder(server, "bert") as b:
                    await held.started.wait()
                    await a.send(type="claim", chat_id=chat_id)
                    await a.expect("claimed", chat_id=chat_id)
                    await asyncio.sleep(0.3)  # the claim's events reach every process
                    held.release.set()
                    seen = [*b.seen, *await b.nothing_within(0.5)]
                    assert tag_frames(seen, chat_id) in ([], ["tag", "taken"]), seen


async def test_a_console_greeted_as_a_chat_opens_is_tagged_once(
    stack_values: dict[str, Any],
) -> None:
    """A chat opening while a console's greeting reads the queue is tagged there once."""
    async with live_server(stack_values) as server:
        await on_duty(server, "bert")
        async with youth(server) as y:
            with _HeldWaitingRead(server, before=True) as held:
                async with responder(server, "bert") as b:
                    await held.started.wait()
                    await open_chat(y)
                    await asyncio.sleep(0.3)  # the tag event reaches every process
                    held.release.set()
                    seen = [*b.seen, *await b.nothing_within(0.5)]
                    tags = [f for f in seen if f["type"] == "tag"]
                    assert len(tags) == 1, seen


async def test_a_console_that_read_the_chat_before_its_announcement_is_tagged_once(
    stack_values: dict[str, Any],
) -> None:
    """A chat stored but not yet announced when a console reads the queue: the console's
    read tags it, and the announcement that follows does not tag it twice."""
    async with live_server(stack_values) as server:
        await on_duty(server, "bert")
        chats = server.runtime.hub.chats
        announce, release = chats.announce_opened, asyncio.Event()

        async def held_announcement(chat: Any) -> None:
            await release.wait()
            await announce(chat)

        chats.announce_opened = held_announcement  # type: ignore[method-assign]
        try:
            async with youth(server) as y:
                await open_chat(y)
                async with responder(server, "bert") as b:
                    await b.expect("tag")  # from the console's own read of the queue
                    release.set()
                    seen = await b.nothing_within(0.5)
                    assert [f for f in seen if f["type"] == "tag"] == [], seen
        finally:
            chats.announce_opened = announce  # type: ignore[method-assign]


async def test_reminder_retags_a_waiting_chat(stack_values: dict[str, Any]) -> None:
    """A chat nobody claims is tagged again after the reminder interval."""
    stack_values.update(reminder_secs=0.4, sweep_interval_secs=0.1)
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as a, youth(server) as y:
            await open_chat(y)
            first = await a.expect("tag")
            again = await a.expect("tag", reminder=True)
            assert again["chat_id"] == first["chat_id"]


async def test_youth_leaving_before_claim_is_a_missed_contact(stack_values: dict[str, Any]) -> None:
    """A youth who ends while waiting makes a missed contact; tags are withdrawn."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as a, youth(server) as y:
            await open_chat(y)
            chat_id = (await a.expect("tag"))["chat_id"]
            await y.send(type="end")
            ended = await y.expect("ended")
            assert ended["state"] == "missed"
            assert (await a.expect("taken", chat_id=chat_id))["reason"] == "left"
            assert await chat_state(server, chat_id) == "missed"


async def test_youth_gone_past_grace_ends_the_chat(stack_values: dict[str, Any]) -> None:
    """A youth whose connection is gone longer than the grace window: chat ends, youth_left."""
    stack_values.update(resume_grace_secs=0.5, sweep_interval_secs=0.1)
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as a:
            async with youth(server) as y:
                token = await open_chat(y)
                chat_id = (await a.expect("tag"))["chat_id"]
                await a.send(type="claim", chat_id=chat_id)
                await a.expect("claimed")
            ended = await a.expect("ended", chat_id=chat_id)
            assert ended["reason"] == "youth_left" and ended["state"] == "ended"
            async with youth(server) as y2:
                await y2.send(type="resume", token=token, last_seq=0)
                assert (await y2.expect("error"))["code"] == "chat.not_found"


async def test_youth_back_within_grace_keeps_the_chat(stack_values: dict[str, Any]) -> None:
    """A youth who comes back inside the grace window continues the same chat."""
    stack_values.update(resume_grace_secs=1.5, sweep_interval_secs=0.1)
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as a:
            async with youth(server) as y:
                token = await open_chat(y)
                chat_id = (await a.expect("tag"))["chat_id"]
            for _ in range(3):  # stay away for most of the window, twice over
                await asyncio.sleep(0.6)
                async with youth(server) as y2:
                    await y2.send(type="resume", token=token, last_seq=0)
                    assert (await y2.expect("resumed"))["state"] == "waiting"
            assert await chat_state(server, chat_id) == "waiting"


async def test_responder_cap(stack_values: dict[str, Any]) -> None:
    """A responder at the cap cannot claim another chat (chat.cap_reached)."""
    stack_values["responder_chat_cap"] = 1
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as a, youth(server) as y1, youth(server) as y2:
            await open_chat(y1)
            first = (await a.expect("tag"))["chat_id"]
            await open_chat(y2)
            second = first
            while second == first:  # tags are at-least-once: the first may come again
                second = (await a.expect("tag"))["chat_id"]
            await a.send(type="claim", chat_id=first)
            await a.expect("claimed", chat_id=first)
            await a.send(type="claim", chat_id=second)
            refused = await a.expect("error", ref=second)
            assert refused["code"] == "chat.cap_reached"
            assert await chat_state(server, second) == "waiting"


async def test_responder_reconnect_gets_active_chats_back(stack_values: dict[str, Any]) -> None:
    """A responder who reconnects gets each active chat with the messages it missed."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with youth(server) as y:
            async with responder(server, "anna") as a:
                await open_chat(y)
                chat_id = (await a.expect("tag"))["chat_id"]
                await a.send(type="claim", chat_id=chat_id)
                await a.expect("claimed")
                await y.send(type="send", client_id="1", text="yksi")
                await a.expect("message", seq=1)
            await y.send(type="send", client_id="2", text="kaksi")
            await y.expect("ack", client_id="2")
            async with responder(server, "anna", resume={chat_id: 1}) as a2:
                chat = await a2.expect("chat", chat_id=chat_id)
                assert [m["text"] for m in chat["messages"]] == ["kaksi"]
                await a2.send(type="send", chat_id=chat_id, client_id="r", text="täällä")
                assert (await y.expect("message", seq=3))["text"] == "täällä"


async def test_queue_position_updates(stack_values: dict[str, Any]) -> None:
    """Waiting youth see their place, and it moves up when the chat ahead is claimed."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as a, youth(server) as y1, youth(server) as y2:
            await open_chat(y1)
            first = (await a.expect("tag"))["chat_id"]
            await open_chat(y2)
            assert (await y2.expect("queue", position=2))["waiting"] == 2
            await a.send(type="claim", chat_id=first)
            moved = await y2.expect("queue", position=1)
            assert moved["waiting"] == 1


async def test_the_wait_estimate_counts_only_responders_who_are_connected(
    stack_values: dict[str, Any],
) -> None:
    """With claims to go by, a waiting youth gets an estimate while an on-duty responder is
    connected, and none while nobody is (the rota alone answers no one)."""
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with responder(server, "anna") as a:
            for _ in range(3):  # three claims: the least an estimate is made from
                async with youth(server) as y:
                    await open_chat(y)
                    chat_id = (await a.expect("tag"))["chat_id"]
                    await a.send(type="claim", chat_id=chat_id)
                    await a.expect("claimed", chat_id=chat_id)
                    await a.send(type="end", chat_id=chat_id)
                    await a.expect("ended", chat_id=chat_id)
        async with youth(server) as y:
            await open_chat(y)
            alone = await y.expect("queue")
            assert alone["position"] == 1 and alone["estimate_secs"] is None
            async with responder(server, "anna"):
                told = await y.expect("queue")
                assert told["position"] == 1 and told["estimate_secs"] is not None


async def test_responder_socket_requires_login(stack_values: dict[str, Any]) -> None:
    """Without a session the responder socket is closed with 4101 (final)."""
    async with (
        live_server(stack_values) as server,
        websockets.connect(f"{server.ws_base}/ws/responder") as ws,
    ):
        client = WsClient(ws)
        assert (await client.recv())["code"] == "auth.required"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await client.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4101


async def test_foreign_origin_is_refused(stack_values: dict[str, Any]) -> None:
    """A WebSocket from an origin that is not allowed is closed with 4103."""
    stack_values["allowed_origins"] = ["https://perhekeskus.example"]
    async with live_server(stack_values) as server:
        await on_duty(server, "anna")
        async with websockets.connect(
            f"{server.ws_base}/ws/youth",
            origin="https://evil.example",  # type: ignore[arg-type]
        ) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4103
        async with websockets.connect(
            f"{server.ws_base}/ws/youth",
            origin="https://perhekeskus.example",  # type: ignore[arg-type]
        ) as ws:
            await WsClient(ws).send(type="open")
            assert (await WsClient(ws).expect("opened"))["state"] == "waiting"
