"""The audit trail: every staff action that changes something (and every export and
transcript read) leaves exactly one entry, with ids and codes only, never text or a
second-factor code."""

from __future__ import annotations

from typing import Any

import httpx
import pyotp
from sqlalchemy import select

from chatsupport.domain.audit import AUDITED_ROUTES
from chatsupport.domain.roles import Role
from chatsupport.domain.rota import ShiftRole
from chatsupport.storage.tables import AuditRow
from tests.helpers import add_user, error_code, login, running_app
from tests.live import live_server, responder, youth
from tests.rota_helpers import put_on_shift_now
from tests.test_support_hub import open_and_claim

SECRET = "CANARY-salainen-teksti-9137"
WEEKLY = {"role": "professional", "weekday": 1, "starts": "15:00", "ends": "19:00"}


async def entries(rt: Any) -> list[AuditRow]:
    async with rt.db.read() as s:
        return list(await s.scalars(select(AuditRow).order_by(AuditRow.id)))


async def test_each_staff_action_leaves_exactly_one_entry(settings_values: dict[str, Any]) -> None:
    """Accounts (two-factor enrol, disable, reset too), rota, texts, taxonomy, canned replies
    and exports: one entry each, no text;
    refused requests and reads leave none; only coordinators read the trail."""
    async with running_app(settings_values) as (client, rt):
        koordi = await add_user(rt, "koordi", Role.COORDINATOR)
        anna = await add_user(rt, "anna", Role.PROFESSIONAL)
        csrf = {"X-CSRF-Token": await login(client, "koordi")}
        seen: list[str] = []

        async def act(method: str, url: str, action: str, **kw: Any) -> httpx.Response:
            response = await client.request(method, url, headers=csrf, **kw)
            assert response.status_code < 400, response.text
            new = (await entries(rt))[len(seen) :]
            assert [e.action for e in new] == [action], (url, [e.action for e in new])
            assert new[0].actor_id == koordi and new[0].actor_role == "coordinator"
            seen.append(action)
            return response

        user = await act(
            "POST",
            "/api/responders",
            "account.create",
            json={
                "login_name": "eeva",
                "display_name": SECRET,
                "role": "professional",
                "password": "correct horse battery staple",
            },
        )
        uid = user.json()["id"]
        await act("PATCH", f"/api/responders/{uid}", "account.update", json={"display_name": "E"})
        await act(
            "POST",
            f"/api/responders/{uid}/password",
            "account.password_reset",
            json={"password": "another horse battery staple"},
        )
        begun = await client.post("/api/auth/two-factor/begin", headers=csrf)
        assert len(await entries(rt)) == len(seen)  # a pending enrolment changes nothing yet
        first_code = pyotp.TOTP(begun.json()["secret"]).now()
        confirmed = await act(
            "POST",
            "/api/auth/two-factor/confirm",
            "account.two_factor_enrol",
            json={"code": first_code},
        )
        recovery = confirmed.json()["recovery_codes"]
        await act(
            "DELETE",
            "/api/auth/two-factor",
            "account.two_factor_disable",
            json={"code": recovery[0]},
        )
        await act("POST", f"/api/responders/{uid}/two-factor/reset", "account.two_factor_reset")
        shift = await act(
            "POST",
            "/api/rota/shifts",
            "rota.shift_create",
            json={**WEEKLY, "responder_ids": [anna]},
        )
        sid = shift.json()["id"]
        await act(
            "PUT",
            f"/api/rota/shifts/{sid}",
            "rota.shift_update",
            json={**WEEKLY, "ends": "20:00", "responder_ids": [anna]},
        )
        await act("DELETE", f"/api/rota/shifts/{sid}", "rota.shift_delete")
        closure = await act(
            "POST",
            "/api/rota/closures",
            "rota.closure_create",
            json={"date": "2026-12-24", "note": SECRET},
        )
        cid = closure.json()["id"]
        await act(
            "PUT", f"/api/rota/closures/{cid}", "rota.closure_update", json={"date": "2026-12-25"}
        )
        await act("DELETE", f"/api/rota/closures/{cid}", "rota.closure_delete")
        await act(
            "PUT",
            "/api/rota/texts/sv",
            "texts.update",
            json={
                "opening": SECRET,
                "closed": "Stängt",
                "emergency": "112",
                "accessibility": SECRET,
            },
        )
        await act("DELETE", "/api/rota/texts/sv", "texts.reset")
        labels = {"fi": "Pelaaminen", "sv": "Spel", "en": "Gaming"}
        await act(
            "POST",
            "/api/diary/taxonomy/concern",
            "taxonomy.add",
            json={"code": "GAMING", "labels": labels},
        )
        await act(
            "PATCH", "/api/diary/taxonomy/concern/GAMING", "taxonomy.update", json={"retired": True}
        )
        reply = await act(
            "POST",
            "/api/canned",
            "canned.create",
            json={"lang": "fi", "title": "Tervetuloa", "text": SECRET},
        )
        rid = reply.json()["id"]
        await act(
            "PUT",
            f"/api/canned/{rid}",
            "canned.update",
            json={"lang": "fi", "title": "Hei", "text": "Hei!"},
        )
        await act("DELETE", f"/api/canned/{rid}", "canned.delete")
        await act(
            "GET",
            "/api/statistics/export",
            "statistics.export",
            params={"start": "2026-01-01", "end": "2026-12-31", "format": "csv"},
        )

        # every audited route was exercised above, but the professional's transcript reads
        # and deletions (a coordinator may not: tests/test_transcripts.py audits those)
        http_actions = set(AUDITED_ROUTES.values()) - {"transcript.read", "transcript.delete"}
        assert set(seen) == http_actions

        unknown = {**WEEKLY, "responder_ids": [999]}
        refused = await client.post("/api/rota/shifts", headers=csrf, json=unknown)
        assert refused.status_code >= 400
        await client.get("/api/responders")
        assert len(await entries(rt)) == len(seen)  # refusals and reads leave nothing

        trail = (await client.get("/api/audit")).json()
        assert [e["action"] for e in trail] == list(reversed(seen))
        assert all(SECRET not in str(e) for e in trail)
        assert all(c not in str(trail) for c in [first_code, *recovery])  # no codes either
        targets = {e["action"]: e["target"] for e in reversed(trail)}  # the first of each
        assert targets["account.create"] == f"responder_id={uid},role=professional"
        assert targets["account.update"] == f"display_name=changed,responder_id={uid}"
        assert targets["rota.shift_create"] == f"shift_id={sid}"
        assert targets["rota.closure_create"] == f"closure_id={cid}"
        # the page sends the name and the role with every save: only what differs is named
        same = {"display_name": "E", "role": "professional", "languages": ["sv", "fi"]}
        await client.patch(f"/api/responders/{uid}", headers=csrf, json=same)
        latest = (await client.get("/api/audit")).json()[0]
        assert latest["target"] == f"languages=fi+sv,responder_id={uid}"
        await client.patch(f"/api/responders/{uid}", headers=csrf, json={"active": False})
        latest = (await client.get("/api/audit")).json()[0]
        assert latest["target"] == f"active=false,responder_id={uid}"

        await login(client, "anna")
        assert error_code(await client.get("/api/audit")) == "auth.forbidden"


async def test_a_backup_reading_a_chat_is_audited(stack_values: dict[str, Any]) -> None:
    """Opening an expert's chat to read it (the transcript) is one entry for the backup."""
    async with live_server(stack_values) as server:
        rt = server.runtime
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
        await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
        async with (
            responder(server, "sanna") as backup,
            responder(server, "aino") as expert,
            youth(server) as y,
        ):
            rt.hub.invalidate_on_duty()
            chat_id, _ = await open_and_claim(y, expert, text=SECRET)
            await expert.send(type="support", chat_id=chat_id)
            await backup.expect("support_alert", chat_id=chat_id)
            await backup.send(type="watch", chat_id=chat_id)
            await backup.expect("watching", chat_id=chat_id)
        (entry,) = await entries(rt)
        assert (entry.action, entry.actor_id, entry.target) == (
            "transcript.read",
            sanna,
            f"chat_id={chat_id}",
        )
