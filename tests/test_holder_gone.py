"""A chat whose responder's console is gone (docs/protocol.md, "A chat whose responder is
gone"), through the real WebSocket surface on SQLite + in-process broker and PostgreSQL +
Redis: the chat goes back to the claim lists, one claim takes it over, or the holder comes
back; a console that comes back is told what changed while it was away."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import websockets
from sqlalchemy import select

from chatsupport.domain.roles import Role
from chatsupport.storage.tables import DiaryRecordRow
from tests.helpers import add_user, login
from tests.live import LiveServer, WsClient, live_server, responder, youth
from tests.rota_helpers import put_on_shift_now
from tests.test_support_hub import aino_backed_by_sanna, backup_joined, open_and_claim

GONE_AFTER = 1.0  # CHATSUPPORT_HOLDER_GONE_SECS in these tests


def fast(stack_values: dict[str, Any]) -> dict[str, Any]:
    return {**stack_values, "sweep_interval_secs": 0.2, "holder_gone_secs": GONE_AFTER}


async def team(server: LiveServer) -> None:
    """Sanna and Pekka on a professional shift now; Paula a professional on no shift."""
    rt = server.runtime
    sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
    pekka = await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
    await add_user(rt, "paula", Role.PROFESSIONAL, "Paula")
    await add_user(rt, "koordi", Role.COORDINATOR)
    await put_on_shift_now(rt, [sanna, pekka])
    rt.hub.invalidate_on_duty()


async def claim_outcome(console: WsClient, chat_id: str) -> str:
    """ "won" (the chat with its history arrives) or the refusal's code."""
    while True:
        frame = console.seen.pop(0) if console.seen else await console.recv()
        if frame["type"] == "error" and frame.get("ref") == chat_id:
            return str(frame["code"])
        if frame["type"] == "chat" and frame["chat_id"] == chat_id:
            console.seen.append(frame)
            return "won"


async def test_a_chat_whose_responder_is_gone_is_claimed_by_one_of_two(
    stack_values: dict[str, Any],
) -> None:
    """Sanna's console closes mid-chat. After the grace, Pekka (on duty) and Paula (a
    professional off duty, also on a console that connects later) get the chat's tag with
    `holder_gone`; the youth is told (again after a reload) and keeps writing. Both claim at
    once: one wins and gets the whole history, the other `chat.taken`; the youth hears who
    answers now and gets the winner's answer. Sanna's console, back, is told the chat changed
    hands; the diary records the role of the one who ended it."""
    async with live_server(fast(stack_values)) as server:
        await team(server)
        async with (
            responder(server, "pekka") as pekka,
            responder(server, "paula") as paula,
            youth(server) as y,
        ):
            async with responder(server, "sanna") as sanna:
                chat_id, token = await open_and_claim(y, sanna)
                await pekka.expect("taken", chat_id=chat_id)
            for console in (pekka, paula):
                tag = await console.expect("tag", chat_id=chat_id, holder_gone=True)
                assert tag["urgent"] is True
            await y.expect("holder_away")
            async with youth(server) as reloaded:  # the page reloads: still told
                await reloaded.send(type="resume", token=token, last_seq=1)
                assert (await reloaded.expect("resumed"))["state"] == "active"
                await reloaded.expect("holder_away")
            async with httpx.AsyncClient(base_url=server.base) as client:
                await login(client, "koordi")  # "Tilanne nyt" counts it
                now = (await client.get("/api/support/now")).json()
            assert (now["active"], now["active_holder_gone"]) == (1, 1)
            await y.send(type="send", client_id="y2", text="onko siellä ketään?")
            await y.expect("message", seq=2)
            async with responder(server, "paula") as paula_later:
                await paula_later.expect("tag", chat_id=chat_id, holder_gone=True)
            await asyncio.gather(
                pekka.send(type="claim", chat_id=chat_id),
                paula.send(type="claim", chat_id=chat_id),
            )
            outcomes = {
                "Pekka": await claim_outcome(pekka, chat_id),
                "Paula": await claim_outcome(paula, chat_id),
            }
            assert sorted(outcomes.values()) == ["chat.taken", "won"], outcomes
            winner_name = next(name for name, got in outcomes.items() if got == "won")
            winner = pekka if winner_name == "Pekka" else paula
            history = await winner.expect("chat", chat_id=chat_id)
            assert [m["text"] for m in history["messages"]] == ["hei", "onko siellä ketään?"]
            continued = await y.expect("claimed")  # the page says who answers now
            assert continued["responder"]["name"] == winner_name
            await winner.send(type="send", chat_id=chat_id, client_id="w1", text="Olen tässä.")
            answer = await y.expect("message", seq=3)
            assert answer["text"] == "Olen tässä."
            async with responder(server, "sanna", resume={chat_id: 1}) as sanna_back:
                told = await sanna_back.expect("handed_over", chat_id=chat_id)
                assert (told["reason"], told["to"]["name"]) == ("holder_gone", winner_name)
            await winner.send(type="end", chat_id=chat_id)
            await y.expect("ended")
        async with server.runtime.db.read() as s:
            roles = list(await s.scalars(select(DiaryRecordRow.responder_role)))
        assert roles == ["professional"]


