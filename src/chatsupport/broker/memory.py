"""The in-process broker, and the local fan-out every backend delivers through.

``Fanout`` and ``QueueSubscription`` hold the per-subscription queues and the overflow rule;
``MemoryBroker`` is a ``Fanout`` with a lifecycle, and ``RedisBroker`` feeds one from Redis.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from chatsupport.broker.base import BrokerEvent, Delivery, Gap


class QueueSubscription:
    """One subscriber's bounded queue of events; async-iterate it to receive them.

    Producers never wait: ``offer`` drops a payload when ``queue_size`` deliveries are already
    waiting, and then queues a single ``Gap`` so the subscriber sees exactly one ``Gap``
    before its next ``Delivery``. The underlying queue has two slots beyond ``queue_size``:
    one for that ``Gap`` and one for the end marker, so neither is ever refused. Consecutive
    gaps collapse into one (the first reason wins). After ``end`` the queued events are still
    yielded, then iteration stops. One consumer at a time.
    """

    def __init__(self, channels: Sequence[str], queue_size: int) -> None:
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self.channels: tuple[str, ...] = tuple(dict.fromkeys(channels))
        self._limit = queue_size
        # None is the end marker.
        self._queue: asyncio.Queue[BrokerEvent | None] = asyncio.Queue(maxsize=queue_size + 2)
        self._gap_at_tail = False
        self._ended = False
        self._finished = False

    @property
    def ended(self) -> bool:
        return self._ended

    def offer(self, delivery: Delivery) -> None:
        """Queue ``delivery``, or drop it and queue a ``Gap`` if the subscriber is behind."""
        if self._ended:
            return
        if self._queue.qsize() >= self._limit:
            self.offer_gap("overflow")
            return
        self._queue.put_nowait(delivery)
        self._gap_at_tail = False

    def offer_gap(self, reason: str) -> None:
        """Queue a ``Gap`` unless the newest queued event already is one."""
        if self._ended or self._gap_at_tail:
            return
        # Fits: a Delivery is only queued below the limit, so without a Gap at the tail the
        # queue holds at most queue_size events.
        self._queue.put_nowait(Gap(reason))
        self._gap_at_tail = True

    def end(self) -> None:
        """Stop accepting events; the consumer's iteration ends after the queued ones."""
        if not self._ended:
            self._ended = True
            self._queue.put_nowait(None)

    def __aiter__(self) -> AsyncIterator[BrokerEvent]:
        return self

    async def __anext__(self) -> BrokerEvent:
        if self._finished:
            raise StopAsyncIteration
        event = await self._queue.get()
        if self._queue.empty():
            # A Gap just taken must not swallow the next one: the consumer may already be
            # catching up from the database.
            self._gap_at_tail = False
        if event is None:
            self._finished = True
            raise StopAsyncIteration
        return event


class Fanout:
    """Channel → subscriptions registry that hands each payload to every subscription.

    Synchronous and non-blocking: a slow subscriber only ever fills its own queue.
    """

    def __init__(self, queue_size: int) -> None:
        self._queue_size = queue_size
        self._by_channel: dict[str, set[QueueSubscription]] = {}
        self._subscriptions: set[QueueSubscription] = set()

    def add(self, channels: Sequence[str]) -> tuple[QueueSubscription, list[str]]:
        """Register a new subscription; also return the channels nobody wanted before."""
        subscription = QueueSubscription(channels, self._queue_size)
        first: list[str] = []
        for channel in subscription.channels:
            holders = self._by_channel.setdefault(channel, set())
            if not holders:
                first.append(channel)
            holders.add(subscription)
        self._subscriptions.add(subscription)
        return subscription, first

    def remove(self, subscription: QueueSubscription) -> list[str]:
        """Unregister ``subscription``; return the channels nobody wants any more."""
        self._subscriptions.discard(subscription)
        last: list[str] = []
        for channel in subscription.channels:
            holders = self._by_channel.get(channel)
            if holders is None or subscription not in holders:
                continue
            holders.discard(subscription)
            if not holders:
                del self._by_channel[channel]
                last.append(channel)
        return last

    def channels(self) -> list[str]:
        """Every channel at least one subscription wants."""
        return list(self._by_channel)

    def deliver(self, channel: str, data: bytes) -> None:
        subscriptions = self._by_channel.get(channel)
        if not subscriptions:
            return
        delivery = Delivery(channel, data)
        for subscription in subscriptions:
            subscription.offer(delivery)

    def gap_all(self, reason: str) -> None:
        for subscription in self._subscriptions:
            subscription.offer_gap(reason)

    def end_all(self) -> None:
        for subscription in self._subscriptions:
            subscription.end()


class Lifecycle(enum.Enum):
    NEW = "new"
    STARTED = "started"
    CLOSED = "closed"


class MemoryBroker:
    """In-process fan-out: one process only, no network, nothing to lose but slow readers.

    ``start`` must be called before ``publish``/``subscribe`` (``RuntimeError`` otherwise).
    After ``close``, ``publish`` drops silently and ``subscribe`` yields an ended subscription.
    """

    def __init__(self, queue_size: int = 10000) -> None:
        self._fanout = Fanout(queue_size)
        self._state = Lifecycle.NEW

    async def start(self) -> None:
        if self._state is Lifecycle.CLOSED:
            raise RuntimeError("a closed broker cannot be started again")
        self._state = Lifecycle.STARTED

    async def close(self) -> None:
        self._state = Lifecycle.CLOSED
        self._fanout.end_all()

    async def publish(self, channel: str, data: bytes) -> None:
        """Queue ``data`` for every current subscription of ``channel``; never waits."""
        if self._state is Lifecycle.NEW:
            raise RuntimeError("broker not started")
        if self._state is Lifecycle.STARTED:
            self._fanout.deliver(channel, data)

    async def publish_many(self, channel: str, payloads: Sequence[bytes]) -> None:
        for data in payloads:
            await self.publish(channel, data)

    @asynccontextmanager
    async def subscribe(self, channels: Sequence[str]) -> AsyncIterator[QueueSubscription]:
        """Registered before the body runs; unregistered and ended when it exits."""
        if self._state is Lifecycle.NEW:
            raise RuntimeError("broker not started")
        subscription, _ = self._fanout.add(channels)
        if self._state is Lifecycle.CLOSED:
            subscription.end()
        try:
            yield subscription
        finally:
            self._fanout.remove(subscription)
            subscription.end()

    async def ready(self) -> bool:
        return self._state is Lifecycle.STARTED

    @property
    def reconnects(self) -> int:
        """Always 0: there is no connection to lose."""
        return 0

    @property
    def dropped_publishes(self) -> int:
        """Always 0: an in-process publish cannot fail (slow readers get a ``Gap`` instead)."""
        return 0
