"""Backup support, escalation and transfer through the real WebSocket surface, on SQLite +
in-process broker and PostgreSQL + Redis."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from chatsupport.domain.roles import Role
from chatsupport.domain.rota import ShiftRole
from chatsupport.storage.tables import DiaryRecordRow
from tests.helpers import add_user, login
from tests.live import LiveServer, WsClient, live_server, responder, youth
from tests.rota_helpers import put_on_shift_now
from tests.test_hub import open_chat


async def open_and_claim(y: WsClient, holder: WsClient, text: str = "hei") -> tuple[str, str]:
    """The youth opens a chat, ``holder`` claims it, the youth writes: (chat id, resume token)."""
    token = await open_chat(y)
    chat_id: str = (await holder.expect("tag"))["chat_id"]
    await holder.send(type="claim", chat_id=chat_id)
    await holder.expect("claimed", chat_id=chat_id)
    await y.expect("claimed")
    await y.send(type="send", client_id="y1", text=text)
    await holder.expect("message", chat_id=chat_id, seq=1)
    return chat_id, token


async def backup_joined(y: WsClient, expert: WsClient, backup: WsClient) -> str:
    """The expert claims the youth's chat and asks for support; the backup joins it (the
    youth is told). The chat's id."""
    chat_id, _ = await open_and_claim(y, expert)
    await expert.send(type="support", chat_id=chat_id)
    await backup.expect("support_alert", chat_id=chat_id)
    await backup.send(type="join", chat_id=chat_id)
    await backup.expect("watching", chat_id=chat_id)
    await y.expect("joined")
    return chat_id


async def aino_backed_by_sanna(rt: Any) -> tuple[int, int]:
    """Aino (experience expert) on a shift now with Sanna as its backup: their ids."""
    aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
    sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
    await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
    return aino, sanna


def shows_no_support(chat: dict[str, Any]) -> bool:
    """A ``chat`` frame with no request asked, no backup named and nobody beside."""
    return (chat["support_asked"], chat["support_backup"], chat["joined"]) == (False, None, None)


async def refused(client: WsClient, code: str, **frame: Any) -> None:
    await client.send(**frame)
    error = await client.expect("error")
    assert error["code"] == code, error


async def backup_flags(server: LiveServer) -> list[bool]:
    async with server.runtime.db.read() as s:
        return list(await s.scalars(select(DiaryRecordRow.backup_involved)))


async def test_backup_alert_notes_and_take_over(stack_values: dict[str, Any]) -> None:
    """The expert asks for support; the backup is alerted, reads the chat, writes a note the
    youth never sees, and takes over; the youth is told another adult joined and the seqs go
    on; only the asked backup may do this; the diary records the backup as involved."""
    async with live_server(stack_values) as server:
        rt = server.runtime
        await aino_backed_by_sanna(rt)
        await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
        async with (
            responder(server, "sanna") as backup,
            responder(server, "pekka") as other,
            responder(server, "aino", hello=False) as expert,
            youth(server) as y,
        ):
            await expert.send(type="hello", resume={})
            assert (await expert.expect("welcome"))["backup_present"] is True
            rt.hub.invalidate_on_duty()
            chat_id, _ = await open_and_claim(y, expert)
            await refused(other, "support.not_expert", type="support", chat_id=chat_id)
            await refused(backup, "support.not_backup", type="watch", chat_id=chat_id)
            await expert.send(type="support", chat_id=chat_id)
            await expert.expect("support_requested", chat_id=chat_id)
            alert = await backup.expect("support_alert", chat_id=chat_id)
            assert alert["expert"] == {"role": "experience_expert", "name": "Aino"}
            await refused(other, "support.not_backup", type="watch", chat_id=chat_id)
            await refused(other, "support.not_backup", type="take_over", chat_id=chat_id)
            await refused(other, "support.not_backup", type="note", chat_id=chat_id, text="x")
            await backup.send(type="watch", chat_id=chat_id)
            watching = await backup.expect("watching", chat_id=chat_id)
            assert [m["text"] for m in watching["messages"]] == ["hei"]
            await refused(
                backup, "chat.not_yours", type="send", chat_id=chat_id, client_id="b0", text="x"
            )
            await backup.send(type="note", chat_id=chat_id, text="Kysy turvallisuudesta")
            for console in (expert, backup):
                note = await console.expect("note", chat_id=chat_id)
                assert note["text"] == "Kysy turvallisuudesta"
                assert note["author"] == {"role": "professional", "name": "Sanna"}
            await y.send(type="send", client_id="y2", text="oletko siellä")
            await backup.expect("message", chat_id=chat_id, seq=2)
            await backup.send(type="take_over", chat_id=chat_id)
            sanna = {"role": "professional", "name": "Sanna"}
            await y.expect("claimed", responder=sanna)  # she answers now: no "joined"
            assert [f for f in y.seen if f["type"] == "joined"] == []
            handed = await expert.expect("handed_over", chat_id=chat_id)
            assert handed["reason"] == "take_over" and handed["to"]["name"] == "Sanna"
            taken = await backup.expect("chat", chat_id=chat_id)
            assert [m["text"] for m in taken["messages"]] == ["hei", "oletko siellä"]
            assert (taken["support_asked"], taken["support_backup"]) == (False, None)
            await backup.send(type="send", chat_id=chat_id, client_id="b1", text="Olen täällä")
            message = await y.expect("message", seq=3)
            assert message["text"] == "Olen täällä"
            await refused(
                expert, "chat.not_yours", type="send", chat_id=chat_id, client_id="a9", text="x"
            )
            frames = await y.nothing_within(0.5)
            assert all(f["type"] != "note" for f in frames + y.seen)
            await backup.send(type="end", chat_id=chat_id)
            await y.expect("ended")
        assert await backup_flags(server) == [True]


