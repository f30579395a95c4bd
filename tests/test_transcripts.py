"""A professional rereads an ended chat and deletes it once documented (docs/architecture.md,
"Reading an ended chat"), over HTTP on SQLite + in-process broker and PostgreSQL + Redis: only
the professional who held it, or the backup asked in it, reads it; every read and deletion is
audited; the list ends with the retention window."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from chatsupport.api.runtime import Runtime
from chatsupport.domain.chat import Author, Sender
from chatsupport.domain.clock import FrozenClock
from chatsupport.domain.roles import Role
from chatsupport.domain.rota import ShiftRole
from tests.helpers import add_user, error_code, login, running_app
from tests.rota_helpers import put_on_shift_now

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


async def chat_held_by(rt: Runtime, holder: int, texts: tuple[str, str]) -> str:
    """The youth writes ``texts[0]``, the holder answers ``texts[1]``; the holder ends it."""
    responder = await rt.accounts.get_responder(holder)
    chat, _ = await rt.chats.create_chat(lang="fi")
    await rt.chats.claim(responder=responder, chat_id=chat.id)
    await rt.chats.post(chat_id=chat.id, sender=Sender.YOUTH, client_id="y1", text=texts[0])
    author = Author(responder.id, responder.role.value, responder.display_name)
    await rt.chats.post(
        chat_id=chat.id, sender=Sender.RESPONDER, client_id="r1", text=texts[1], author=author
    )
    return chat.id


async def as_(client: httpx.AsyncClient, login_name: str) -> dict[str, str]:
    return {"X-CSRF-Token": await login(client, login_name)}


async def audit_actions(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    await login(client, "koordi")
    entries = (await client.get("/api/audit")).json()
    return sorted((e["action"], e["target"]) for e in entries if e["action"].startswith("tr"))


async def test_the_holder_and_the_backup_read_and_delete_ended_chats(
    stack_values: dict[str, Any],
) -> None:
    clock = FrozenClock(NOW)
    async with running_app(stack_values, clock=clock) as (client, rt):
        anna = await add_user(rt, "anna", Role.PROFESSIONAL, "Anna")
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
        bert = await add_user(rt, "bert", Role.PROFESSIONAL, "Bert")
        await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
        await add_user(rt, "koordi", Role.COORDINATOR)
        await put_on_shift_now(rt, [anna])
        await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=bert)
        annas = await chat_held_by(rt, anna, ("Kotona riidellään", "Kerro lisää"))
        await rt.chats.responder_ends(responder_id=anna, chat_id=annas)
        ainos = await chat_held_by(rt, aino, ("En uskalla", "Olen tässä"))
        await rt.rota.consoles_seen([bert])  # the backup is there when she asks
        await rt.hub.support.ask(expert=await rt.accounts.get_responder(aino), chat_id=ainos)
        note = "Kysy turvallisuudesta"
        await rt.hub.support.note(
            author=await rt.accounts.get_responder(bert), chat_id=ainos, text=note
        )
        still_open = await chat_held_by(rt, anna, ("Vielä yksi", "Tässä"))
        await rt.chats.responder_ends(responder_id=aino, chat_id=ainos)

        await as_(client, "anna")
        listed = (await client.get("/api/transcripts")).json()
        assert [(c["chat_id"], c["role_in_chat"], c["messages"]) for c in listed] == [
            (annas, "holder", 2)
        ]  # her open chat is not there, nor the expert's
        read = (await client.get(f"/api/transcripts/{annas}")).json()
        assert [m["text"] for m in read["messages"]] == ["Kotona riidellään", "Kerro lisää"]
        assert read["messages"][1]["author"] == {"id": anna, "role": "professional", "name": "Anna"}
        for other in (ainos, still_open, "ab" * 16):
            r = await client.get(f"/api/transcripts/{other}")
            assert (r.status_code, error_code(r)) == (404, "transcript.not_found")

        await as_(client, "bert")
        listed = (await client.get("/api/transcripts")).json()
        assert [(c["chat_id"], c["role_in_chat"]) for c in listed] == [(ainos, "backup")]
        read = (await client.get(f"/api/transcripts/{ainos}")).json()
        assert [m["text"] for m in read["messages"]] == ["En uskalla", "Olen tässä"]
        assert [(n["author"]["name"], n["text"]) for n in read["notes"]] == [("Bert", note)]

        for login_name, code in (("aino", "auth.forbidden"), ("koordi", "auth.forbidden")):
            headers = await as_(client, login_name)
            r = await client.get(f"/api/transcripts/{ainos}")
            assert (r.status_code, error_code(r)) == (403, code)
            r = await client.delete(f"/api/transcripts/{ainos}", headers=headers)
            assert (r.status_code, error_code(r)) == (403, code)
        headers = await as_(client, "pekka")
        assert (await client.get("/api/transcripts")).json() == []
        r = await client.delete(f"/api/transcripts/{annas}", headers=headers)
        assert (r.status_code, error_code(r)) == (404, "transcript.not_found")

        headers = await as_(client, "bert")  # documented: the messages and notes go now
        r = await client.delete(f"/api/transcripts/{ainos}", headers=headers)
        assert r.status_code == 200 and r.json() == {"deleted_messages": 2}
        read = (await client.get(f"/api/transcripts/{ainos}")).json()
        assert (read["chat"]["messages"], read["messages"], read["notes"]) == (0, [], [])

        assert await audit_actions(client) == sorted(
            [
                ("transcript.read", f"chat_id={annas}"),
                ("transcript.read", f"chat_id={ainos}"),
                ("transcript.read", f"chat_id={ainos}"),
                ("transcript.delete", f"chat_id={ainos}"),
            ]
        )  # the chat ids are random: both sides sorted

        clock.advance(days=rt.settings.transcript_retention_days, minutes=1)
        await rt.retention.purge()
        await as_(client, "anna")
        assert (await client.get("/api/transcripts")).json() == []
        r = await client.get(f"/api/transcripts/{annas}")
        assert (r.status_code, error_code(r)) == (404, "transcript.not_found")
