"""The contact diary over the real HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import delete, func, select

from chatsupport.api.runtime import Runtime
from chatsupport.domain.chat import Sender
from chatsupport.domain.roles import Role
from chatsupport.storage.tables import ChatRow, DiaryPendingRow, DiaryRecordRow
from tests.helpers import add_user, error_code, login, running_app
from tests.test_diary_rules import BROKEN, valid_form


async def ended_chat(rt: Runtime, responder_id: int, *, messages: bool = True) -> str:
    """A chat claimed by the responder, with a youth message (or none), then ended."""
    chat, _ = await rt.chats.create_chat(lang="sv")
    responder = await rt.accounts.get_responder(responder_id)
    await rt.chats.claim(responder=responder, chat_id=chat.id)
    if messages:
        await rt.chats.post(chat_id=chat.id, sender=Sender.YOUTH, client_id="c1", text="hei")
    await rt.chats.responder_ends(responder_id=responder_id, chat_id=chat.id)
    return chat.id


async def file(client: httpx.AsyncClient, csrf: str, chat_id: str, body: Any) -> httpx.Response:
    return await client.post(
        f"/api/diary/records/{chat_id}", json=body, headers={"X-CSRF-Token": csrf}
    )


async def records(rt: Runtime) -> list[DiaryRecordRow]:
    async with rt.db.read() as s:
        return list(await s.scalars(select(DiaryRecordRow).order_by(DiaryRecordRow.id)))


async def test_every_rule_is_refused_with_its_code_and_nothing_stored(
    settings_values: dict[str, Any],
) -> None:
    """Each broken rule answers 422 with its code and leaves the record unfiled; then a valid
    form is filed once and a second filing is refused."""
    async with running_app(settings_values) as (client, rt):
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL)
        csrf = await login(client, "sanna")
        chat_id = await ended_chat(rt, sanna)
        for what, body, code in BROKEN:
            response = await file(client, csrf, chat_id, body)
            assert (response.status_code, error_code(response)) == (422, code), what
        not_object = await file(client, csrf, chat_id, ["COUNSELLING"])
        assert not_object.status_code == 422
        (record,) = await records(rt)
        assert not record.filed and record.contact_type is None
        ok = await file(client, csrf, chat_id, valid_form())
        assert ok.status_code == 201, ok.text
        again = await file(client, csrf, chat_id, valid_form())
        assert (again.status_code, error_code(again)) == (409, "diary.already_filed")
        (record,) = await records(rt)
        assert record.filed and record.contact_type == "COUNSELLING"
        assert record.concerns == [
            {"code": "MOOD", "primary": True},
            {"code": "SCHOOL", "primary": False},
        ]
        assert (record.lang, record.responder_role, record.origin) == (
            "sv",
            "professional",
            "answered",
        )


async def test_only_the_chats_responder_files_and_only_ended_answered_chats(
    settings_values: dict[str, Any],
) -> None:
    """Someone else's chat, an unknown chat, an open chat and missed or silent contacts are
    refused with their own codes."""
    async with running_app(settings_values) as (client, rt):
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL)
        eero = await add_user(rt, "eero", Role.EXPERIENCE_EXPERT)
        theirs = await ended_chat(rt, sanna)
        silent = await ended_chat(rt, eero, messages=False)
        missed, _ = await rt.chats.create_chat(lang="fi")
        await rt.chats.youth_leaves(missed.id)
        open_chat, _ = await rt.chats.create_chat(lang="fi")
        await rt.chats.claim(responder=await rt.accounts.get_responder(eero), chat_id=open_chat.id)
        csrf = await login(client, "eero")
        expected = [
            (theirs, 403, "diary.not_your_chat"),
            ("0" * 32, 404, "diary.chat_not_found"),
            (open_chat.id, 409, "diary.chat_open"),
            (silent, 409, "diary.no_form"),
            (missed.id, 403, "diary.not_your_chat"),
        ]
        for chat_id, status, code in expected:
            response = await file(client, csrf, chat_id, valid_form())
            assert (response.status_code, error_code(response)) == (status, code), chat_id
        stored = await records(rt)
        assert sorted(r.origin for r in stored) == ["answered", "missed", "no_messages"]
        assert [r.contact_type for r in stored if r.origin == "no_messages"] == ["SILENT"]
        assert not any(r.filed for r in stored)


async def test_pending_records_remind_their_responder_and_are_counted_for_the_coordinator(
    settings_values: dict[str, Any],
) -> None:
    """A responder sees only their own pending records; the coordinator sees the count;
    filing removes the link to the chat, and purging a chat removes it too."""
    async with running_app(settings_values) as (client, rt):
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL)
        eero = await add_user(rt, "eero", Role.EXPERIENCE_EXPERT)
        await add_user(rt, "kirsi", Role.COORDINATOR)
        mine = [await ended_chat(rt, sanna), await ended_chat(rt, sanna)]
        purged = await ended_chat(rt, eero)
        csrf = await login(client, "sanna")
        pending = (await client.get("/api/diary/pending")).json()
        assert pending["count"] == 2 and {p["chat_id"] for p in pending["pending"]} == set(mine)
        forbidden = await client.get("/api/diary/pending/count")
        assert (forbidden.status_code, error_code(forbidden)) == (403, "auth.forbidden")
        assert (await file(client, csrf, mine[0], valid_form())).status_code == 201
        async with rt.db.write() as s:  # the transcript purge deletes the chat
            await s.execute(delete(ChatRow).where(ChatRow.id == purged))
        await login(client, "kirsi")
        assert (await client.get("/api/diary/pending/count")).json() == {"count": 1}
        async with rt.db.read() as s:
            links = list(await s.scalars(select(DiaryPendingRow.chat_id)))
            total = await s.scalar(select(func.count()).select_from(DiaryRecordRow))
        assert links == [mine[1]] and total == 3  # the purged chat's record stays, unlinked
        assert "chat" not in " ".join(DiaryRecordRow.__table__.columns.keys())


async def test_coordinator_manages_the_taxonomy_and_retired_codes_are_refused(
    settings_values: dict[str, Any],
) -> None:
    """Add, rename and retire codes; responders may read but not change; a retired code is
    refused in new records."""
    async with running_app(settings_values) as (client, rt):
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL)
        await add_user(rt, "kirsi", Role.COORDINATOR)
        csrf = await login(client, "kirsi")
        headers = {"X-CSRF-Token": csrf}
        added = await client.post(
            "/api/diary/taxonomy/referral",
            json={"code": "YOUTH_WORK", "labels": {"fi": "Nuorisotyö", "en": "Youth work"}},
            headers=headers,
        )
        assert added.status_code == 201, added.text
        renamed = await client.patch(
            "/api/diary/taxonomy/concern/MOOD", json={"labels": {"fi": "Mieliala"}}, headers=headers
        )
        assert renamed.json()["labels"] == {"fi": "Mieliala"}
        retired = await client.patch(
            "/api/diary/taxonomy/concern/SCHOOL", json={"retired": True}, headers=headers
        )
        assert retired.json()["retired"] is True
        for url, body, status, code in [
            (
                "/api/diary/taxonomy/referral",
                {"code": "YOUTH_WORK", "labels": {"fi": "x"}},
                409,
                "taxonomy.code_exists",
            ),
            (
                "/api/diary/taxonomy/concern_level",
                {"code": "4", "labels": {"fi": "x"}},
                409,
                "taxonomy.fixed",
            ),
            (
                "/api/diary/taxonomy/referral",
                {"code": "x y", "labels": {"fi": "x"}},
                422,
                "taxonomy.bad_code",
            ),
            (
                "/api/diary/taxonomy/referral",
                {"code": "NEW", "labels": {"en": "x"}},
                422,
                "taxonomy.bad_label",
            ),
        ]:
            response = await client.post(url, json=body, headers=headers)
            assert (response.status_code, error_code(response)) == (status, code), body
        csrf = await login(client, "sanna")
        terms = (await client.get("/api/diary/taxonomy")).json()
        assert {"dimension": "concern", "code": "SCHOOL", "retired": True}.items() <= next(
            t for t in terms if t["code"] == "SCHOOL"
        ).items()
        refused = await client.patch(
            "/api/diary/taxonomy/concern/MOOD",
            json={"retired": True},
            headers={"X-CSRF-Token": csrf},
        )
        assert refused.status_code == 403
        chat_id = await ended_chat(rt, sanna)
        response = await file(client, csrf, chat_id, valid_form())
        assert (response.status_code, error_code(response)) == (422, "diary.retired_code")
        body = valid_form(
            referrals=[{"code": "YOUTH_WORK", "how": "ENCOURAGED"}],
            concerns=[{"code": "MOOD", "primary": True}],
        )
        assert (await file(client, csrf, chat_id, body)).status_code == 201