async def test_backup_joins_and_writes_beside_the_expert(stack_values: dict[str, Any]) -> None:
    """After join, the youth is told another adult came; both the expert and the backup
    write in the chat, each message with its author (the youth is told role and name, the
    consoles also the id); the expert still holds it."""
    async with live_server(stack_values) as server:
        rt = server.runtime
        aino, sanna = await aino_backed_by_sanna(rt)
        async with (
            responder(server, "sanna") as backup,
            responder(server, "aino") as expert,
            youth(server) as y,
        ):
            rt.hub.invalidate_on_duty()
            chat_id, token = await open_and_claim(y, expert)
            await expert.send(type="send", chat_id=chat_id, client_id="e1", text="Hei, Aino")
            aino_as_youth_sees = {"role": "experience_expert", "name": "Aino"}
            assert (await y.expect("message", seq=2))["author"] == aino_as_youth_sees
            await expert.send(type="support", chat_id=chat_id)
            await backup.expect("support_alert", chat_id=chat_id)
            await backup.send(type="join", chat_id=chat_id)
            watching = await backup.expect("watching", chat_id=chat_id)
            assert [m.get("author") for m in watching["messages"]] == [
                None,
                {"id": aino, **aino_as_youth_sees},
            ]
            assert (await y.expect("joined"))["responder"]["name"] == "Sanna"
            await expert.expect("joined", chat_id=chat_id)
            await backup.send(type="send", chat_id=chat_id, client_id="b1", text="Hei, Sanna")
            sanna_as_youth_sees = {"role": "professional", "name": "Sanna"}
            assert (await y.expect("message", seq=3))["author"] == sanna_as_youth_sees
            to_expert = await expert.expect("message", chat_id=chat_id, seq=3)
            assert to_expert["author"] == {"id": sanna, **sanna_as_youth_sees}
            # after a reload the youth is told again who else is here; the expert also, below
            async with youth(server) as reloaded:
                await reloaded.send(type="resume", token=token, last_seq=0)
                resumed = await reloaded.expect("resumed")
                assert resumed["joined"] == sanna_as_youth_sees
                assert [m.get("author") for m in resumed["messages"]] == [
                    None,
                    aino_as_youth_sees,
                    sanna_as_youth_sees,
                ]
            await expert.send(type="note", chat_id=chat_id, text="kiitos")
            await backup.expect("note", chat_id=chat_id)
            async with responder(server, "aino") as expert_reloaded:
                again = await expert_reloaded.expect("chat", chat_id=chat_id)
                assert again["joined"] == sanna_as_youth_sees
                assert again["support_asked"] is True
                assert [n["text"] for n in again["notes"]] == ["kiitos"]
            await refused(backup, "chat.not_yours", type="end", chat_id=chat_id)
            await expert.send(type="end", chat_id=chat_id)
            await y.expect("ended")
        assert await backup_flags(server) == [True]


