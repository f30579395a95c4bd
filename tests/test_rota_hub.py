"""Tagging from the rota, live, on SQLite + in-process broker and PostgreSQL + Redis."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from chatsupport.domain.clock import FrozenClock
from chatsupport.domain.roles import Role
from chatsupport.domain.rota import Shift, ShiftRole
from tests.helpers import add_user
from tests.live import LiveServer, WsClient, live_server, responder, youth
from tests.rota_helpers import put_on_shift_now

HKI = ZoneInfo("Europe/Helsinki")
MONDAY_15 = datetime(2026, 11, 23, 15, 0, tzinfo=HKI)


async def refused_as_closed(y: WsClient) -> dict[str, Any]:
    await y.send(type="open", lang="sv")
    error = await y.expect("error")
    assert error["code"] == "service.closed"
    closed: dict[str, Any] = error["closed"]
    assert closed["lang"] == "sv" and "112" in closed["texts"]["emergency"]
    return closed


async def weekly_monday(server: LiveServer, who: list[int], starts: int, ends: int) -> None:
    await server.runtime.rota.save_shift(
        Shift(0, ShiftRole.PROFESSIONAL, time(starts), time(ends), frozenset(who), weekday=0)
    )
    server.runtime.hub.invalidate_on_duty()


async def test_tags_reach_only_responders_on_active_shifts(stack_values: dict[str, Any]) -> None:
    """Anna's shift runs now, Bert's starts later: only Anna is tagged; welcome says so."""
    async with live_server(stack_values, clock=FrozenClock(MONDAY_15)) as server:
        rt = server.runtime
        anna = await add_user(rt, "anna", Role.PROFESSIONAL)
        bert = await add_user(rt, "bert", Role.PROFESSIONAL)
        await weekly_monday(server, [anna], 14, 16)
        await weekly_monday(server, [bert], 16, 20)
        async with (
            responder(server, "anna", hello=False) as a,
            responder(server, "bert", hello=False) as b,
        ):
            await a.send(type="hello", resume={})
            welcome_a = await a.expect("welcome")
            assert welcome_a["on_duty"] is True
            assert welcome_a["shift_ends_at"] == "2026-11-23T14:00:00+00:00"
            await b.send(type="hello", resume={})
            welcome_b = await b.expect("welcome")
            assert welcome_b["on_duty"] is False and welcome_b["shift_ends_at"] is None
            async with youth(server) as y:
                await y.send(type="open", lang="fi")
                await y.expect("opened")
                tag = await a.expect("tag")
                assert [f for f in await b.nothing_within(0.5) if f["type"] == "tag"] == []
                await b.send(type="claim", chat_id=tag["chat_id"])
                assert (await b.expect("error"))["code"] == "chat.not_on_duty"


async def test_expert_shift_is_closed_while_backup_is_away(stack_values: dict[str, Any]) -> None:
    """Youth are refused until the backup's console connects; then the expert is tagged (not
    the backup); when the backup leaves, new chats are refused again."""
    async with live_server(stack_values) as server:
        rt = server.runtime
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT)
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL)
        await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
        async with responder(server, "aino", hello=False) as expert, youth(server) as y:
            await expert.send(type="hello", resume={})
            assert (await expert.expect("welcome"))["on_duty"] is False
            closed = await refused_as_closed(y)
            assert closed["open"] is False
            async with responder(server, "sanna") as backup:
                await y.send(type="open", lang="fi")
                await y.expect("opened")
                await expert.expect("tag")
                assert [f for f in await backup.nothing_within(0.5) if f["type"] == "tag"] == []
                await y.send(type="end")
                await y.expect("ended")
            await refused_once_backup_gone(server)


async def refused_once_backup_gone(server: LiveServer) -> None:
    """The backup's console closing is noticed asynchronously (its presence is dropped when
    the socket's handler finishes): a youth arriving after that is refused again."""
    for _ in range(50):
        async with youth(server) as later:
            await later.send(type="open", lang="sv")
            answer = await later.recv()
            if answer["type"] == "error" and answer["code"] == "service.closed":
                return
        await asyncio.sleep(0.1)
    raise AssertionError("new chats were still accepted after the backup left")


async def test_open_is_refused_when_closed_and_socket_stays_usable(
    stack_values: dict[str, Any],
) -> None:
    """No shift now: `open` gets error service.closed with the closed information, nothing is
    queued; once a shift runs, the same socket opens a chat."""
    async with live_server(stack_values) as server:
        async with youth(server) as y:
            closed = await refused_as_closed(y)
            assert closed["next_opens_at"] is None and closed["accepts_new_chats"] is False
            anna = await add_user(server.runtime, "anna", Role.PROFESSIONAL)
            await put_on_shift_now(server.runtime, [anna])
            await y.send(type="open", lang="fi")
            assert (await y.expect("opened"))["state"] == "waiting"
        assert len(await server.runtime.chats.waiting()) == 1


