"""The consoles' sessions are checked together: one query per sweep, only ended ones close."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

from chatsupport.domain.roles import Role
from tests.helpers import add_user
from tests.live import live_server, responder


async def test_one_query_checks_every_console_and_closes_only_the_ended(
    stack_values: dict[str, Any],
) -> None:
    values = {**stack_values, "sweep_interval_secs": 3600}  # the test runs the check itself
    async with live_server(values) as server:
        rt = server.runtime
        ids = {n: await add_user(rt, n, Role.PROFESSIONAL) for n in ("anna", "bert", "eva")}
        async with (
            responder(server, "anna") as a,
            responder(server, "bert") as b,
            responder(server, "eva") as c,
        ):
            await rt.accounts.update_responder(
                responder_id=ids["bert"], display_name=None, role=None, active=False
            )
            statements: list[str] = []

            def seen(*args: Any) -> None:
                statements.append(args[2])  # (conn, cursor, statement, ...)

            event.listen(rt.db.engine.sync_engine, "before_cursor_execute", seen)
            try:
                await rt.consoles.check_now()
            finally:
                event.remove(rt.db.engine.sync_engine, "before_cursor_execute", seen)
            assert sum("staff_sessions" in s for s in statements) == 1

            assert (await b.expect("error"))["code"] == "auth.required"
            async with asyncio.timeout(5):
                await b.ws.wait_closed()
            assert b.ws.close_code == 4101
            for still in (a, c):  # their sessions live: the consoles stay and still answer
                await still.send(type="hello", resume={})
                assert (await still.expect("error"))["code"] == "frame.hello_again"