async def test_a_stand_in_answers_when_the_backup_is_not_there(
    stack_values: dict[str, Any],
) -> None:
    """The expert's backup leaves mid-chat (DOMAIN.md 3.5: the stand-in is alerted): with no
    professional connected the request is refused and nothing stored; then every connected
    professional is asked, also one who connects meanwhile; the first to answer becomes the
    chat's backup (reads it, writes notes), the others' alerts are withdrawn and a late
    answer is refused; the expert is told who, also after a reload."""
    values = {**stack_values, "sweep_interval_secs": 0.2}
    async with live_server(values) as server:
        rt = server.runtime
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
        await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
        await add_user(rt, "paula", Role.PROFESSIONAL, "Paula")
        await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
        async with responder(server, "aino") as expert, youth(server) as y:
            async with responder(server, "sanna"):
                rt.hub.invalidate_on_duty()
                await expert.expect("backup", present=True)
                chat_id, _ = await open_and_claim(y, expert)
            await expert.expect("backup", present=False)
            await refused(expert, "support.no_backup", type="support", chat_id=chat_id)
            assert await backup_flags(server) == []  # nothing stored
            async with (
                responder(server, "pekka") as pekka,
                responder(server, "paula") as paula,
            ):
                await expert.send(type="support", chat_id=chat_id)
                # (the sweep may ask them first, reason backup_left: the next test)
                asked = await expert.expect("support_requested", chat_id=chat_id, reason="asked")
                assert asked["stand_in"] is True and asked["backup"] is None
                for console in (pekka, paula):
                    alert = await console.expect("support_alert", chat_id=chat_id)
                    assert alert["stand_in"] is True
                    assert alert["expert"] == {"role": "experience_expert", "name": "Aino"}
                await refused(pekka, "support.not_backup", type="watch", chat_id=chat_id)
                async with responder(server, "paula") as paula_later:
                    again = await paula_later.expect("support_alert", chat_id=chat_id)
                    assert again["stand_in"] is True
                await refused(expert, "support.not_backup", type="stand_in", chat_id=chat_id)
                await pekka.send(type="stand_in", chat_id=chat_id)
                now_backup = await pekka.expect("support_alert", chat_id=chat_id, stand_in=False)
                assert now_backup["expert"]["name"] == "Aino"
                told = await expert.expect("stand_in", chat_id=chat_id)
                assert told["backup"] == {"role": "professional", "name": "Pekka"}
                await paula.expect("support_taken", chat_id=chat_id)
                await refused(paula, "support.taken", type="stand_in", chat_id=chat_id)
                await pekka.send(type="watch", chat_id=chat_id)
                watching = await pekka.expect("watching", chat_id=chat_id)
                assert [m["text"] for m in watching["messages"]] == ["hei"]
                await pekka.send(type="note", chat_id=chat_id, text="olen tässä")
                await expert.expect("note", chat_id=chat_id)
                await expert.send(type="support", chat_id=chat_id)  # asked again: Pekka still
                again = await expert.expect("support_requested", chat_id=chat_id, reason="asked")
                assert again["stand_in"] is False and again["backup"]["name"] == "Pekka"
                await pekka.expect("support_alert", chat_id=chat_id, stand_in=False)
                async with responder(server, "aino", resume={chat_id: 1}) as reloaded:
                    chat = await reloaded.expect("chat", chat_id=chat_id)
                    assert chat["support_asked"] is True
                    assert chat["support_backup"] == {"role": "professional", "name": "Pekka"}
                async with responder(server, "paula") as paula_after:
                    late = [f for f in await paula_after.nothing_within(0.5)]
                    assert "support_alert" not in [f["type"] for f in late + paula_after.seen]
            await expert.send(type="end", chat_id=chat_id)
            await y.expect("ended")
        assert await backup_flags(server) == [True]


