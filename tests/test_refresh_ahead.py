"""The refresh-ahead cache behind the hub's on-duty set: a value past half its lifetime is
answered at once and read again in the background; past its lifetime it is waited for.
Time is a fake clock, so the tests do not depend on how fast the machine is."""

from __future__ import annotations

import asyncio

from chatsupport.services.refresh_ahead import RefreshAhead

LIFETIME = 1.0


class Source:
    """Counts reads; each read answers the next number, optionally held until released."""

    def __init__(self) -> None:
        self.reads = 0
        self.release: asyncio.Event | None = None

    async def read(self) -> int:
        self.reads += 1
        number = self.reads
        if self.release is not None:
            await self.release.wait()
        return number


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def cache_on(source: Source, clock: Clock) -> RefreshAhead[int]:
    return RefreshAhead(source.read, fresh_secs=LIFETIME, clock=clock)


async def test_a_young_value_is_answered_without_a_read() -> None:
    source, clock = Source(), Clock()
    cache = cache_on(source, clock)
    assert await cache.get() == 1
    clock.now += LIFETIME * 0.4
    assert await cache.get() == 1
    assert source.reads == 1


async def test_past_half_its_life_the_value_is_answered_and_read_again_behind() -> None:
    source, clock = Source(), Clock()
    cache = cache_on(source, clock)
    await cache.get()
    clock.now += LIFETIME * 0.6
    source.release = asyncio.Event()  # the background read waits: the caller must not
    assert await asyncio.wait_for(cache.get(), 1) == 1
    assert await cache.get() == 1  # one background read at a time
    await asyncio.sleep(0)
    assert source.reads == 2
    source.release.set()
    await asyncio.sleep(0.01)
    assert await cache.get() == 2 and source.reads == 2


async def test_past_its_life_the_value_is_waited_for() -> None:
    source, clock = Source(), Clock()
    cache = cache_on(source, clock)
    await cache.get()
    clock.now += LIFETIME * 1.1
    assert await cache.get() == 2


async def test_a_read_begun_before_invalidate_is_not_kept() -> None:
    source, clock = Source(), Clock()
    cache = cache_on(source, clock)
    await cache.get()
    clock.now += LIFETIME * 0.6
    source.release = asyncio.Event()
    await cache.get()  # starts the background read (2), held
    await asyncio.sleep(0)
    cache.invalidate()  # e.g. a rota change made by this process
    source.release.set()
    await asyncio.sleep(0.01)
    assert await cache.get() == 3  # read afresh, not the value read before the change
    await cache.close()


async def test_close_stops_a_background_read() -> None:
    source, clock = Source(), Clock()
    cache = cache_on(source, clock)
    await cache.get()
    clock.now += LIFETIME * 0.6
    source.release = asyncio.Event()  # never set
    await cache.get()
    await asyncio.sleep(0)
    await asyncio.wait_for(cache.close(), 1)
    assert source.reads == 2


async def test_refresh_soon_reads_again_behind_the_next_get_and_drops_a_read_under_way() -> None:
    source, clock = Source(), Clock()
    cache = cache_on(source, clock)
    await cache.get()
    clock.now += LIFETIME * 0.6
    source.release = asyncio.Event()
    assert await cache.get() == 1  # a background read (2) begins, held
    await asyncio.sleep(0)
    cache.refresh_soon()  # read 2 began before this: not kept
    source.release.set()
    await asyncio.sleep(0.01)
    assert await cache.get() == 1 and source.reads == 2  # still read 1; read 3 begins behind
    await asyncio.sleep(0.01)
    assert await cache.get() == 3 and source.reads == 3
    cache.refresh_soon()
    assert await cache.get() == 3  # answered at once (young), read 4 behind it
    await asyncio.sleep(0.01)
    assert await cache.get() == 4
