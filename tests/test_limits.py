"""Abuse limits on the youth side, live, on both stacks: each holds, other networks pass."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
import websockets
from redis.asyncio import Redis

from chatsupport.api.runtime import abuse_limits
from chatsupport.broker.limit_store import MemoryLimitStore
from chatsupport.broker.redis_limits import RedisLimitStore
from chatsupport.domain.client_address import address_bucket
from chatsupport.services import limit_counts
from chatsupport.services.limits import AbuseLimits, LimitSettings, RateLimited
from chatsupport.settings import Settings
from tests.limits_live import proxied_server, youth_from
from tests.live import WsClient
from tests.test_hub import on_duty, open_chat

A, B = "198.51.100.7", "203.0.113.9"


def test_address_buckets() -> None:
    """IPv4 counts alone, IPv6 by /64, a mapped IPv4 as itself."""
    assert address_bucket("192.0.2.1") == "192.0.2.1"
    assert address_bucket("2001:db8:1:2:3:4:5:6") == address_bucket("2001:db8:1:2:ffff::1")
    assert address_bucket("2001:db8:1:2::1") != address_bucket("2001:db8:1:3::1")
    assert address_bucket("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_bucket(None) == "unknown"


async def test_keys_rotate_daily_and_hide_the_address() -> None:
    """Same day, same key; next day another; the key never contains the address."""
    day = [datetime(2026, 3, 1, 12, tzinfo=UTC)]
    limits = AbuseLimits(store=MemoryLimitStore(), settings=LimitSettings(), now=lambda: day[0])
    first = await limits.client_key(A)
    assert first == await limits.client_key(A) != await limits.client_key(B)
    assert A not in first and len(first) == 32
    day[0] = datetime(2026, 3, 2, 0, 1, tzinfo=UTC)
    assert await limits.client_key(A) != first


async def test_message_counts_are_each_process_s_own_the_key_counts_shared() -> None:
    """Two processes on one shared store: a network's connections are counted together;
    a chat's messages by the process serving the socket (services/limits.py says why)."""
    shared = MemoryLimitStore()  # stands for Redis, shared by both processes
    settings = LimitSettings(connections_per_key=1, messages_per_chat_per_minute=2)
    one, two = (
        AbuseLimits(store=shared, settings=settings, message_store=MemoryLimitStore())
        for _ in range(2)
    )
    await one.connect("key")
    with pytest.raises(RateLimited):
        await two.connect("key")
    for limits in (one, two):
        await limits.check_message("chat")
        await limits.check_message("chat")
        with pytest.raises(RateLimited) as refused:
            await limits.check_message("chat")
        assert refused.value.code == "rate.too_many_messages"
    assert await shared.peek("msgs:chat") == 0  # no message counter in the shared store


def test_the_service_counts_messages_in_process_memory() -> None:
    """Wired so on Redis too: the per-message check makes no Redis call."""
    settings = Settings(broker_url="redis://127.0.0.1:6379/0", secret_key="k" * 48)
    limits = abuse_limits(settings)
    assert isinstance(limits.store, RedisLimitStore)
    assert isinstance(limits.message_store, MemoryLimitStore)


async def test_chats_per_key(stack_values: dict[str, Any]) -> None:
    """A network opening too many chats is refused; another network still gets through."""
    values = {**stack_values, "youth_chats_per_key_per_hour": 2}
    before = limit_counts.refusals()["rate.too_many_chats"]
    async with proxied_server(values) as server:
        await on_duty(server, "pia")
        for _ in range(2):
            async with youth_from(server, A) as y:
                await open_chat(y)
        async with youth_from(server, A) as y:
            await y.send(type="open", lang="fi")
            assert (await y.expect("error"))["code"] == "rate.too_many_chats"
        async with youth_from(server, B) as y:
            await open_chat(y)
    assert limit_counts.refusals()["rate.too_many_chats"] == before + 1


async def test_messages_per_chat(stack_values: dict[str, Any]) -> None:
    """The youth side may send only so many messages per chat per minute."""
    async with proxied_server({**stack_values, "youth_messages_per_minute": 3}) as server:
        await on_duty(server, "pia")
        async with youth_from(server, A) as y:
            await open_chat(y)
            for n in range(3):
                await y.send(type="send", client_id=f"m{n}", text="hei")
                await y.expect("ack", client_id=f"m{n}")
            await y.send(type="send", client_id="m3", text="hei")
            error = await y.expect("error")
            assert error["code"] == "rate.too_many_messages" and error["ref"] == "m3"