async def test_the_stand_ins_are_alerted_when_the_backup_leaves_mid_chat(
    stack_values: dict[str, Any],
) -> None:
    """DOMAIN.md 3.5: the expert's backup drops out while the expert holds two chats. With no
    professional connected nothing is stored; a professional who signs in is asked for both
    chats without the expert asking, once (not again every sweep), also after a reload; the
    expert is told why; the stand-in who answers becomes the backup of that chat. Only the
    chat a stand-in answered counts as backup involved."""
    values = {**stack_values, "sweep_interval_secs": 0.2}
    async with live_server(values) as server:
        rt = server.runtime
        await aino_backed_by_sanna(rt)
        await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
        async with responder(server, "aino") as expert, youth(server) as y1, youth(server) as y2:
            async with responder(server, "sanna"):
                rt.hub.invalidate_on_duty()
                await expert.expect("backup", present=True)
                first, _ = await open_and_claim(y1, expert)
                second, _ = await open_and_claim(y2, expert)
            await expert.expect("backup", present=False)
            quiet = await expert.nothing_within(0.6)  # three sweeps, nobody to ask
            assert "support_requested" not in [f["type"] for f in quiet]
            async with responder(server, "pekka") as pekka:
                for chat_id in (first, second):
                    alert = await pekka.expect("support_alert", chat_id=chat_id)
                    assert (alert["stand_in"], alert["reason"]) == (True, "backup_left")
                    assert alert["expert"] == {"role": "experience_expert", "name": "Aino"}
                    told = await expert.expect("support_requested", chat_id=chat_id)
                    assert (told["stand_in"], told["backup"], told["reason"]) == (
                        True,
                        None,
                        "backup_left",
                    )
                again = await pekka.nothing_within(0.6)  # asked once, not every sweep
                assert "support_alert" not in [f["type"] for f in again]
            async with responder(server, "pekka") as pekka:  # a reload: the alerts come back
                for chat_id in (first, second):
                    alert = await pekka.expect("support_alert", chat_id=chat_id)
                    assert (alert["stand_in"], alert["reason"]) == (True, "backup_left")
                await pekka.send(type="stand_in", chat_id=second)
                backing = await pekka.expect("support_alert", chat_id=second, stand_in=False)
                assert backing["reason"] == "backup_left"
                answered = await expert.expect("stand_in", chat_id=second)
                assert answered["backup"]["name"] == "Pekka"
                await pekka.send(type="watch", chat_id=second)
                await pekka.expect("watching", chat_id=second)
                async with responder(server, "aino", resume={first: 1, second: 1}) as reloaded:
                    chats = {
                        c["chat_id"]: c
                        for c in [await reloaded.expect("chat"), await reloaded.expect("chat")]
                    }
                    assert chats[first]["support_reason"] == "backup_left"
                    assert chats[first]["support_backup"] is None  # still asking
                    assert chats[second]["support_backup"] == {
                        "role": "professional",
                        "name": "Pekka",
                    }
                later = await pekka.nothing_within(0.6)  # Pekka backs the second: not re-asked
                assert [f["chat_id"] for f in later if f["type"] == "support_alert"] == []
                for chat_id, y in ((first, y1), (second, y2)):
                    await expert.send(type="end", chat_id=chat_id)
                    await y.expect("ended")
        async with rt.db.read() as s:  # the records in the order the chats ended
            flags = await s.scalars(
                select(DiaryRecordRow.backup_involved).order_by(DiaryRecordRow.id)
            )
        assert list(flags) == [False, True]


async def test_unanswered_chat_escalates_once(stack_values: dict[str, Any]) -> None:
    """Past the escalation time every on-duty professional is tagged again as urgent (once),
    the youth gets the always-open services, and the coordinator sees the count."""
    values = {**stack_values, "escalate_after_secs": 0.5, "sweep_interval_secs": 0.2}
    async with live_server(values) as server:
        rt = server.runtime
        anna = await add_user(rt, "anna", Role.PROFESSIONAL)
        bert = await add_user(rt, "bert", Role.PROFESSIONAL)
        await add_user(rt, "koordi", Role.COORDINATOR)
        await put_on_shift_now(rt, [anna, bert])
        async with (
            responder(server, "anna") as a,
            responder(server, "bert") as b,
            youth(server) as y,
        ):
            rt.hub.invalidate_on_duty()
            await y.send(type="open", lang="sv")
            await y.expect("opened")
            for console in (a, b):
                first = await console.expect("tag")
                assert first["urgent"] is False
                urgent = await console.expect("tag", urgent=True)
                assert urgent["chat_id"] == first["chat_id"] and urgent["reminder"] is True
            waiting = await y.expect("still_waiting")
            assert "112" in waiting["services"]
            async with httpx.AsyncClient(base_url=server.base) as client:
                await login(client, "koordi")
                r = await client.get("/api/support/escalated")
                assert r.json() == {"waiting_escalated": 1}
            later = await a.nothing_within(1.0)
            assert [f for f in later if f["type"] == "tag" and f["urgent"]] == []


