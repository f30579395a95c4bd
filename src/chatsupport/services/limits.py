"""Abuse limits for the anonymous side, keyed without storing any address.

A youth connection is known to the limits only by its **key**: ``HMAC-SHA256(day secret,
address bucket)`` (``domain/client_address.py``: IPv4 as is, IPv6 by /64), hex, truncated to
128 bits. The day secret is random, changes every UTC day and lives only in memory (see
``broker/limit_store.py``), so yesterday's keys cannot be recomputed by anyone, and an address
cannot be recovered from a key without the secret. Keys, not addresses, go to the counters;
the address itself is dropped as soon as the key is made.

Limits (defaults in ``LimitSettings``; docs/security.md lists them):

* connections per key at once → ``rate.too_many_connections`` (the socket is then closed)
* chats opened per key per hour → ``rate.too_many_chats``
* messages per chat per minute (youth side) → ``rate.too_many_messages``, counted by each
  process for the sockets it serves (``message_store``, below)
* chats waiting in the queue, all processes together → ``queue.full``
* a key blocked by a responder (``block``) may not open chats for ``block_minutes``
  → ``rate.too_many_chats`` (the youth is not told that they were blocked)

Each refusal is counted in ``services/limit_counts.py``.

The message counter is the only one checked on every message, and a chat's young person is
served by one process (a second socket of the same chat, or one after a reconnect, may land
on another). Counted in the shared store it cost one Redis script call per message: 16 % of a
cluster process's event-loop time at 1,000 round trips/s (bench/README.md, "sixth session").
So it lives in ``message_store``, in this process's memory: a flood through one socket is cut
off exactly as before; a young person holding sockets on N processes at once, or reconnecting
to another process within the minute, may send up to N times the limit. It is a flood guard
for the responder's screen, not an abuse ban (those are the per-key limits, which stay
shared).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NoReturn

from chatsupport.broker.limit_store import LimitStore
from chatsupport.domain.client_address import address_bucket
from chatsupport.domain.errors import TooManyRequests
from chatsupport.services import limit_counts

KEY_HEX_CHARS = 32
CONNECTION_TTL_SECS = 3600.0  # a crashed process's connection counts fade within an hour
CHAT_KEY_TTL_SECS = 12 * 3600.0  # how long a chat can still be blocked after it opened


@dataclass(frozen=True, slots=True)
class LimitSettings:
    connections_per_key: int = 20
    chats_per_key_per_hour: int = 20
    messages_per_chat_per_minute: int = 30
    max_waiting_chats: int = 100
    block_minutes: int = 60


class RateLimited(TooManyRequests):
    """A limit refused the action; ``code`` says which."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AbuseLimits:
    def __init__(
        self,
        *,
        store: LimitStore,
        settings: LimitSettings,
        message_store: LimitStore | None = None,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.store = store
        self.message_store = message_store or store
        self.settings = settings
        self._now = now

    async def client_key(self, host: str | None) -> str:
        """The day's keyed hash of the client's address bucket (the only form ever kept)."""
        secret = await self.store.day_secret(self._now().date().isoformat())
        digest = hmac.new(secret, address_bucket(host).encode(), hashlib.sha256)
        return digest.hexdigest()[:KEY_HEX_CHARS]

    async def connect(self, key: str) -> None:
        """Count one more connection of ``key``; raises (and uncounts) over the limit."""
        count = await self.store.hit(f"conn:{key}", ttl_secs=CONNECTION_TTL_SECS, slide=True)
        if count > self.settings.connections_per_key:
            await self.disconnect(key)
            self._refuse("rate.too_many_connections", "Too many connections; try again later.")

    async def disconnect(self, key: str) -> None:
        """One connection of ``key`` ended (call exactly once per successful ``connect``)."""
        await self.store.hit(f"conn:{key}", ttl_secs=CONNECTION_TTL_SECS, amount=-1, slide=True)

    async def check_open(self, key: str) -> None:
        """May ``key`` open a chat now? Counts the open; the queue's cap is checked when the
        chat is stored (``max_waiting_chats``), and ``queue_full`` takes the count back."""
        if await self.store.peek(f"block:{key}") > 0:
            limit_counts.count("rate.blocked_open")
            raise RateLimited("Too many chats opened; try again later.", code="rate.too_many_chats")
        count = await self.store.hit(f"opens:{key}", ttl_secs=3600.0)
        if count > self.settings.chats_per_key_per_hour:
            self._refuse("rate.too_many_chats", "Too many chats opened; try again later.")

    async def queue_full(self, key: str) -> NoReturn:
        """The queue had no room for the chat ``key`` opened: refused, and not counted."""
        await self.store.hit(f"opens:{key}", ttl_secs=3600.0, amount=-1)
        self._refuse("queue.full", "The queue is full; try again in a moment.")

    async def remember_chat(self, key: str, chat_id: str) -> None:
        """Link a new chat to its key in the limit store, so that it can be blocked later."""
        await self.store.put(f"chat:{chat_id}", key, ttl_secs=CHAT_KEY_TTL_SECS)

    async def check_message(self, chat_id: str) -> None:
        """May the youth of ``chat_id`` send one more message this minute?"""
        count = await self.message_store.hit(f"msgs:{chat_id}", ttl_secs=60.0)
        if count > self.settings.messages_per_chat_per_minute:
            self._refuse("rate.too_many_messages", "Too many messages; wait a moment.")

    async def block_chat(self, chat_id: str) -> None:
        """Stop the key that opened ``chat_id`` from opening chats for ``block_minutes``.

        Nothing about the key is returned: the caller (a responder) learns nothing.
        """
        limit_counts.count("chat.blocked")
        key = await self.store.get(f"chat:{chat_id}")
        if key is not None:
            ttl = self.settings.block_minutes * 60.0
            await self.store.hit(f"block:{key}", ttl_secs=ttl, slide=True)

    @staticmethod
    def _refuse(code: str, message: str) -> NoReturn:
        limit_counts.count(code)
        raise RateLimited(message, code=code)
