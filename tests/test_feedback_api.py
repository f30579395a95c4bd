"""The youth's "did this help?" answer over the real HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from chatsupport.api.runtime import Runtime
from chatsupport.domain.chat import Sender
from chatsupport.domain.roles import Role
from chatsupport.storage.tables import FeedbackTicketRow, YouthFeedbackRow
from tests.helpers import add_user, error_code, login, running_app


async def chat_with_ticket(
    rt: Runtime, client: httpx.AsyncClient, responder_id: int, *, claim: bool = True
) -> tuple[str, str]:
    """An open chat (claimed, one message) and its feedback ticket from the public API."""
    chat, token = await rt.chats.create_chat(lang="fi")
    if claim:
        responder = await rt.accounts.get_responder(responder_id)
        await rt.chats.claim(responder=responder, chat_id=chat.id)
        await rt.chats.post(chat_id=chat.id, sender=Sender.YOUTH, client_id="c1", text="hei")
    response = await client.post("/api/public/feedback/ticket", json={"token": token})
    assert response.status_code == 201, response.text
    ticket: str = response.json()["ticket"]
    return chat.id, ticket


async def answer(client: httpx.AsyncClient, ticket: str, value: str = "yes") -> bool:
    response = await client.post("/api/public/feedback", json={"ticket": ticket, "answer": value})
    assert response.status_code == 200, response.text
    recorded: bool = response.json()["recorded"]
    return recorded


async def stored(rt: Runtime) -> list[tuple[str, str]]:
    async with rt.db.read() as s:
        rows = await s.scalars(select(YouthFeedbackRow).order_by(YouthFeedbackRow.id))
        return [(r.answer, r.local_date.isoformat()) for r in rows]


async def test_one_answer_per_answered_chat_stored_without_a_link(
    settings_values: dict[str, Any],
) -> None:
    """Before the end nothing is counted; after it the first answer is stored with the local
    date only and the ticket is gone; every later answer is a no-op."""
    async with running_app(settings_values) as (client, rt):
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL)
        chat_id, ticket = await chat_with_ticket(rt, client, sanna)
        assert not await answer(client, ticket)  # the chat is still open
        await rt.chats.responder_ends(responder_id=sanna, chat_id=chat_id)
        assert await answer(client, ticket, "a_little")
        assert not await answer(client, ticket, "yes")
        assert not await answer(client, "made-up-ticket", "yes")
        today = rt.clock.now().astimezone(rt.settings.zone).date().isoformat()
        assert await stored(rt) == [("a_little", today)]
        async with rt.db.read() as s:
            assert list(await s.scalars(select(FeedbackTicketRow))) == []
        columns = set(YouthFeedbackRow.__table__.columns.keys())
        assert columns == {"id", "local_date", "answer"}  # nothing that could point at a chat


async def test_missed_chats_and_dead_tokens_get_no_answer(settings_values: dict[str, Any]) -> None:
    """A chat nobody answered counts no feedback; a token of an ended chat gets no ticket;
    a bad answer is refused without echo."""
    async with running_app(settings_values) as (client, rt):
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL)
        chat_id, ticket = await chat_with_ticket(rt, client, sanna, claim=False)
        await rt.chats.youth_leaves(chat_id)
        assert not await answer(client, ticket)
        dead = await client.post("/api/public/feedback/ticket", json={"token": "nope"})
        assert (dead.status_code, error_code(dead)) == (404, "feedback.chat_not_open")
        bad = await client.post("/api/public/feedback", json={"ticket": ticket, "answer": "<b>"})
        assert bad.status_code == 422 and "<b>" not in bad.text
        assert await stored(rt) == []


async def test_statistics_count_answers_and_hide_small_counts(
    settings_values: dict[str, Any],
) -> None:
    """The coordinator's statistics carry a feedback table: counts per answer, 1-4 as <5."""
    async with running_app(settings_values) as (client, rt):
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL)
        await add_user(rt, "kaisa", Role.COORDINATOR)
        for value in ["yes"] * 5 + ["no"]:
            chat_id, ticket = await chat_with_ticket(rt, client, sanna)
            await rt.chats.responder_ends(responder_id=sanna, chat_id=chat_id)
            assert await answer(client, ticket, value)
        await login(client, "kaisa")
        today = rt.clock.now().astimezone(rt.settings.zone).date()
        span = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
        body = (await client.get("/api/statistics", params=span)).json()
        rows = {r["code"]: r for r in body["feedback"]["rows"]}
        assert rows["yes"]["value"] == 5
        assert (rows["no"]["value"], rows["no"]["display"]) == (None, "<5")
        assert (rows["a_little"]["value"], rows["a_little"]["display"]) == (0, "0")
        assert body["feedback"]["title"].startswith("Auttoiko tämä?")
