"""Debrief after a heavy chat (docs/architecture.md, "Debrief"), over real HTTP and WebSocket,
on SQLite + in-process broker and PostgreSQL + Redis: an expert's level-2 record asks the
backup, the live frame reaches exactly the people concerned, one professional answers."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import inspect

from chatsupport.domain.chat import Author, Sender
from chatsupport.domain.clock import FrozenClock
from chatsupport.domain.debrief import debrief_due
from chatsupport.domain.diary import parse_form
from chatsupport.domain.roles import Role
from chatsupport.domain.rota import ShiftRole
from chatsupport.services.debrief import purge_debriefs
from tests.helpers import add_user, error_code, login, running_app
from tests.live import LiveServer, WsClient, live_server, responder
from tests.rota_helpers import put_on_shift_now
from tests.test_diary_api import ended_chat
from tests.test_diary_rules import valid_form

HEAVY = valid_form(concern_level=2, cp_concern=False)


class Staff:
    """A signed-in HTTP client of one staff member."""

    def __init__(self, client: httpx.AsyncClient, csrf: str) -> None:
        self.client, self.csrf = client, csrf

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.client.post(path, json=body, headers={"X-CSRF-Token": self.csrf})

    async def listing(self) -> dict[str, Any]:
        answer = await self.client.get("/api/debriefs")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


async def signed_in(stack: AsyncExitStack, server: LiveServer, login_name: str) -> Staff:
    client = await stack.enter_async_context(httpx.AsyncClient(base_url=server.base))
    return Staff(client, await login(client, login_name))


def same(debrief: dict[str, Any]) -> dict[str, Any]:
    """A debrief with its instants parsed (HTTP writes UTC as Z, frames as +00:00)."""
    instants = ("requested_at", "answered_at")
    return {k: datetime.fromisoformat(v) if k in instants and v else v for k, v in debrief.items()}


def person(responder_id: int, role: str, name: str) -> dict[str, Any]:
    return {"id": responder_id, "role": role, "name": name}


@pytest.mark.parametrize(
    ("role", "changes", "due"),
    [
        (Role.EXPERIENCE_EXPERT, {"concern_level": 1}, False),
        (Role.EXPERIENCE_EXPERT, {"concern_level": 2, "cp_concern": False}, True),
        (Role.EXPERIENCE_EXPERT, {"concern_level": 1, "emergency_actions": ["POLICE"]}, True),
        (Role.EXPERIENCE_EXPERT, {"concern_level": 1, "emergency_actions": ["NONE"]}, False),
        (Role.PROFESSIONAL, {"concern_level": 3, "cp_concern": True}, False),
    ],
)
def test_which_records_ask_for_a_debrief(role: Role, changes: dict[str, Any], due: bool) -> None:
    """An experience expert's level 2-3 record, or one with an emergency action; never a
    professional's (their debriefs stay with the team's own practice)."""
    assert debrief_due(role, parse_form(valid_form(**changes))) is due


async def test_a_heavy_record_asks_the_backup(stack_values: dict[str, Any]) -> None:
    """Level 1: nothing. Level 2: the expert's backup is asked; the expert and the backup get
    the frame, another professional does not and may not answer; the backup answers once, the
    expert hears who; the request holds no chat id and goes with the purge after 30 days."""
    async with live_server(stack_values) as server, AsyncExitStack() as stack:
        rt = server.runtime
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
        await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
        await add_user(rt, "koordi", Role.COORDINATOR, "Kaisa")
        await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
        expert_http, backup_http, other_http, coordinator_http = [
            await signed_in(stack, server, name) for name in ("aino", "sanna", "pekka", "koordi")
        ]
        async with (
            responder(server, "aino") as expert,
            responder(server, "sanna") as backup,
            responder(server, "pekka") as other,
        ):
            light = await ended_chat(rt, aino)
            filed = await expert_http.post(f"/api/diary/records/{light}", valid_form())
            assert filed.status_code == 201 and filed.json() == {"filed": True, "debrief": None}

            heavy = await ended_chat(rt, aino)
            filed = await expert_http.post(f"/api/diary/records/{heavy}", HEAVY)
            assert filed.status_code == 201, filed.text
            asked = filed.json()["debrief"]
            assert asked["expert"] == person(aino, "experience_expert", "Aino")
            assert asked["backup"] == person(sanna, "professional", "Sanna")
            assert (asked["reason"], asked["answered_by"]) == ("heavy_chat", None)
            assert heavy not in str(asked)  # nothing about the chat travels with it
            for console in (expert, backup):
                assert same((await console.expect("debrief"))["debrief"]) == same(asked)
            assert not [f for f in await other.nothing_within(0.5) if f["type"] == "debrief"]
            assert (await backup_http.listing())["to_answer"] == [asked]
            assert (await other_http.listing())["to_answer"] == []
            assert (await expert_http.listing())["mine"] == [asked]  # both over HTTP: as is
            assert (await coordinator_http.listing())["to_answer"] == [asked]  # sees, not answers

            path = f"/api/debriefs/{asked['id']}/answer"
            refused = await other_http.post(path)
            assert (refused.status_code, error_code(refused)) == (403, "debrief.not_yours")
            answered = await backup_http.post(path)
            assert answered.status_code == 200, answered.text
            assert answered.json()["answered_by"] == person(sanna, "professional", "Sanna")
            for console in (expert, backup):
                frame = await console.expect("debrief")
                assert frame["debrief"]["answered_by"]["name"] == "Sanna"
            again = await backup_http.post(path)
            assert (again.status_code, error_code(again)) == (409, "debrief.answered")
            assert (await backup_http.listing())["to_answer"] == []
            assert (await expert_http.listing())["mine"][0]["answered_by"]["name"] == "Sanna"
            assert (await coordinator_http.listing())["to_answer"] == []

        async with rt.db.read() as s:
            columns = await s.run_sync(
                lambda sync: {c["name"] for c in inspect(sync.connection()).get_columns("debriefs")}
            )
        assert not {"chat_id", "text", "concern_level"} & columns
        later = FrozenClock(datetime.now(UTC) + timedelta(days=31))
        assert await purge_debriefs(rt.db, later) == 1


async def test_asked_of_nobody_in_particular_one_professional_takes_it(
    stack_values: dict[str, Any],
) -> None:
    """With no expert shift running the expert's own request reaches every professional
    console; two answering at once: one wins, the other hears it was answered; only experts
    ask."""
    async with live_server(stack_values) as server, AsyncExitStack() as stack:
        rt = server.runtime
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
        for name in ("sanna", "pekka"):
            await add_user(rt, name, Role.PROFESSIONAL, name.title())
        expert_http, sanna_http, pekka_http = [
            await signed_in(stack, server, name) for name in ("aino", "sanna", "pekka")
        ]
        async with responder(server, "sanna") as sanna, responder(server, "pekka") as pekka:
            refused = await sanna_http.post("/api/debriefs")
            assert (refused.status_code, error_code(refused)) == (403, "debrief.not_expert")
            made = await expert_http.post("/api/debriefs")
            assert made.status_code == 201, made.text
            asked = made.json()
            assert (asked["reason"], asked["backup"]) == ("asked", None)
            assert asked["expert"]["id"] == aino
            await both_get(sanna, pekka, asked)
            path = f"/api/debriefs/{asked['id']}/answer"
            answers = await asyncio.gather(sanna_http.post(path), pekka_http.post(path))
            assert sorted(a.status_code for a in answers) == [200, 409]
            winner = next(a for a in answers if a.status_code == 200).json()["answered_by"]
            for console in (sanna, pekka):
                frame = await console.expect("debrief")
                assert frame["debrief"]["answered_by"] == winner


async def both_get(first: WsClient, second: WsClient, asked: dict[str, Any]) -> None:
    for console in (first, second):
        assert same((await console.expect("debrief"))["debrief"]) == same(asked)


async def test_filed_after_the_shift_the_backup_asked_in_the_chat_is_asked(
    stack_values: dict[str, Any],
) -> None:
    """The expert asked Sanna for support in the chat; the shift is over when the heavy record
    is filed: Sanna is still the one asked."""
    async with live_server(stack_values) as server, AsyncExitStack() as stack:
        rt = server.runtime
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
        shift = await put_on_shift_now(
            rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna
        )
        expert = await rt.accounts.get_responder(aino)
        chat, _ = await rt.chats.create_chat(lang="fi")
        await rt.chats.claim(responder=expert, chat_id=chat.id)
        await rt.chats.post(chat_id=chat.id, sender=Sender.YOUTH, client_id="c1", text="hei")
        await rt.rota.consoles_seen([sanna])  # the backup is there when the expert asks
        assert await rt.hub.support.ask(expert=expert, chat_id=chat.id) == sanna
        await rt.chats.responder_ends(responder_id=aino, chat_id=chat.id)
        await rt.rota.delete_shift(shift.id)
        assert await rt.hub.support.backup_of_expert(aino) is None
        expert_http = await signed_in(stack, server, "aino")
        filed = await expert_http.post(f"/api/diary/records/{chat.id}", HEAVY)
        assert filed.status_code == 201, filed.text
        assert filed.json()["debrief"]["backup"]["id"] == sanna


async def test_unanswered_for_fifteen_minutes_any_professional_may_answer(
    settings_values: dict[str, Any],
) -> None:
    """Asked of the backup, who does not answer: after 15 minutes another professional sees
    the request and may take it (the backup may have gone home)."""
    clock = FrozenClock(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    async with running_app(settings_values, clock=clock) as (client, rt):
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
        await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
        await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
        await rt.rota.consoles_seen([sanna])  # at work, with her console open
        expert = Staff(client, await login(client, "aino"))
        asked = (await expert.post("/api/debriefs")).json()
        assert asked["backup"]["id"] == sanna
        pekka = Staff(client, await login(client, "pekka"))
        assert (await pekka.listing())["to_answer"] == []
        path = f"/api/debriefs/{asked['id']}/answer"
        assert error_code(await pekka.post(path)) == "debrief.not_yours"
        clock.advance(minutes=15)
        assert [d["id"] for d in (await pekka.listing())["to_answer"]] == [asked["id"]]
        answered = await pekka.post(path)
        assert answered.json()["answered_by"]["name"] == "Pekka"


async def test_a_heavy_chat_that_left_the_expert_still_asks_her_debrief(
    stack_values: dict[str, Any],
) -> None:
    """Aino answered, asked Sanna for support, and Sanna took the chat over and filed its
    heavy record: Aino, who heard what the chat was about, gets a debrief request asked of
    Sanna (review of 27 Nov, finding 1: nobody was asked). A light record asks nothing."""
    async with live_server(stack_values) as server, AsyncExitStack() as stack:
        rt = server.runtime
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
        await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
        sanna_http = await signed_in(stack, server, "sanna")
        aino_http = await signed_in(stack, server, "aino")
        async with responder(server, "aino") as expert, responder(server, "sanna"):
            for form, asks in ((valid_form(), False), (HEAVY, True)):
                chat_id = await chat_taken_over(rt, expert=aino, backup=sanna)
                filed = await sanna_http.post(f"/api/diary/records/{chat_id}", form)
                assert filed.json() == {"filed": True, "debrief": None}  # none of Sanna's own
                mine = (await aino_http.listing())["mine"]
                assert len(mine) == int(asks)
            assert mine[0]["expert"]["id"] == aino and mine[0]["reason"] == "heavy_chat"
            assert mine[0]["backup"] == person(sanna, "professional", "Sanna")
            assert (await expert.expect("debrief"))["debrief"]["id"] == mine[0]["id"]


async def expert_answers(rt: Any, expert_id: int) -> str:
    """An active chat the expert claimed and wrote in, after a youth message."""
    aino = await rt.accounts.get_responder(expert_id)
    chat, _ = await rt.chats.create_chat(lang="fi")
    await rt.chats.claim(responder=aino, chat_id=chat.id)
    await rt.chats.post(chat_id=chat.id, sender=Sender.YOUTH, client_id="y1", text="hei")
    author = Author(aino.id, aino.role.value, aino.display_name)
    await rt.chats.post(
        chat_id=chat.id, sender=Sender.RESPONDER, client_id="a1", text="moi", author=author
    )
    return str(chat.id)


async def chat_taken_over(rt: Any, *, expert: int, backup: int) -> str:
    """A chat the expert answered (and wrote in), taken over by her backup, who ended it."""
    chat_id = await expert_answers(rt, expert)
    await rt.hub.support.ask(expert=await rt.accounts.get_responder(expert), chat_id=chat_id)
    sanna = await rt.accounts.get_responder(backup)
    await rt.hub.support.take_over(backup=sanna, chat_id=chat_id)
    await rt.chats.responder_ends(responder_id=backup, chat_id=chat_id)
    return chat_id


async def test_the_debrief_is_asked_of_someone_who_is_there(
    stack_values: dict[str, Any],
) -> None:
    """Sanna, the backup of Aino's shift, has gone; Pekka stood in and backed the chat. The
    heavy record's debrief is asked of Pekka, who is there, not of Sanna (finding 2); with
    neither there it is asked of any professional, so nobody waits 15 minutes for someone
    who has gone home."""
    async with live_server(stack_values) as server, AsyncExitStack() as stack:
        rt = server.runtime
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
        pekka = await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
        await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
        aino_http = await signed_in(stack, server, "aino")
        expert = await rt.accounts.get_responder(aino)
        async with responder(server, "pekka") as pekka_console:
            chat_id = await expert_answers(rt, aino)
            assert await rt.hub.support.ask(expert=expert, chat_id=chat_id) is None  # stand-ins
            await rt.hub.support.stand_in(
                professional=await rt.accounts.get_responder(pekka), chat_id=chat_id
            )
            await rt.chats.responder_ends(responder_id=aino, chat_id=chat_id)
            filed = await aino_http.post(f"/api/diary/records/{chat_id}", HEAVY)
            assert filed.json()["debrief"]["backup"] == person(pekka, "professional", "Pekka")
            await pekka_console.expect("debrief")
        asked = (await aino_http.post("/api/debriefs")).json()  # nobody there now
        assert asked["backup"] is None