async def test_cutoff_refuses_new_chats_but_shift_end_never_cuts_a_chat(
    stack_values: dict[str, Any],
) -> None:
    """15:50 with a 16:00 close: a new chat is refused (cut-off); a chat claimed earlier goes
    on after the shift ends."""
    clock = FrozenClock(datetime(2026, 11, 23, 15, 30, tzinfo=HKI))
    async with live_server(stack_values, clock=clock) as server:
        anna = await add_user(server.runtime, "anna", Role.PROFESSIONAL)
        await weekly_monday(server, [anna], 14, 16)
        async with responder(server, "anna") as a, youth(server) as y:
            await y.send(type="open", lang="fi")
            await y.expect("opened")
            chat_id = (await a.expect("tag"))["chat_id"]
            await a.send(type="claim", chat_id=chat_id)
            await a.expect("claimed")
            clock.advance(minutes=20)
            server.runtime.hub.invalidate_on_duty()
            async with youth(server) as late:
                closed = await refused_as_closed(late)
                assert closed["open"] is True and closed["closes_at"].startswith("2026-11-23T16:00")
            clock.advance(hours=1)
            server.runtime.hub.invalidate_on_duty()
            await a.send(type="send", chat_id=chat_id, client_id="m1", text="Olen yhä täällä.")
            assert (await a.expect("ack"))["seq"] == 1
            assert (await y.expect("message"))["text"] == "Olen yhä täällä."


async def test_a_youth_still_waiting_at_closing_is_told_and_may_still_be_answered(
    stack_values: dict[str, Any],
) -> None:
    """DOMAIN.md 3.3: the shift ends at 16:00 with two chats still waiting. Each youth is
    told once, with the next opening and the always-open services, and again on a
    reconnect; the responder tagged before closing can still claim one; an extra shift opens
    the service again and the youth still waiting hears so (`open_again`)."""
    clock = FrozenClock(datetime(2026, 11, 23, 15, 30, tzinfo=HKI))
    # The frozen clock jumps 40 minutes: a grace window longer than that keeps the connected
    # youth from counting as gone (their heartbeat runs on real time).
    values = {**stack_values, "sweep_interval_secs": 0.2, "resume_grace_secs": 7200}
    async with live_server(values, clock=clock) as server:
        rt = server.runtime
        anna = await add_user(rt, "anna", Role.PROFESSIONAL)
        await weekly_monday(server, [anna], 14, 16)
        async with responder(server, "anna") as a, youth(server) as y, youth(server) as y2:
            await y.send(type="open", lang="sv")
            token = (await y.expect("opened"))["token"]
            chat_id = (await a.expect("tag"))["chat_id"]
            await y2.send(type="open", lang="fi")
            token2 = (await y2.expect("opened"))["token"]
            assert "closed_now" not in [f["type"] for f in await y.nothing_within(0.5)]
            clock.advance(minutes=40)  # 16:10: closed
            rt.hub.invalidate_on_duty()
            told = await y.expect("closed_now", within=5)
            closed = told["closed"]
            assert closed["open"] is False and closed["lang"] == "sv"
            assert closed["next_opens_at"].startswith("2026-11-30T14:00")
            assert "112" in closed["texts"]["emergency"]
            await y2.expect("closed_now", within=5)
            async with youth(server) as reloaded:  # a reload of y2's page is told again
                await reloaded.send(type="resume", token=token2, last_seq=0)
                await reloaded.expect("resumed")
                assert (await reloaded.expect("closed_now", within=5))["closed"]["lang"] == "fi"
            later = await y.nothing_within(0.6)
            assert "closed_now" not in [f["type"] for f in later]  # once per connection
            await a.send(type="claim", chat_id=chat_id)  # tagged before closing: may still
            await a.expect("claimed", chat_id=chat_id)
            await y.expect("claimed")
            async with youth(server) as again:  # y's chat is answered now: nothing to tell
                await again.send(type="resume", token=token, last_seq=0)
                await again.expect("resumed")
                assert "closed_now" not in [f["type"] for f in await again.nothing_within(0.6)]
            await rt.rota.save_shift(
                Shift(
                    0,
                    ShiftRole.PROFESSIONAL,
                    time(16, 5),
                    time(17),
                    frozenset([anna]),
                    on_date=clock.now().astimezone(HKI).date(),
                )
            )
            rt.hub.invalidate_on_duty()
            await y2.expect("open_again", within=5)
            assert "open_again" not in [f["type"] for f in y.seen + await y.nothing_within(0.6)]


async def test_a_console_is_told_when_its_duty_begins_and_ends(
    stack_values: dict[str, Any],
) -> None:
    """Anna is signed in with no shift while a chat waits. A shift of hers starts: within a
    sweep her console gets `duty` (on duty, until when) and the tag of the chat already
    waiting; the shift is deleted: `duty` says she is off (review of 27 Nov, expert finding 8:
    the bar kept saying "Vuorossa")."""
    values = {**stack_values, "sweep_interval_secs": 0.2}
    async with live_server(values) as server:
        rt = server.runtime
        anna = await add_user(rt, "anna", Role.PROFESSIONAL, "Anna")
        bert = await add_user(rt, "bert", Role.PROFESSIONAL, "Bert")
        await put_on_shift_now(rt, [bert])  # the service is open: the youth may write
        rt.hub.invalidate_on_duty()
        async with responder(server, "anna", hello=False) as console, youth(server) as y:
            await console.send(type="hello", resume={})
            assert (await console.expect("welcome"))["on_duty"] is False
            await y.send(type="open", lang="fi")
            await y.expect("opened")
            shift = await put_on_shift_now(rt, [anna])
            rt.hub.invalidate_on_duty()
            came = await console.expect("duty", within=5)
            assert came["on_duty"] is True and came["shift_ends_at"]
            await console.expect("tag", within=5)
            await rt.rota.delete_shift(shift.id)
            rt.hub.invalidate_on_duty()
            assert (await console.expect("duty", within=5))["on_duty"] is False