async def test_the_coordinator_sees_the_service_right_now(stack_values: dict[str, Any]) -> None:
    """ "Tilanne nyt": open, the queue with its escalated chat (a "help now" one), the chat
    under way, who is on duty and connected, and the expert shift that does not open because
    its backup is away; names and counts only."""
    async with live_server(stack_values) as server:
        rt = server.runtime
        anna = await add_user(rt, "anna", Role.PROFESSIONAL, "Anna")
        bert = await add_user(rt, "bert", Role.PROFESSIONAL, "Bert")
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
        cilla = await add_user(rt, "cilla", Role.PROFESSIONAL, "Cilla")
        await add_user(rt, "koordi", Role.COORDINATOR)
        await put_on_shift_now(rt, [anna, cilla])
        await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=bert)
        async with responder(server, "anna") as a, youth(server) as y1, youth(server) as y2:
            rt.hub.invalidate_on_duty()
            await open_and_claim(y1, a)
            await y2.send(type="open", lang="fi", urgent=True)
            await y2.expect("opened")
            await a.expect("tag", urgent=True)  # escalated at once
            async with httpx.AsyncClient(base_url=server.base) as client:
                await login(client, "koordi")
                now = (await client.get("/api/support/now")).json()
        assert now == {
            "open": True,
            "accepts_new_chats": True,
            "waiting": 1,
            "waiting_escalated": 1,
            "active": 1,
            "active_holder_gone": 0,
            "on_duty": [
                {"id": anna, "role": "professional", "name": "Anna", "connected": True},
                {"id": cilla, "role": "professional", "name": "Cilla", "connected": False},
            ],
            "backups_away": [{"experts": ["Aino"], "backup": "Bert"}],
        }


async def test_unanswered_chat_on_expert_shift_alerts_the_backup(
    stack_values: dict[str, Any],
) -> None:
    """On an expert shift the escalation goes to the backup, who may then claim the chat."""
    values = {**stack_values, "escalate_after_secs": 0.5, "sweep_interval_secs": 0.2}
    async with live_server(values) as server:
        rt = server.runtime
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT)
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL)
        await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
        async with (
            responder(server, "sanna") as backup,
            responder(server, "aino") as expert,
            youth(server) as y,
        ):
            rt.hub.invalidate_on_duty()
            await y.send(type="open", lang="fi")
            await y.expect("opened")
            await expert.expect("tag")
            urgent = await backup.expect("tag", urgent=True)
            await y.expect("still_waiting")
            await backup.send(type="claim", chat_id=urgent["chat_id"])
            await backup.expect("claimed", chat_id=urgent["chat_id"])


async def youth_urgent_flags(server: LiveServer) -> list[bool]:
    async with server.runtime.db.read() as s:
        return list(await s.scalars(select(DiaryRecordRow.youth_urgent)))


async def test_a_chat_opened_as_urgent_is_marked_and_escalated_at_once(
    stack_values: dict[str, Any],
) -> None:
    """The young person chose "Minulla on hätä nyt" (DOMAIN.md 3.4): the expert's tag says so,
    the backup is alerted at once (the escalation time is the default five minutes), the youth
    is not told to keep waiting, a console that connects later and the holder's console after
    a reload see the flag, and the diary record counts it; a chat opened without it stays
    unmarked."""
    async with live_server(stack_values) as server:
        rt = server.runtime
        aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT)
        sanna = await add_user(rt, "sanna", Role.PROFESSIONAL)
        await add_user(rt, "koordi", Role.COORDINATOR)
        await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
        async with (
            responder(server, "sanna") as backup,
            responder(server, "aino") as expert,
            youth(server) as y,
        ):
            rt.hub.invalidate_on_duty()
            await y.send(type="open", lang="fi", urgent=True)
            await y.expect("opened")
            tag = await expert.expect("tag")
            assert tag["youth_urgent"] is True
            alert = await backup.expect("tag", urgent=True)
            assert alert["chat_id"] == tag["chat_id"] and alert["youth_urgent"] is True
            async with httpx.AsyncClient(base_url=server.base) as client:
                await login(client, "koordi")
                r = await client.get("/api/support/escalated")
                assert r.json() == {"waiting_escalated": 1}
            async with responder(server, "aino") as second_tab:
                again = await second_tab.expect("tag", chat_id=tag["chat_id"])
                assert again["youth_urgent"] is True
            await expert.send(type="claim", chat_id=tag["chat_id"])
            await expert.expect("claimed", chat_id=tag["chat_id"])
            async with responder(server, "aino", resume={tag["chat_id"]: 0}) as reloaded:
                chat = await reloaded.expect("chat", chat_id=tag["chat_id"])
                assert chat["youth_urgent"] is True
            told = y.seen + await y.nothing_within(0.3)
            assert "still_waiting" not in [f["type"] for f in told]
            await expert.send(type="end", chat_id=tag["chat_id"])
            await y.expect("ended")
            await y.send(type="open", lang="fi")
            await y.expect("opened")
            plain = await expert.expect("tag")
            assert plain["youth_urgent"] is False
            await y.send(type="end")
            await y.expect("ended")
        assert sorted(await youth_urgent_flags(server)) == [False, True]


