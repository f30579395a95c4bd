"""The Redis ``LimitStore``: counters shared by every process of one deployment.

Each counter update is one Lua script (INCRBY and PEXPIRE together), so no key is ever left
without an expiry. The day secret is created with ``SET NX EX`` inside a script and read back,
so the first process of the day picks it and the others adopt it.

A limiter must not take the chat down: when Redis does not answer, ``hit`` and ``peek``
answer 0 (allow) and log the error class (never a key), and ``day_secret`` falls back to a
secret local to this process until Redis answers again.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from chatsupport.broker.limit_store import DAY_SECRET_TTL_SECS

log = logging.getLogger("chatsupport.limits")

COMMAND_TIMEOUT_SECS = 1.0

_HIT_SCRIPT = """
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if ARGV[3] == '1' or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return n
"""

_DAY_SCRIPT = """
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])
return redis.call('GET', KEYS[1])
"""

_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)


class RedisLimitStore:
    def __init__(self, url: str, *, namespace: str) -> None:
        self._redis: Redis = Redis.from_url(
            url, socket_timeout=COMMAND_TIMEOUT_SECS, socket_connect_timeout=COMMAND_TIMEOUT_SECS
        )
        self._prefix = f"{namespace}:limits:"
        self._hit: Any = self._redis.register_script(_HIT_SCRIPT)
        self._day: Any = self._redis.register_script(_DAY_SCRIPT)
        self._secrets: dict[str, bytes] = {}
        self._fallback: dict[str, bytes] = {}

    async def hit(self, key: str, *, ttl_secs: float, amount: int = 1, slide: bool = False) -> int:
        ttl_ms = max(1, int(ttl_secs * 1000))
        try:
            args = [amount, ttl_ms, "1" if slide else "0"]
            return int(await self._hit(keys=[self._prefix + key], args=args))
        except _ERRORS as exc:
            log.warning("limit counter unavailable (%s); allowing", type(exc).__name__)
            return 0

    async def peek(self, key: str) -> int:
        try:
            value = await self._redis.get(self._prefix + key)
        except _ERRORS as exc:
            log.warning("limit counter unavailable (%s); allowing", type(exc).__name__)
            return 0
        return int(value) if value is not None else 0

    async def put(self, key: str, value: str, *, ttl_secs: float) -> None:
        try:
            await self._redis.set(self._prefix + key, value, px=max(1, int(ttl_secs * 1000)))
        except _ERRORS as exc:
            log.warning("limit store unavailable (%s)", type(exc).__name__)

    async def get(self, key: str) -> str | None:
        try:
            value = await self._redis.get(self._prefix + key)
        except _ERRORS as exc:
            log.warning("limit store unavailable (%s)", type(exc).__name__)
            return None
        return value.decode() if isinstance(value, bytes) else value

    async def day_secret(self, day: str) -> bytes:
        if day in self._secrets:
            return self._secrets[day]
        fresh = secrets.token_bytes(32)
        try:
            found = await self._day(
                keys=[f"{self._prefix}day_secret:{day}"], args=[fresh, DAY_SECRET_TTL_SECS]
            )
        except _ERRORS as exc:
            log.warning("day secret unavailable (%s); using a local one", type(exc).__name__)
            self._fallback = {day: self._fallback.get(day, fresh)}
            return self._fallback[day]
        self._secrets = {day: bytes(found)}
        return self._secrets[day]

    async def close(self) -> None:
        await self._redis.aclose()