async def test_connections_per_key(stack_values: dict[str, Any]) -> None:
    """One network may hold only so many sockets; the next is told and closed with 4029."""
    async with proxied_server({**stack_values, "youth_connections_per_key": 2}) as server:
        async with youth_from(server, A) as first, youth_from(server, A) as second:
            # The server counts a socket after the handshake: make sure both are counted, or
            # the third may be counted before the second and be the one admitted.
            assert await _is_admitted(first) and await _is_admitted(second)
            async with youth_from(server, A) as third:
                error = await third.expect("error")
                assert error["code"] == "rate.too_many_connections"
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await third.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4029
            async with youth_from(server, B) as other:
                await other.send(type="typing", active=True)
                assert (await other.expect("error"))["code"] == "chat.none"
        assert await _admitted_again(server, A)  # the count went down on close


async def _is_admitted(youth: WsClient) -> bool:
    """An admitted socket without a chat answers ``typing`` with ``chat.none``; a refused one
    has been told ``rate.too_many_connections`` and closed."""
    with contextlib.suppress(websockets.ConnectionClosed):  # refused sockets close
        await youth.send(type="typing", active=True)
    code = (await youth.expect("error"))["code"]
    assert code in ("chat.none", "rate.too_many_connections"), code
    return code == "chat.none"


async def _admitted_again(server: Any, address: str, within: float = 10.0) -> bool:
    """Whether a socket from ``address`` is admitted within ``within`` seconds.

    The client's close returns once the server has answered the close frame, a moment before
    the server's handler lets go of the socket's count, so the first try may still be refused.
    """
    deadline = asyncio.get_running_loop().time() + within
    while True:
        async with youth_from(server, address) as again:
            if await _is_admitted(again):
                return True
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.1)


async def test_queue_cap(stack_values: dict[str, Any]) -> None:
    """When the waiting queue is full, a new chat is refused with queue.full, and the refused
    open does not count against its network's chats per hour."""
    values = {**stack_values, "max_waiting_chats": 1, "youth_chats_per_key_per_hour": 1}
    async with proxied_server(values) as server:
        await on_duty(server, "pia")
        async with youth_from(server, A) as first, youth_from(server, B) as second:
            await open_chat(first)
            await second.send(type="open", lang="fi")
            assert (await second.expect("error"))["code"] == "queue.full"
            await first.send(type="end")
            await first.expect("ended")
            await open_chat(second)  # B's one chat of the hour is still its own


async def test_forwarded_for_ignored_without_trust(stack_values: dict[str, Any]) -> None:
    """Without a trusted proxy, X-Forwarded-For changes nothing: one network for all."""
    values = {**stack_values, "youth_connections_per_key": 1}
    async with (
        proxied_server(values, trust=False) as server,
        youth_from(server, A),
        youth_from(server, B) as second,
    ):
        error = await second.expect("error")
        assert error["code"] == "rate.too_many_connections"


@pytest.mark.parametrize("stack", ["production"], indirect=True)
async def test_two_processes_share_limits(redis_url: str, stack_values: dict[str, Any]) -> None:
    """Two servers on one Redis count one network together, and Redis holds no address."""
    values = {**stack_values, "youth_chats_per_key_per_hour": 2}
    async with proxied_server(values) as one, proxied_server(values) as two:
        await on_duty(one, "pia")
        for server in (one, two):
            async with youth_from(server, A) as y:
                await open_chat(y)
        async with youth_from(one, A) as y:
            await y.send(type="open", lang="fi")
            assert (await y.expect("error"))["code"] == "rate.too_many_chats"
        await _no_address_in_redis(redis_url, values["broker_namespace"])


async def _no_address_in_redis(redis_url: str, namespace: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        keys = [k async for k in client.scan_iter(match=f"{namespace}:*")]
        assert keys
        for key in keys:
            dumped = key + (await client.dump(key) or b"")
            assert A.encode() not in dumped and B.encode() not in dumped
            assert await client.pttl(key) > 0
    finally:
        await client.aclose()