async def test_transfer_offer_decline_expiry_and_accept(stack_values: dict[str, Any]) -> None:
    """A holder offers a chat to an on-duty colleague: declined, then lapsed, then accepted;
    on accept the colleague gets the history, the old holder is told, the youth sees who
    joined and the seqs go on; refusals carry stable codes."""
    values = {**stack_values, "transfer_offer_secs": 1.5, "sweep_interval_secs": 0.2}
    async with live_server(values) as server:
        rt = server.runtime
        anna = await add_user(rt, "anna", Role.PROFESSIONAL, "Anna")
        bert = await add_user(rt, "bert", Role.PROFESSIONAL, "Bert")
        cecilia = await add_user(rt, "cecilia", Role.PROFESSIONAL, "Cecilia")
        await put_on_shift_now(rt, [anna, bert])
        async with (
            responder(server, "anna") as a,
            responder(server, "bert") as b,
            responder(server, "cecilia") as c,
            youth(server) as y,
        ):
            rt.hub.invalidate_on_duty()
            async with httpx.AsyncClient(base_url=server.base) as client:
                await login(client, "anna")
                r = await client.get("/api/support/colleagues")
                assert [(c["id"], c["name"]) for c in r.json()] == [(bert, "Bert")]
                assert (await client.get("/api/support/escalated")).status_code == 403
            chat_id, _ = await open_and_claim(y, a)
            await a.send(type="send", chat_id=chat_id, client_id="a1", text="Hei, olen Anna")
            await y.expect("message", seq=2)
            await refused(a, "transfer.self", type="transfer", chat_id=chat_id, to=anna)
            await refused(
                a, "transfer.target_off_duty", type="transfer", chat_id=chat_id, to=cecilia
            )
            await refused(b, "chat.not_yours", type="transfer", chat_id=chat_id, to=bert)
            await refused(
                c, "transfer.not_offered", type="transfer_answer", chat_id=chat_id, accept=True
            )
            await a.send(type="transfer", chat_id=chat_id, to=bert)
            offer = await b.expect("transfer", status="offered")
            assert (offer["lang"], offer["youth_urgent"]) == ("fi", False)
            assert offer["offered_by"] == {"role": "professional", "name": "Anna"}
            await a.expect("transfer", status="offered")
            await b.send(type="transfer_answer", chat_id=chat_id, accept=False)
            await a.expect("transfer", status="declined")
            await a.send(type="transfer", chat_id=chat_id, to=bert)
            await b.expect("transfer", status="offered")
            await a.expect("transfer", status="expired")
            await b.expect("transfer", status="expired")
            await refused(
                b, "transfer.not_offered", type="transfer_answer", chat_id=chat_id, accept=True
            )
            await a.send(type="transfer", chat_id=chat_id, to=bert)
            await b.expect("transfer", status="offered")
            await b.send(type="transfer_answer", chat_id=chat_id, accept=True)
            got = await b.expect("chat", chat_id=chat_id)
            assert [m["seq"] for m in got["messages"]] == [1, 2]
            # the new holder's history names who wrote before: not "me"
            anna_wrote = {"id": anna, "role": "professional", "name": "Anna"}
            assert [m.get("author") for m in got["messages"]] == [None, anna_wrote]
            await a.expect("handed_over", chat_id=chat_id, reason="transfer")
            await a.expect("transfer", status="accepted")
            await y.expect("claimed", responder={"role": "professional", "name": "Bert"})
            await b.send(type="send", chat_id=chat_id, client_id="b1", text="Jatketaan")
            await y.expect("message", seq=3)
            await y.send(type="send", client_id="y2", text="ok")
            await b.expect("message", chat_id=chat_id, seq=4)
            assert [f for f in await a.nothing_within(0.3) if f["type"] == "message"] == []


