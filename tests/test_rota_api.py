"""The rota over HTTP on SQLite and PostgreSQL: coordinator edits, validation codes, the
public opening hours in fi/sv/en, and the youth texts. The clock is frozen on Monday
2026-11-23 15:00 in Helsinki (UTC+2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import update

from chatsupport.domain.clock import FrozenClock
from chatsupport.domain.roles import Role
from chatsupport.domain.youth_texts import DEFAULT_TEXTS, YouthTexts
from chatsupport.storage.tables import YouthTextRow
from tests.helpers import add_user, error_code, login, running_app

HKI = ZoneInfo("Europe/Helsinki")
MONDAY_15 = datetime(2026, 11, 23, 15, 0, tzinfo=HKI)


def weekly(
    who: list[int], starts: str = "14:00", ends: str = "16:00", **extra: Any
) -> dict[str, Any]:
    return {
        "role": "professional",
        "weekday": 0,
        "starts": starts,
        "ends": ends,
        "responder_ids": who,
        **extra,
    }


class Coordinator:
    """An HTTP client logged in as a coordinator, sending the CSRF header."""

    def __init__(self, client: httpx.AsyncClient, csrf: str) -> None:
        self.client = client
        self.headers = {"X-CSRF-Token": csrf}

    async def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(path, json=body, headers=self.headers)

    async def put(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.put(path, json=body, headers=self.headers)

    async def delete(self, path: str) -> httpx.Response:
        return await self.client.delete(path, headers=self.headers)

    async def patch(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.patch(path, json=body, headers=self.headers)


async def setup(client: httpx.AsyncClient, rt: Any) -> tuple[Coordinator, dict[str, int]]:
    people = {
        "sanna": await add_user(rt, "sanna", Role.PROFESSIONAL),
        "pekka": await add_user(rt, "pekka", Role.PROFESSIONAL),
        "aino": await add_user(rt, "aino", Role.EXPERIENCE_EXPERT),
    }
    await add_user(rt, "koordi", Role.COORDINATOR)
    return Coordinator(client, await login(client, "koordi")), people


async def public(client: httpx.AsyncClient, lang: str = "fi") -> dict[str, Any]:
    response = await client.get("/api/public/opening", params={"lang": lang})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_coordinator_edits_shifts_and_public_opening_follows(
    settings_values: dict[str, Any],
) -> None:
    """Create, list, edit and delete a weekly shift; the public answer follows each change."""
    async with running_app(settings_values, clock=FrozenClock(MONDAY_15)) as (client, rt):
        coord, people = await setup(client, rt)
        closed = await public(client)
        assert closed["open"] is False and closed["next_opens_at"] is None
        assert closed["languages_now"] == []
        created = await coord.post("/api/rota/shifts", weekly([people["sanna"]]))
        assert created.status_code == 201, created.text
        shift = created.json()
        assert shift["starts"] == "14:00:00" and shift["responder_ids"] == [people["sanna"]]

        opened = await public(client)
        assert opened["open"] is True and opened["accepts_new_chats"] is True
        assert opened["closes_at"] == "2026-11-23T16:00:00+02:00"
        assert opened["new_chats_until"] == "2026-11-23T15:45:00+02:00"
        assert opened["next_opens_at"] == "2026-11-30T14:00:00+02:00"
        assert opened["today"] == [
            {"opens": "2026-11-23T14:00:00+02:00", "closes": "2026-11-23T16:00:00+02:00"}
        ]
        assert opened["answered_by"] == ["professional"]
        assert opened["time_zone"] == "Europe/Helsinki"
        assert opened["languages_now"] == ["fi"]  # Sanna answers in Finnish (the default)
        swedish = {"languages": ["sv", "fi"]}
        assert (await coord.patch(f"/api/responders/{people['sanna']}", swedish)).status_code == 200
        assert (await public(client, "sv"))["languages_now"] == ["fi", "sv"]

        listing = (await client.get("/api/rota")).json()
        assert [s["id"] for s in listing["shifts"]] == [shift["id"]]
        assert listing["open_now"] is True and listing["on_duty"] == [people["sanna"]]
        assert listing["accepts_new_chats"] is True

        edited = await coord.put(
            f"/api/rota/shifts/{shift['id']}", weekly([people["sanna"]], "10:00", "12:00")
        )
        assert edited.status_code == 200, edited.text
        later = await public(client)
        assert later["open"] is False and later["next_opens_at"] == "2026-11-30T10:00:00+02:00"

        assert (await coord.delete(f"/api/rota/shifts/{shift['id']}")).status_code == 204
        assert (await client.get("/api/rota")).json()["shifts"] == []


async def test_public_opening_answers_in_three_languages(settings_values: dict[str, Any]) -> None:
    """fi, sv and en each get their own texts; another language is refused."""
    async with running_app(settings_values, clock=FrozenClock(MONDAY_15)) as (client, _):
        for lang in ("fi", "sv", "en"):
            body = await public(client, lang)
            assert body["lang"] == lang
            assert body["texts"]["closed"] == DEFAULT_TEXTS[lang].closed  # type: ignore[index]
            assert "112" in body["texts"]["emergency"]
        refused = await client.get("/api/public/opening", params={"lang": "de"})
        assert refused.status_code == 422


async def test_coordinator_changes_and_resets_texts(settings_values: dict[str, Any]) -> None:
    """A changed Swedish text is shown to youth in Swedish only; reset brings the draft back."""
    async with running_app(settings_values) as (client, rt):
        coord, _ = await setup(client, rt)
        feedback = "Respons: tillganglighet@example.fi. Utlåtandet är gjort 27.11.2026."
        opening = {"opening": "Hej!", "closed": "Stängt nu.", "emergency": "Ring 112."}
        texts = {**opening, "accessibility": feedback}
        saved = await coord.put("/api/rota/texts/sv", texts)
        assert saved.status_code == 200 and saved.json() == texts
        assert (await public(client, "sv"))["texts"] == opening  # the statement is not polled
        assert (await about(client, "sv"))["accessibility"] == feedback
        assert (await public(client, "fi"))["texts"]["opening"] == DEFAULT_TEXTS["fi"].opening
        assert (await about(client, "fi"))["accessibility"] == DEFAULT_TEXTS["fi"].accessibility
        assert (await client.get("/api/rota/texts/sv")).json() == texts
        reset = await coord.delete("/api/rota/texts/sv")
        assert reset.json()["opening"] == DEFAULT_TEXTS["sv"].opening
        assert (await about(client, "sv"))["accessibility"] == DEFAULT_TEXTS["sv"].accessibility
        for empty in ({**texts, "opening": ""}, {**texts, "accessibility": " "}, opening):
            assert (await coord.put("/api/rota/texts/en", empty)).status_code == 422


async def test_texts_saved_before_the_statement_existed_keep_its_draft(
    settings_values: dict[str, Any],
) -> None:
    """A row from before migration 0011 (no accessibility text) shows the coordinator's other
    texts and the built-in statement draft."""
    async with running_app(settings_values) as (client, rt):
        saved = YouthTexts(opening="Moi!", closed="Kiinni.", emergency="112", accessibility="x")
        await rt.rota.set_texts("fi", saved)
        async with rt.db.write() as session:
            await session.execute(update(YouthTextRow).values(accessibility=None))
        assert (await rt.rota.texts("fi")).opening == "Moi!"
        assert (await about(client, "fi"))["accessibility"] == DEFAULT_TEXTS["fi"].accessibility


async def about(client: httpx.AsyncClient, lang: str) -> dict[str, Any]:
    answer = await client.get("/api/public/about", params={"lang": lang})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_about_tells_the_retention_the_service_runs_with(
    settings_values: dict[str, Any],
) -> None:
    """What the youth is told is kept, and for how long, is read from the running settings."""
    values = {**settings_values, "transcript_retention_days": 7, "diary_retention_months": 12}
    async with running_app(values) as (client, _):
        for lang in ("fi", "sv", "en"):
            body = await about(client, lang)
            assert body == {
                "lang": lang,
                "transcript_retention_days": 7,
                "diary_retention_months": 12,
                "accessibility": DEFAULT_TEXTS[lang].accessibility,  # type: ignore[index]
            }
        refused = await client.get("/api/public/about", params={"lang": "de"})
        assert refused.status_code == 422 and error_code(refused) == "request.invalid"


async def test_closures_close_the_service(settings_values: dict[str, Any]) -> None:
    """A whole-day closure closes today; closed hours close part of the shift; deletable."""
    async with running_app(settings_values, clock=FrozenClock(MONDAY_15)) as (client, rt):
        coord, people = await setup(client, rt)
        await coord.post("/api/rota/shifts", weekly([people["sanna"]]))
        holiday = await coord.post("/api/rota/closures", {"date": "2026-11-23", "note": "holiday"})
        assert holiday.status_code == 201, holiday.text
        body = await public(client)
        assert body["open"] is False and body["today"] == []
        assert body["next_opens_at"] == "2026-11-30T14:00:00+02:00"
        hours = await coord.put(
            f"/api/rota/closures/{holiday.json()['id']}",
            {"date": "2026-11-23", "starts": "14:00", "ends": "15:30"},
        )
        assert hours.status_code == 200, hours.text
        assert (await public(client))["next_opens_at"] == "2026-11-23T15:30:00+02:00"
        assert (await coord.delete(f"/api/rota/closures/{holiday.json()['id']}")).status_code == 204
        assert (await public(client))["open"] is True
        twice = {"date": "2026-12-24", "note": "again"}
        first = await coord.post("/api/rota/closures", twice)
        again = await coord.post("/api/rota/closures", twice)  # the same day, a second time
        assert (again.status_code, error_code(again)) == (409, "rota.closure_exists")
        assert (await coord.delete(f"/api/rota/closures/{first.json()['id']}")).status_code == 204
        missing = await coord.delete("/api/rota/closures/999")
        assert missing.status_code == 404 and error_code(missing) == "rota.closure_not_found"


async def test_new_chats_stop_before_closing(settings_values: dict[str, Any]) -> None:
    """In the last CHATSUPPORT_INTAKE_CUTOFF_MINS the service is open but takes no new chats."""
    settings_values["intake_cutoff_mins"] = 20
    clock = FrozenClock(datetime(2026, 11, 23, 15, 40, tzinfo=HKI))
    async with running_app(settings_values, clock=clock) as (client, rt):
        coord, people = await setup(client, rt)
        await coord.post("/api/rota/shifts", weekly([people["sanna"]]))
        body = await public(client)
        assert body["open"] is True and body["accepts_new_chats"] is False
        assert body["new_chats_until"] == "2026-11-23T15:40:00+02:00"
        listing = (await client.get("/api/rota")).json()  # the rota page says the same
        assert (listing["open_now"], listing["accepts_new_chats"]) == (True, False)


async def test_closed_hours_to_midnight_and_no_promise_of_a_too_short_opening(
    settings_values: dict[str, Any],
) -> None:
    """Friday 27.11 (16:00-24:00 shift; Monday 14-16 too): "closed 18:00-00:00" is accepted
    and closes the rest of the day, 22:00 included. The old workaround 18:00-23:59 leaves a
    one-minute opening inside the 15-minute intake cut-off: it is not promised, Monday is."""
    clock = FrozenClock(datetime(2026, 11, 27, 17, 0, tzinfo=HKI))
    async with running_app(settings_values, clock=clock) as (client, rt):
        coord, p = await setup(client, rt)
        friday = weekly([p["sanna"]], "16:00", "00:00", weekday=4, ends_next_day=True)
        assert (await coord.post("/api/rota/shifts", friday)).status_code == 201
        assert (await coord.post("/api/rota/shifts", weekly([p["pekka"]]))).status_code == 201
        evening = {"date": "2026-11-27", "starts": "18:00", "ends": "00:00"}
        closed = await coord.post("/api/rota/closures", evening)
        assert closed.status_code == 201, closed.text
        assert closed.json()["ends"] == "00:00:00"
        body = await public(client)
        assert body["open"] is True and body["closes_at"] == "2026-11-27T18:00:00+02:00"
        until_six = [{"opens": "2026-11-27T16:00:00+02:00", "closes": "2026-11-27T18:00:00+02:00"}]
        assert body["today"] == until_six
        assert body["next_opens_at"] == "2026-11-30T14:00:00+02:00"
        clock.advance(hours=5)  # 22:00
        assert (await public(client))["open"] is False

        workaround = await coord.put(
            f"/api/rota/closures/{closed.json()['id']}", {**evening, "ends": "23:59"}
        )
        assert workaround.status_code == 200, workaround.text
        body = await public(client)
        assert body["open"] is False and body["today"] == until_six  # not 23:59-00:00
        assert body["next_opens_at"] == "2026-11-30T14:00:00+02:00"


async def test_invalid_shifts_are_refused_with_stable_codes(
    settings_values: dict[str, Any],
) -> None:
    """Each rota rule has its own code; nothing invalid is stored."""
    async with running_app(settings_values) as (client, rt):
        coord, p = await setup(client, rt)
        sanna, pekka, aino = p["sanna"], p["pekka"], p["aino"]
        assert (await coord.post("/api/rota/shifts", weekly([sanna]))).status_code == 201
        expert = {"role": "experience_expert", "responder_ids": [aino]}
        cases: list[tuple[dict[str, Any], int, str]] = [
            (weekly([sanna], "16:00", "14:00"), 422, "rota.end_before_start"),
            (weekly([999]), 422, "rota.unknown_responder"),
            (weekly([aino]), 422, "rota.role_mismatch"),
            (weekly([sanna], "15:00", "17:00"), 409, "rota.overlap"),
            ({**weekly([]), **expert}, 422, "rota.backup_required"),
            ({**weekly([]), **expert, "backup_id": aino}, 422, "rota.backup_not_professional"),
            ({**weekly([]), **expert, "backup_id": 999}, 422, "rota.unknown_responder"),
            (
                {
                    **weekly([pekka]),
                    "weekday": None,
                    "date": "2026-03-29",
                    "starts": "03:30",
                    "ends": "05:00",
                },
                422,
                "rota.nonexistent_time",
            ),
            ({**weekly([pekka]), "date": "2026-03-30"}, 422, "rota.weekday_or_date"),
            (weekly([pekka], weekday=9), 422, "request.invalid"),
            (weekly([pekka], starts="14:00+02:00"), 422, "request.invalid"),
        ]
        for body, status, code in cases:
            response = await coord.post("/api/rota/shifts", body)
            assert (response.status_code, error_code(response)) == (status, code), body
            assert "message" in response.json()["error"]
        await coord.client.patch(
            f"/api/responders/{pekka}", json={"active": False}, headers=coord.headers
        )
        inactive = await coord.post("/api/rota/shifts", weekly([pekka], "18:00", "20:00"))
        assert error_code(inactive) == "rota.inactive_responder"
        missing = await coord.put("/api/rota/shifts/999", weekly([sanna], "18:00", "20:00"))
        assert missing.status_code == 404 and error_code(missing) == "rota.shift_not_found"
        assert len((await client.get("/api/rota")).json()["shifts"]) == 1


async def test_a_dated_shift_that_is_over_blocks_no_weekly_shift(
    settings_values: dict[str, Any],
) -> None:
    """Friday 2026-11-27: last Wednesday's extra shift is over, so a weekly Wednesday shift at
    the same hours is planned (and a past extra shift does not clash with it either); next
    Wednesday's is refused with rota.overlap naming that shift, in words and as ``conflict``."""
    friday = FrozenClock(datetime(2026, 11, 27, 12, 0, tzinfo=HKI))
    async with running_app(settings_values, clock=friday) as (client, rt):
        coord, p = await setup(client, rt)
        sanna = p["sanna"]
        wednesday = {"weekday": None, "date": "2026-11-25", "starts": "10:00", "ends": "12:00"}
        past = await coord.post("/api/rota/shifts", {**weekly([sanna]), **wednesday})
        assert past.status_code == 201, past.text
        weekly_wednesday = weekly([sanna], "10:00", "12:00", weekday=2)
        planned = await coord.post("/api/rota/shifts", weekly_wednesday)
        assert planned.status_code == 201, planned.text
        earlier = {**wednesday, "date": "2026-11-18"}
        assert (
            await coord.post("/api/rota/shifts", {**weekly([sanna]), **earlier})
        ).status_code == 201

        coming = {**weekly([sanna]), **wednesday, "date": "2026-12-02", "starts": "11:00"}
        refused = await coord.post("/api/rota/shifts", {**coming, "ends": "13:00"})
        assert refused.status_code == 409 and error_code(refused) == "rota.overlap"
        error = refused.json()["error"]
        shift_id = planned.json()["id"]
        assert f"shift {shift_id} (every Wed 10:00-12:00)" in error["message"]
        assert error["conflict"] == {
            "shift_id": shift_id,
            "responder_id": sanna,
            "role": "professional",
            "weekday": 2,
            "date": None,
            "starts": "10:00",
            "ends": "12:00",
            "ends_next_day": False,
        }
        assert len((await client.get("/api/rota")).json()["shifts"]) == 3


