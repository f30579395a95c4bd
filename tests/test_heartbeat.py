"""``ping`` / ``pong``: how a page tells a live socket from a dead one (docs/protocol.md,
"Heartbeat"). On both stacks."""

from __future__ import annotations

from typing import Any

from tests.live import live_server, responder, youth
from tests.test_hub import on_duty, open_chat
from tests.test_limits_handshake import WINDOW, closed_code


async def test_a_youth_ping_is_answered_but_opens_no_handshake(
    stack_values: dict[str, Any],
) -> None:
    """A ping before any chat gets a pong; a socket that only pings still closes with 4008."""
    values = {**stack_values, "handshake_secs": WINDOW}
    async with live_server(values) as server, youth(server) as y:
        await y.send(v=1, type="ping")
        assert await y.expect("pong") == {"v": 1, "type": "pong"}
        assert await closed_code(y) == 4008


async def test_a_ping_is_answered_behind_the_frames_already_queued(
    stack_values: dict[str, Any],
) -> None:
    """In a chat, a ping changes nothing: no error, no message; the pong comes after the
    frames the server had already queued (here the ``opened`` of the open; the ``queue``
    comes from the queue refresh, before or after)."""
    async with live_server(stack_values) as server:
        await on_duty(server, "pia")
        async with youth(server) as y:
            await y.send(type="open", lang="fi")
            await y.send(type="ping")
            kinds = [(await y.recv())["type"] for _ in range(3)]
            assert kinds[0] == "opened" and sorted(kinds[1:]) == ["pong", "queue"]
            assert await y.nothing_within(0.3) == []


async def test_a_responder_ping_is_answered_before_and_after_hello(
    stack_values: dict[str, Any],
) -> None:
    async with live_server(stack_values) as server:
        await on_duty(server, "pia")
        async with responder(server, "pia", hello=False) as r:
            await r.send(type="ping")
            assert await r.expect("pong") == {"v": 1, "type": "pong"}
            await r.send(type="hello", resume={})
            await r.expect("welcome")
            async with youth(server) as y:
                await open_chat(y)
                await r.expect("tag")
            await r.send(type="ping")
            await r.expect("pong")
            assert [f for f in await r.nothing_within(0.3) if f["type"] == "error"] == []
