"""Canned replies over the real HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from chatsupport.domain.roles import Role
from tests.helpers import add_user, error_code, login, running_app

REPLY = {"lang": "fi", "title": "Tervehdys", "text": "Hei! Kiva, että kirjoitit.", "position": 1}


async def test_coordinator_manages_and_responders_list_by_language(
    settings_values: dict[str, Any],
) -> None:
    """The coordinator creates, replaces and deletes; a responder lists one language's
    replies in picker order and may not change them."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "kaisa", Role.COORDINATOR)
        await add_user(rt, "sanna", Role.PROFESSIONAL)
        csrf = {"X-CSRF-Token": await login(client, "kaisa")}
        first = await client.post("/api/canned", json=REPLY, headers=csrf)
        assert first.status_code == 201, first.text
        second = {**REPLY, "title": "Aluksi", "position": 0}
        assert (await client.post("/api/canned", json=second, headers=csrf)).status_code == 201
        swedish = {**REPLY, "lang": "sv", "title": "Hälsning", "text": "Hej!"}
        assert (await client.post("/api/canned", json=swedish, headers=csrf)).status_code == 201
        reply_id = first.json()["id"]
        changed = {**REPLY, "text": "Hei! Mukava, että kirjoitit."}
        put = await client.put(f"/api/canned/{reply_id}", json=changed, headers=csrf)
        assert put.json()["text"] == changed["text"]

        await client.post("/api/auth/logout", headers=csrf)
        staff_csrf = {"X-CSRF-Token": await login(client, "sanna")}
        listed = (await client.get("/api/canned", params={"lang": "fi"})).json()
        assert [r["title"] for r in listed] == ["Aluksi", "Tervehdys"]
        assert listed[1]["text"] == changed["text"]
        assert len((await client.get("/api/canned")).json()) == 3
        refused = await client.post("/api/canned", json=REPLY, headers=staff_csrf)
        assert (refused.status_code, error_code(refused)) == (403, "auth.forbidden")

        await client.post("/api/auth/logout", headers=staff_csrf)
        csrf = {"X-CSRF-Token": await login(client, "kaisa")}
        assert (await client.delete(f"/api/canned/{reply_id}", headers=csrf)).status_code == 204
        gone = await client.delete(f"/api/canned/{reply_id}", headers=csrf)
        assert (gone.status_code, error_code(gone)) == (404, "canned.not_found")
        missing = await client.put("/api/canned/999", json=REPLY, headers=csrf)
        assert (missing.status_code, error_code(missing)) == (404, "canned.not_found")


async def test_bad_replies_are_refused_without_echo(settings_values: dict[str, Any]) -> None:
    """Unknown language, blank or too long text, unknown fields: 422, input never echoed;
    no session: 401; no CSRF header: 403."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "kaisa", Role.COORDINATOR)
        assert (await client.get("/api/canned")).status_code == 401
        csrf = {"X-CSRF-Token": await login(client, "kaisa")}
        bad = [
            {**REPLY, "lang": "de"},
            {**REPLY, "text": "   "},
            {**REPLY, "title": ""},
            {**REPLY, "text": "x" * 2001},
            {**REPLY, "secret_field_zz": 1},
        ]
        for body in bad:
            response = await client.post("/api/canned", json=body, headers=csrf)
            assert response.status_code == 422, body
            assert "secret_field_zz" not in response.text and "xxxx" not in response.text
        no_csrf = await client.post("/api/canned", json=REPLY)
        assert (no_csrf.status_code, error_code(no_csrf)) == (403, "auth.csrf_failed")
        assert (await client.get("/api/canned")).json() == []