async def test_expert_shift_with_backup_and_deactivation(settings_values: dict[str, Any]) -> None:
    """An expert shift needs its backup connected; a deactivated responder leaves duty."""
    async with running_app(settings_values, clock=FrozenClock(MONDAY_15)) as (client, rt):
        coord, p = await setup(client, rt)
        body = {**weekly([p["aino"]]), "role": "experience_expert", "backup_id": p["sanna"]}
        assert (await coord.post("/api/rota/shifts", body)).status_code == 201
        assert (await public(client))["open"] is False  # the backup is not connected
        await rt.rota.consoles_seen([p["sanna"]])
        await rt.rota.consoles_seen([p["sanna"], p["aino"]])  # an upsert: seen again is fine
        now = await public(client)
        assert now["open"] is True and now["answered_by"] == ["experience_expert"]
        assert (await client.get("/api/rota")).json()["on_duty"] == [p["aino"]]
        await coord.client.patch(
            f"/api/responders/{p['sanna']}", json={"active": False}, headers=coord.headers
        )
        assert (await public(client))["open"] is False  # a deactivated backup is no backup


async def test_a_shift_whose_responders_are_all_deactivated_closes_the_chat(
    settings_values: dict[str, Any],
) -> None:
    """Nobody left who can answer: the youth page says closed and names the next shift that
    has someone on it, not the emptied one."""
    async with running_app(settings_values, clock=FrozenClock(MONDAY_15)) as (client, rt):
        coord, p = await setup(client, rt)
        assert (await coord.post("/api/rota/shifts", weekly([p["sanna"]]))).status_code == 201
        tuesday = weekly([p["pekka"]], weekday=1)
        assert (await coord.post("/api/rota/shifts", tuesday)).status_code == 201
        assert (await public(client))["open"] is True
        await coord.patch(f"/api/responders/{p['sanna']}", {"active": False})
        closed = await public(client)
        assert closed["open"] is False
        assert closed["next_opens_at"].startswith("2026-11-24T14:00")
        await coord.patch(f"/api/responders/{p['sanna']}", {"active": True})
        assert (await public(client))["open"] is True


async def test_rota_routes_are_for_coordinators_with_csrf(settings_values: dict[str, Any]) -> None:
    """Professional: 403; no CSRF header: 403 auth.csrf_failed; the public route needs no login."""
    async with running_app(settings_values) as (client, rt):
        coord, p = await setup(client, rt)
        no_csrf = await client.post("/api/rota/shifts", json=weekly([p["sanna"]]))
        assert no_csrf.status_code == 403 and error_code(no_csrf) == "auth.csrf_failed"
        await client.post("/api/auth/logout", headers=coord.headers)
        csrf = await login(client, "sanna")
        pro = await client.post(
            "/api/rota/shifts", json=weekly([p["sanna"]]), headers={"X-CSRF-Token": csrf}
        )
        assert pro.status_code == 403 and error_code(pro) == "auth.forbidden"
        assert (
            await client.put("/api/rota/texts/fi", json={}, headers={"X-CSRF-Token": csrf})
        ).status_code in (403, 422)
        client.cookies.clear()
        assert (await client.get("/api/public/opening")).status_code == 200
