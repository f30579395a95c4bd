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


async def test_who_answered_before_a_transfer_still_reads_it_and_a_silent_chat_says_so(
    stack_values: dict[str, Any],
) -> None:
    """Pekka answered and heard what the youth told, then transferred the chat to Anna, who
    ended it: both may read it (Pekka may have a child-protection report to write; review of
    27 Nov, coordinator finding 5), Pekka's list says he answered before the hand-over, and a
    third professional may not. A chat nobody wrote in lists as having no messages, not as
    deleted (finding 8)."""
    clock = FrozenClock(NOW)
    async with running_app(stack_values, clock=clock) as (client, rt):
        pekka = await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
        anna = await add_user(rt, "anna", Role.PROFESSIONAL, "Anna")
        await add_user(rt, "bert", Role.PROFESSIONAL, "Bert")
        await put_on_shift_now(rt, [pekka, anna])
        told = await chat_held_by(rt, pekka, ("Isä löi", "Kiitos kun kerroit"))
        await rt.rota.consoles_seen([anna])  # an offer goes to someone who is there
        await rt.hub.support.offer(
            holder=await rt.accounts.get_responder(pekka), chat_id=told, to_id=anna
        )
        await rt.hub.support.answer(
            responder=await rt.accounts.get_responder(anna), chat_id=told, accept=True
        )
        await rt.chats.responder_ends(responder_id=anna, chat_id=told)
        silent, _ = await rt.chats.create_chat(lang="fi")
        await rt.chats.claim(responder=await rt.accounts.get_responder(pekka), chat_id=silent.id)
        await rt.chats.responder_ends(responder_id=pekka, chat_id=silent.id)

        await as_(client, "pekka")
        listed = {c["chat_id"]: c for c in (await client.get("/api/transcripts")).json()}
        assert listed[told]["role_in_chat"] == "before"
        assert (listed[told]["messages"], listed[told]["had_messages"]) == (2, True)
        assert (listed[silent.id]["messages"], listed[silent.id]["had_messages"]) == (0, False)
        read = (await client.get(f"/api/transcripts/{told}")).json()
        assert [m["text"] for m in read["messages"]] == ["Isä löi", "Kiitos kun kerroit"]
        await as_(client, "anna")
        assert (await client.get(f"/api/transcripts/{told}")).json()["chat"]["role_in_chat"] == (
            "holder"
        )
        await as_(client, "bert")
        r = await client.get(f"/api/transcripts/{told}")
        assert (r.status_code, error_code(r)) == (404, "transcript.not_found")
