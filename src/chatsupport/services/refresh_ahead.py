"""A value read from the database and kept for a moment, read again ahead of its expiry.

Who is on duty is needed each time a young person opens a chat (every on-duty console gets
the tag). Kept for a second and then read afresh by whichever open came next, one open a
second waited ~5 ms for the rota before anyone was tagged (bench/README.md, "fifth session").
Here a value past half its lifetime is answered at once while one background read replaces
it; only a value past its whole lifetime, or one dropped by ``invalidate``, is waited for. So
a change made elsewhere still counts within ``fresh_secs`` (plus one read), as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger("chatsupport.cache")


class RefreshAhead(Generic[T]):
    def __init__(
        self,
        read: Callable[[], Awaitable[T]],
        *,
        fresh_secs: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._fresh_secs = fresh_secs
        self._clock = clock
        self._held: tuple[float, T] | None = None  # (monotonic time its read began, value)
        self._generation = 0  # moved on by invalidate: a read begun before it is not kept
        self._refreshing: asyncio.Task[None] | None = None
        self._stale = False  # set by refresh_soon: read again on the next get, in the background

    async def get(self) -> T:
        held = self._held
        age = self._clock() - held[0] if held is not None else 0.0
        if held is None or age > self._fresh_secs:
            return await self.read_now()
        if (age > self._fresh_secs / 2 or self._stale) and self._refreshing is None:
            self._refreshing = asyncio.create_task(self._refresh(), name="refresh-ahead")
        return held[1]

    async def read_now(self) -> T:
        generation, began = self._generation, self._clock()
        value = await self._read()
        if generation == self._generation:
            self._held = (began, value)
            self._stale = False
        return value

    def invalidate(self) -> None:
        """Drop the value: the next ``get`` waits for a fresh read."""
        self._generation += 1
        self._held = None

    def refresh_soon(self) -> None:
        """The next ``get`` answers the value held (if still fresh) and reads it again in the
        background; a read already under way is not kept. For changes that need not be seen
        at once: the housekeeping sweep, which reads nothing itself while no one asks."""
        self._generation += 1
        self._stale = True

    async def close(self) -> None:
        task = self._refreshing
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _refresh(self) -> None:
        try:
            await self.read_now()
        except Exception as exc:  # the value ages out; the next caller reads and sees the error
            log.warning("background refresh failed: %s", type(exc).__name__)
        finally:
            self._refreshing = None
