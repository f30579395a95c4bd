"""Counters with atomic expiry for the abuse limits: ``memory://`` or ``redis://``.

One small interface, two backends, the same contract (``tests/test_limit_store.py`` runs it on
both). Keys are opaque strings chosen by the caller (keyed hashes and chat ids, never an
address). Every key this store writes expires; nothing here is meant to outlive a day.

Guarantees:

* ``hit`` adds to a counter and sets its expiry **in the same atomic step** when the counter
  is new (fixed window) or on every hit (``slide=True``). A counter can never exist without an
  expiry (the INCR-then-EXPIRE gap of SecuScan #1759 is closed by a Lua script on Redis).
* ``day_secret`` returns the same random 32 bytes to every process sharing the store for one
  UTC day, and a fresh one the next day. It lives only in memory (this process, or Redis's
  memory with an expiry of two days); it is never written anywhere else by this code.
"""

from __future__ import annotations

import secrets
import time
from typing import Protocol

DAY_SECRET_TTL_SECS = 2 * 24 * 3600
MEMORY_PRUNE_AT = 10_000  # counters held before expired ones are swept out


class LimitStore(Protocol):
    async def hit(self, key: str, *, ttl_secs: float, amount: int = 1, slide: bool = False) -> int:
        """Add ``amount`` (may be negative) to ``key`` and return the new count."""
        ...

    async def peek(self, key: str) -> int:
        """The current count of ``key`` (0 when absent or expired)."""
        ...

    async def put(self, key: str, value: str, *, ttl_secs: float) -> None:
        """Remember a short string under ``key`` until it expires."""
        ...

    async def get(self, key: str) -> str | None:
        """The string ``put`` under ``key``, or None when absent or expired."""
        ...

    async def day_secret(self, day: str) -> bytes:
        """The random secret of UTC day ``day`` (``YYYY-MM-DD``), shared by all processes."""
        ...

    async def close(self) -> None: ...


class MemoryLimitStore:
    """In-process counters (the embedded default, and single-process deployments)."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self._values: dict[str, tuple[str, float]] = {}
        self._secrets: dict[str, bytes] = {}

    async def hit(self, key: str, *, ttl_secs: float, amount: int = 1, slide: bool = False) -> int:
        now = time.monotonic()
        count, expires = self._counts.get(key, (0, 0.0))
        if expires <= now:
            count, expires = 0, now + ttl_secs
        elif slide:
            expires = now + ttl_secs
        count += amount
        self._counts[key] = (count, expires)
        if len(self._counts) > MEMORY_PRUNE_AT:
            self._prune(now)
        return count

    def _prune(self, now: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
        self._values = {k: v for k, v in self._values.items() if v[1] > now}

    async def peek(self, key: str) -> int:
        count, expires = self._counts.get(key, (0, 0.0))
        return count if expires > time.monotonic() else 0

    async def put(self, key: str, value: str, *, ttl_secs: float) -> None:
        self._values[key] = (value, time.monotonic() + ttl_secs)

    async def get(self, key: str) -> str | None:
        value, expires = self._values.get(key, ("", 0.0))
        return value if expires > time.monotonic() else None

    async def day_secret(self, day: str) -> bytes:
        if day not in self._secrets:
            self._secrets = {day: secrets.token_bytes(32)}  # yesterday's is forgotten
        return self._secrets[day]

    async def close(self) -> None:
        self._counts.clear()
        self._values.clear()
        self._secrets.clear()


def limit_store_from_url(url: str, *, namespace: str = "chatsupport") -> LimitStore:
    """The store matching the broker URL: Redis when the broker is Redis (imported lazily)."""
    if url.startswith("memory://"):
        return MemoryLimitStore()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from chatsupport.broker.redis_limits import RedisLimitStore

        return RedisLimitStore(url, namespace=namespace)
    raise ValueError("broker URL must start with memory:// or redis://")
