"""Unauthenticated sockets get a short handshake window; then they are closed with 4008."""

from __future__ import annotations

import asyncio
from typing import Any

import websockets

from chatsupport.services import limit_counts
from tests.live import WsClient, live_server, responder, youth
from tests.test_hub import on_duty

WINDOW = 0.5


async def closed_code(client: WsClient, within: float = 5.0) -> int | None:
    """Read until the server closes; the close code it sent."""
    async with asyncio.timeout(within):
        while True:
            try:
                await client.recv(within)
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None


async def test_silent_and_invalid_youth_sockets_close(stack_values: dict[str, Any]) -> None:
    """No frame, or only invalid frames, within the window: close 4008 (counted)."""
    before = limit_counts.refusals()["ws.handshake_timeout"]
    async with live_server({**stack_values, "handshake_secs": WINDOW}) as server:
        async with youth(server) as silent:
            assert await closed_code(silent) == 4008
        async with youth(server) as noisy:
            await noisy.send_raw("{not json")
            assert (await noisy.expect("error"))["code"] == "frame.invalid"
            assert await closed_code(noisy) == 4008
    assert limit_counts.refusals()["ws.handshake_timeout"] == before + 2


async def test_valid_first_frame_keeps_youth_socket(stack_values: dict[str, Any]) -> None:
    """A valid first frame ends the window: the socket stays open past it."""
    values = {**stack_values, "handshake_secs": WINDOW}
    async with live_server(values) as server, youth(server) as y:
        await y.send(type="typing", active=True)
        assert (await y.expect("error"))["code"] == "chat.none"
        assert await y.nothing_within(WINDOW * 3) == []
        await y.send(type="typing", active=True)
        assert (await y.expect("error"))["code"] == "chat.none"


async def test_responder_must_say_hello(stack_values: dict[str, Any]) -> None:
    """A responder socket without hello in time is closed; with hello it stays."""
    async with live_server({**stack_values, "handshake_secs": WINDOW}) as server:
        await on_duty(server, "pia")
        async with responder(server, "pia", hello=False) as mute:
            assert await closed_code(mute) == 4008
        async with responder(server, "pia") as greeted:
            await asyncio.sleep(WINDOW * 3)
            await greeted.send(type="typing", chat_id="c" * 32, active=True)
            assert (await greeted.expect("error"))["code"] == "chat.not_yours"