async def test_the_support_of_the_former_holder_ends_with_a_transfer(
    stack_values: dict[str, Any],
) -> None:
    """Aino asked Sanna, who joined; Aino transfers the chat to Pekka: Sanna's alert and
    view go (``support_taken``), also after her reload, and Pekka's chat shows no request
    and nobody beside him. The diary still records the backup as involved."""
    async with live_server(stack_values) as server:
        rt = server.runtime
        await aino_backed_by_sanna(rt)
        pekka = await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
        await put_on_shift_now(rt, [pekka])
        async with (
            responder(server, "sanna") as backup,
            responder(server, "pekka") as colleague,
            responder(server, "aino") as expert,
            youth(server) as y,
        ):
            rt.hub.invalidate_on_duty()
            chat_id, _ = await open_and_claim(y, expert)
            await expert.send(type="support", chat_id=chat_id)
            await backup.expect("support_alert", chat_id=chat_id)
            await backup.send(type="join", chat_id=chat_id)
            await backup.expect("watching", chat_id=chat_id)
            await expert.send(type="transfer", chat_id=chat_id, to=pekka)
            await colleague.expect("transfer", status="offered")
            await colleague.send(type="transfer_answer", chat_id=chat_id, accept=True)
            chat = await colleague.expect("chat", chat_id=chat_id)
            assert shows_no_support(chat)
            await backup.expect("support_taken", chat_id=chat_id)
            await colleague.send(type="send", chat_id=chat_id, client_id="p1", text="Pekka tässä")
            await y.expect("message", seq=2)
            assert [f for f in await backup.nothing_within(0.5) if f["type"] == "message"] == []
            async with responder(server, "sanna") as again:
                frames = await again.nothing_within(0.5)
                assert [f for f in frames if f["type"] == "support_alert"] == []
            async with responder(server, "pekka", resume={chat_id: 2}) as reloaded:
                chat = await reloaded.expect("chat", chat_id=chat_id)
                assert shows_no_support(chat)
                await reloaded.send(type="end", chat_id=chat_id)
                await y.expect("ended")
        assert await backup_flags(server) == [True]


async def test_a_backup_who_joined_is_beside_the_expert_again_after_a_reload(
    stack_values: dict[str, Any],
) -> None:
    """Sanna joined Aino's chat, then her console reloads: the chat comes back as joined (the
    history, then live messages) and she can write again; the youth was never told she left."""
    async with live_server(stack_values) as server:
        rt = server.runtime
        await aino_backed_by_sanna(rt)
        async with responder(server, "aino") as expert, youth(server) as y:
            async with responder(server, "sanna") as backup:
                rt.hub.invalidate_on_duty()
                chat_id = await backup_joined(y, expert, backup)
            async with responder(server, "sanna") as again:
                await again.expect("support_alert", chat_id=chat_id)
                back = await again.expect("watching", chat_id=chat_id)
                assert back["joined"] is True and [m["text"] for m in back["messages"]] == ["hei"]
                await y.send(type="send", client_id="y2", text="oletko vielä siellä")
                assert (await again.expect("message", chat_id=chat_id, seq=2))["text"] == (
                    "oletko vielä siellä"
                )
                await again.send(type="send", chat_id=chat_id, client_id="s1", text="Olen")
                said = await y.expect("message", seq=3)
                assert said["author"] == {"role": "professional", "name": "Sanna"}


async def test_the_backup_is_told_whom_she_backs(stack_values: dict[str, Any]) -> None:
    """Sanna backs Aino's running shift: her welcome names Aino and when the shift ends (the
    shift is open only while Sanna's console is); Pekka, backing nobody, gets none."""
    async with live_server(stack_values) as server:
        rt = server.runtime
        await aino_backed_by_sanna(rt)
        await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
        async with responder(server, "sanna", hello=False) as backup:
            await backup.send(type="hello", resume={})
            backing = (await backup.expect("welcome"))["backing"]
        assert [(b["role"], b["name"]) for b in backing] == [("experience_expert", "Aino")]
        assert backing[0]["ends_at"]
        async with responder(server, "pekka", hello=False) as other:
            await other.send(type="hello", resume={})
            assert (await other.expect("welcome"))["backing"] == []