async def test_the_holder_comes_back_before_anyone_claims(stack_values: dict[str, Any]) -> None:
    """A reload within the grace marks nothing. Gone past it, then back: the tags are withdrawn
    (`taken`, reason `back`), the youth hears the adult is back, the chat goes on with its
    holder, and a late claim is refused; a resync after a broker gap keeps the tag meanwhile.
    A chat marked gone whose youth leaves takes its
    tags with it; a console told on `hello` of a chat that ended meanwhile gets `ended`."""
    async with live_server(fast(stack_values)) as server:
        await team(server)
        async with responder(server, "pekka") as pekka, youth(server) as y:
            async with responder(server, "sanna") as sanna:
                chat_id, _ = await open_and_claim(y, sanna)
            async with responder(server, "sanna", resume={chat_id: 1}) as sanna:  # a reload
                await sanna.expect("chat", chat_id=chat_id)
                quiet = await pekka.nothing_within(GONE_AFTER + 0.6)
                assert [f for f in quiet if f["type"] == "tag" and f["holder_gone"]] == []
            await pekka.expect("tag", chat_id=chat_id, holder_gone=True)
            await y.expect("holder_away")
            await server.runtime.hub.resync_all()  # as after a broker gap: the tag stays
            resynced = await pekka.nothing_within(0.5)
            assert [f for f in resynced if f["type"] == "taken"] == []
            async with responder(server, "sanna", resume={chat_id: 1}) as sanna:
                await sanna.expect("chat", chat_id=chat_id)
                withdrawn = await pekka.expect("taken", chat_id=chat_id)
                assert withdrawn["reason"] == "back"
                await y.expect("holder_back")
                await pekka.send(type="claim", chat_id=chat_id)
                refused = await pekka.expect("error")
                assert refused["code"] == "chat.taken"
                await sanna.send(type="send", chat_id=chat_id, client_id="s1", text="Tässä taas.")
                await y.expect("message", seq=2)
            await pekka.expect("tag", chat_id=chat_id, holder_gone=True)  # gone again
            await y.send(type="end")
            await y.expect("ended")
            gone_with = await pekka.expect("taken", chat_id=chat_id)
            assert gone_with["reason"] == "left"
            async with responder(server, "sanna", resume={chat_id: 2}) as sanna:
                ended = await sanna.expect("ended", chat_id=chat_id)
                assert ended["state"] == "ended"


async def test_signing_out_with_a_chat_open_hands_it_on_at_once(
    stack_values: dict[str, Any],
) -> None:
    """Sanna signs out with a chat open (her console asked first): her console closes, the
    youth is told at once and Pekka gets the chat's tag, without waiting out the minute a
    dropped connection gets. Signed in on another device too, nothing is marked."""
    values = {**stack_values, "sweep_interval_secs": 0.2, "holder_gone_secs": 60}
    async with live_server(values) as server:
        await team(server)
        async with (
            httpx.AsyncClient(base_url=server.base) as laptop,
            httpx.AsyncClient(base_url=server.base) as phone,
        ):
            csrf = await login(laptop, "sanna")
            other_csrf = await login(phone, "sanna")
            cookie = f"cs_session={laptop.cookies['cs_session']}"
            async with (
                websockets.connect(
                    f"{server.ws_base}/ws/responder", additional_headers={"Cookie": cookie}
                ) as ws,
                responder(server, "pekka") as pekka,
                youth(server) as y,
            ):
                sanna = WsClient(ws)
                await sanna.send(type="hello", resume={})
                await sanna.expect("welcome")
                chat_id, _ = await open_and_claim(y, sanna)
                await pekka.expect("taken", chat_id=chat_id)
                out = await phone.post("/api/auth/logout", headers={"X-CSRF-Token": other_csrf})
                assert out.status_code == 204  # the laptop is still signed in: nothing moves
                frames = await y.nothing_within(0.6)
                assert all(f["type"] != "holder_away" for f in frames)
                out = await laptop.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
                assert out.status_code == 204
                assert (await sanna.expect("error"))["code"] == "auth.required"
                await y.expect("holder_away")
                tag = await pekka.expect("tag", chat_id=chat_id, holder_gone=True)
                assert tag["urgent"] is True
                await pekka.send(type="claim", chat_id=chat_id)
                assert await claim_outcome(pekka, chat_id) == "won"
                assert (await y.expect("claimed"))["responder"]["name"] == "Pekka"


async def test_the_backup_who_joined_goes_on_when_the_holder_is_gone(
    stack_values: dict[str, Any],
) -> None:
    """Sanna joined Aino's chat and writes in it; Aino's console closes. After the grace the
    chat is Sanna's at once: the youth hears that Sanna answers now (never "the adult's
    connection was lost"), Sanna's console gets the whole chat as her own, and Pekka, on duty,
    gets no tag to race her for it (review of 27 Nov, finding 5)."""
    async with live_server(fast(stack_values)) as server:
        rt = server.runtime
        await aino_backed_by_sanna(rt)
        pekka = await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
        await put_on_shift_now(rt, [pekka])
        async with (
            responder(server, "sanna") as backup,
            responder(server, "pekka") as other,
            youth(server) as y,
        ):
            async with responder(server, "aino") as expert:
                rt.hub.invalidate_on_duty()
                chat_id = await backup_joined(y, expert, backup)
            sanna = {"role": "professional", "name": "Sanna"}
            assert (await y.expect("claimed", within=GONE_AFTER + 5))["responder"] == sanna
            mine = await backup.expect("chat", chat_id=chat_id)
            assert [m["text"] for m in mine["messages"]] == ["hei"]
            await backup.send(type="send", chat_id=chat_id, client_id="s1", text="Jatketaan")
            assert (await y.expect("message", seq=2))["author"] == sanna
            later = await other.nothing_within(GONE_AFTER + 0.5) + y.seen
            assert not [f for f in later if f["type"] == "holder_away" or f.get("holder_gone")]
