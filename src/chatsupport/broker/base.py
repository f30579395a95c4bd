"""The broker interface and its guarantees.

Guarantees every backend gives (the contract tests in ``tests/broker/`` check each):

* ``publish`` hands a payload to every subscription of that channel *that exists when the
  broker receives it*, on this process and (Redis) every other process sharing the URL and
  namespace. Payloads from one publisher on one channel arrive in the order published.
* Delivery is **at most once**. Whenever a subscription may have missed payloads — its queue
  overflowed, or the connection to Redis dropped and came back — it yields one ``Gap`` before
  the next ``Delivery``. A consumer that sees ``Gap`` must catch up from the database.
* Publishing never waits on a slow subscriber: each subscription has a bounded queue; when it
  is full the payload is dropped for that subscription and a ``Gap`` is queued instead.
* ``publish`` does not raise when Redis is down; it retries briefly, then drops the payload
  and counts it (``dropped_publishes``). Subscribers will see a ``Gap`` when Redis returns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Delivery:
    channel: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Gap:
    """Payloads may have been lost just before this point; catch up from the database."""

    reason: str


BrokerEvent = Delivery | Gap


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[BrokerEvent]: ...


class Broker(Protocol):
    async def start(self) -> None:
        """Connect (Redis) and start any listener task. Idempotent."""

    async def close(self) -> None:
        """Stop listeners and close connections; open subscriptions end their iteration."""

    async def publish(self, channel: str, data: bytes) -> None: ...

    async def publish_many(self, channel: str, payloads: Sequence[bytes]) -> None:
        """Publish each payload in order, as if by ``publish`` one after another (Redis: in
        one pipelined write, one round trip for the lot)."""
        ...

    def subscribe(self, channels: Sequence[str]) -> AbstractAsyncContextManager[Subscription]:
        """Subscribe to ``channels``; the subscription is live when the context is entered."""
        ...

    async def ready(self) -> bool:
        """True when the broker can deliver now (Redis answers PING)."""
        ...

    @property
    def reconnects(self) -> int:
        """How many times the connection to the backend was re-established."""
        ...


def broker_from_url(url: str, *, namespace: str = "chatsupport", queue_size: int = 10000) -> Broker:
    """``memory://`` or ``redis://host:port/db`` (``rediss://`` too). Redis is imported lazily."""
    if url.startswith("memory://"):
        from chatsupport.broker.memory import MemoryBroker

        return MemoryBroker(queue_size=queue_size)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from chatsupport.broker.redis import RedisBroker

        return RedisBroker(url, namespace=namespace, queue_size=queue_size)
    raise ValueError("broker URL must start with memory:// or redis://")
