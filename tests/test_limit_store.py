"""The limit store contract, on the in-process store and on Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from chatsupport.broker.limit_store import LimitStore, MemoryLimitStore, limit_store_from_url
from chatsupport.broker.redis_limits import RedisLimitStore
from tests.conftest import REDIS_URL, need_service


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[LimitStore]:
    if request.param == "memory":
        made: LimitStore = MemoryLimitStore()
    else:
        need_service("Redis", REDIS_URL, 6379)
        made = limit_store_from_url(REDIS_URL, namespace=f"cstest-{uuid.uuid4().hex[:10]}")
    try:
        yield made
    finally:
        await made.close()


async def test_hit_counts_and_expires(store: LimitStore) -> None:
    """A counter counts up, and is gone once its window has passed."""
    assert await store.hit("a", ttl_secs=0.3) == 1
    assert await store.hit("a", ttl_secs=0.3, amount=2) == 3
    assert await store.peek("a") == 3
    await asyncio.sleep(0.45)
    assert await store.peek("a") == 0
    assert await store.hit("a", ttl_secs=0.3) == 1


async def test_fixed_window_does_not_slide(store: LimitStore) -> None:
    """Without ``slide`` later hits keep the first expiry; with it, each hit extends it."""
    await store.hit("fixed", ttl_secs=0.4)
    await store.hit("slid", ttl_secs=0.4, slide=True)
    await asyncio.sleep(0.25)
    await store.hit("fixed", ttl_secs=0.4)
    await store.hit("slid", ttl_secs=0.4, slide=True)
    await asyncio.sleep(0.25)
    assert await store.peek("fixed") == 0
    assert await store.peek("slid") == 2


async def test_negative_amount_and_values(store: LimitStore) -> None:
    """A counter goes down again; a short value is kept until it expires."""
    await store.hit("c", ttl_secs=5, amount=2)
    assert await store.hit("c", ttl_secs=5, amount=-1) == 1
    await store.put("v", "k123", ttl_secs=0.3)
    assert await store.get("v") == "k123"
    assert await store.get("missing") is None
    await asyncio.sleep(0.45)
    assert await store.get("v") is None


async def test_day_secret_is_stable_per_day(store: LimitStore) -> None:
    """The same day gives the same 32 random bytes; another day a different one."""
    first = await store.day_secret("2026-03-01")
    assert len(first) == 32
    assert await store.day_secret("2026-03-01") == first
    assert await store.day_secret("2026-03-02") != first


async def test_processes_agree_on_the_day_secret(redis_url: str) -> None:
    """Two Redis stores (two processes) on one namespace pick one secret and share counts."""
    namespace = f"cstest-{uuid.uuid4().hex[:10]}"
    one, two = (
        RedisLimitStore(redis_url, namespace=namespace),
        RedisLimitStore(redis_url, namespace=namespace),
    )
    try:
        assert await one.day_secret("2026-03-01") == await two.day_secret("2026-03-01")
        await one.hit("k", ttl_secs=5)
        assert await two.hit("k", ttl_secs=5) == 2
    finally:
        await one.close()
        await two.close()


async def test_redis_counters_always_expire(redis_url: str) -> None:
    """Every key the Redis store writes has an expiry (no INCR-then-EXPIRE gap)."""
    from redis.asyncio import Redis

    namespace = f"cstest-{uuid.uuid4().hex[:10]}"
    store = RedisLimitStore(redis_url, namespace=namespace)
    client = Redis.from_url(redis_url)
    try:
        await store.hit("x", ttl_secs=60)
        await store.hit("x", ttl_secs=60, amount=-1)
        await store.put("y", "v", ttl_secs=60)
        await store.day_secret("2026-03-01")
        keys = [k async for k in client.scan_iter(match=f"{namespace}:*")]
        assert len(keys) == 3
        for key in keys:
            assert await client.pttl(key) > 0
    finally:
        await client.aclose()
        await store.close()


async def test_redis_down_allows(unique_namespace: str) -> None:
    """With Redis unreachable the limits allow (and a local day secret is used)."""
    store = RedisLimitStore("redis://127.0.0.1:1/0", namespace=unique_namespace)
    try:
        assert await store.hit("k", ttl_secs=5) == 0
        assert await store.peek("k") == 0
        assert len(await store.day_secret("2026-03-01")) == 32
    finally:
        await store.close()
