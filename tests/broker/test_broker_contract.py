"""The broker contract (``chatsupport.broker.base``) on every backend, plus Redis-only cases.

Contract tests take ``make_broker``, parametrized over ``memory`` and ``redis``. On Redis
every broker a test makes shares one unique namespace, as processes of one deployment do.
The Redis-only tests restart or freeze a private ``redis-server`` of their own.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import redis.asyncio

from chatsupport.broker.base import Broker, BrokerEvent, Delivery, Gap, Subscription
from chatsupport.broker.memory import MemoryBroker
from chatsupport.broker.redis import RedisBroker
from tests.conftest import SERVICES_REQUIRED, free_port, reachable

WAIT = 5.0  # bound for anything that should take milliseconds
RECONNECT_WAIT = 10.0  # bound for the listener's backoff to find a restarted server

BrokerFactory = Callable[..., Awaitable[Broker]]


# -- helpers ------------------------------------------------------------------------------


async def next_event(events: AsyncIterator[BrokerEvent], wait: float = WAIT) -> BrokerEvent:
    async with asyncio.timeout(wait):
        return await anext(events)


async def take(events: AsyncIterator[BrokerEvent], count: int) -> list[BrokerEvent]:
    async with asyncio.timeout(WAIT):
        return [await anext(events) for _ in range(count)]


async def rest(subscription: Subscription) -> list[BrokerEvent]:
    """Everything the subscription still yields until its iteration ends."""
    async with asyncio.timeout(WAIT):
        return [event async for event in subscription]


async def eventually(check: Callable[[], Awaitable[bool]], wait: float = WAIT) -> None:
    async with asyncio.timeout(wait):
        while not await check():
            await asyncio.sleep(0.02)


def payload(number: int) -> bytes:
    return str(number).encode()


class PrivateRedis:
    """A throwaway ``redis-server`` on a port of its own, without persistence."""

    def __init__(self, binary: str, port: int, directory: Path) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self._command = [
            binary, "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(directory),
        ]  # fmt: skip
        self._process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        process = self._spawn()
        async with asyncio.timeout(WAIT):
            while not reachable(self.url, self.port):
                assert process.poll() is None, "redis-server exited at start"
                await asyncio.sleep(0.02)

    def _spawn(self) -> subprocess.Popen[bytes]:
        self._process = subprocess.Popen(
            self._command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        return self._process

    def freeze(self) -> None:
        """Stop the process without closing its sockets: connections go silent, not closed."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.send_signal(signal.SIGCONT)  # a frozen server would not act on SIGTERM
        process.terminate()
        try:
            process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- fixtures -----------------------------------------------------------------------------


def _factory(build: Callable[[int], Broker], made: list[Broker]) -> BrokerFactory:
    async def make(queue_size: int = 10_000) -> Broker:
        broker = build(queue_size)
        made.append(broker)
        await broker.start()
        return broker

    return make


@pytest.fixture(params=["memory", "redis"])
async def make_broker(request: pytest.FixtureRequest) -> AsyncIterator[BrokerFactory]:
    """Makes started brokers of the backend under test; closes them all afterwards."""
    made: list[Broker] = []
    if request.param == "memory":
        yield _factory(lambda size: MemoryBroker(queue_size=size), made)
    else:
        url: str = request.getfixturevalue("redis_url")
        namespace: str = request.getfixturevalue("unique_namespace")
        yield _factory(lambda size: RedisBroker(url, namespace=namespace, queue_size=size), made)
    for broker in made:
        await broker.close()


@pytest.fixture
async def make_redis_broker(redis_url: str, unique_namespace: str) -> AsyncIterator[BrokerFactory]:
    """Makes started Redis brokers sharing one URL and namespace; closes them afterwards."""
    made: list[Broker] = []
    yield _factory(
        lambda size: RedisBroker(redis_url, namespace=unique_namespace, queue_size=size), made
    )
    for broker in made:
        await broker.close()


@pytest.fixture
async def private_redis(tmp_path: Path) -> AsyncIterator[PrivateRedis]:
    """A running private redis-server, always terminated afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        if SERVICES_REQUIRED:
            pytest.fail("redis-server binary not found (CI=true: must not skip)")
        pytest.skip("redis-server binary not found")
    server = PrivateRedis(binary, free_port(), tmp_path)
    try:
        await server.start()
        yield server
    finally:
        server.stop()


# -- the contract, on every backend -------------------------------------------------------


async def test_delivers_to_every_subscriber_of_the_channel_and_no_other(
    make_broker: BrokerFactory,
) -> None:
    """A payload reaches every subscription of its channel and none of any other channel."""
    broker = await make_broker()
    async with (
        broker.subscribe(["room"]) as room,
        broker.subscribe(["room", "other"]) as both,
        broker.subscribe(["other"]) as other,
    ):
        await broker.publish("room", b"hello")
        await broker.publish("other", b"marker")
        assert await take(aiter(room), 1) == [Delivery("room", b"hello")]
        assert await take(aiter(both), 2) == [
            Delivery("room", b"hello"),
            Delivery("other", b"marker"),
        ]
        # Published first, so a leaked "hello" would come before the marker.
        assert await next_event(aiter(other)) == Delivery("other", b"marker")


async def test_keeps_order_of_one_publisher_for_1000_payloads(make_broker: BrokerFactory) -> None:
    """1,000 payloads from one publisher on one channel all arrive, in publishing order."""
    broker = await make_broker()
    async with broker.subscribe(["seq"]) as subscription:
        for number in range(1000):
            await broker.publish("seq", payload(number))
        received = await take(aiter(subscription), 1000)
    assert received == [Delivery("seq", payload(number)) for number in range(1000)]


async def test_publish_many_delivers_each_payload_in_order_between_single_publishes(
    make_broker: BrokerFactory,
) -> None:
    """Batches (one pipelined write on Redis) keep order with each other and with publish."""
    broker = await make_broker()
    async with broker.subscribe(["seq"]) as subscription:
        await broker.publish("seq", payload(0))
        await broker.publish_many("seq", [payload(n) for n in range(1, 200)])
        await broker.publish_many("seq", [])
        await broker.publish("seq", payload(200))
        await broker.publish_many("seq", [payload(n) for n in range(201, 300)])
        received = await take(aiter(subscription), 300)
    assert received == [Delivery("seq", payload(number)) for number in range(300)]


async def test_overflow_yields_exactly_one_gap_then_delivers_again(
    make_broker: BrokerFactory,
) -> None:
    """A full queue drops payloads, yields exactly one Gap, then delivers new payloads; twice."""
    broker = await make_broker(queue_size=3)
    async with broker.subscribe(["room"]) as slow, broker.subscribe(["probe"]) as probe:
        events, probes = aiter(slow), aiter(probe)
        for episode in range(2):
            for number in range(10):
                await broker.publish("room", payload(number))
            # The probe travels the same path after the ten: once it is here, so are they.
            await broker.publish("probe", b"sync")
            assert await next_event(probes) == Delivery("probe", b"sync")
            assert await take(events, 4) == [
                Delivery("room", b"0"),
                Delivery("room", b"1"),
                Delivery("room", b"2"),
                Gap("overflow"),
            ]
            await broker.publish("room", b"after")
            assert await next_event(events) == Delivery("room", b"after"), f"episode {episode}"


async def test_slow_subscriber_does_not_delay_a_fast_one(make_broker: BrokerFactory) -> None:
    """While one subscriber never reads, publishing and another subscriber keep full speed."""
    broker = await make_broker(queue_size=5)
    async with broker.subscribe(["room"]) as slow, broker.subscribe(["room"]) as fast:
        fast_events = aiter(fast)
        async with asyncio.timeout(WAIT):
            for number in range(100):
                await broker.publish("room", payload(number))
                assert await anext(fast_events) == Delivery("room", payload(number))
        expected: list[BrokerEvent] = [Delivery("room", payload(n)) for n in range(5)]
        assert await take(aiter(slow), 6) == [*expected, Gap("overflow")]


async def test_context_exit_unsubscribes_only_that_subscription(
    make_broker: BrokerFactory,
) -> None:
    """Leaving the context ends that subscription only; the channel can be subscribed again."""
    broker = await make_broker()
    async with broker.subscribe(["room"]) as stays:
        async with broker.subscribe(["room"]) as leaves:
            pass
        await broker.publish("room", b"one")
        assert await next_event(aiter(stays)) == Delivery("room", b"one")
        assert await rest(leaves) == []
    async with broker.subscribe(["room"]) as again:
        await broker.publish("room", b"two")
        assert await next_event(aiter(again)) == Delivery("room", b"two")


async def test_close_ends_iteration(make_broker: BrokerFactory) -> None:
    """Closing ends open subscriptions' iteration and readiness; publishing then does not raise."""
    broker = await make_broker()
    assert await broker.ready()
    async with broker.subscribe(["room"]) as subscription:
        events = aiter(subscription)
        await broker.publish("room", b"before")
        assert await next_event(events) == Delivery("room", b"before")

        async def next_or_none() -> BrokerEvent | None:
            return await anext(events, None)

        waiting = asyncio.create_task(next_or_none())
        await asyncio.sleep(0)  # let the reader block on the empty queue
        await broker.close()
        async with asyncio.timeout(WAIT):
            assert await waiting is None
        assert not await broker.ready()
        await broker.publish("room", b"after close")


# -- Redis only ---------------------------------------------------------------------------


async def test_brokers_sharing_url_and_namespace_see_each_others_publishes(
    make_redis_broker: BrokerFactory,
) -> None:
    """Two brokers (two processes) on one Redis URL and namespace receive each other's payloads."""
    first, second = await make_redis_broker(), await make_redis_broker()
    async with first.subscribe(["room"]) as on_first, second.subscribe(["room"]) as on_second:
        await first.publish("room", b"from first")
        await second.publish("room", b"from second")
        expected = {Delivery("room", b"from first"), Delivery("room", b"from second")}
        assert set(await take(aiter(on_first), 2)) == expected
        assert set(await take(aiter(on_second), 2)) == expected


async def test_redis_namespaces_are_isolated(redis_url: str, unique_namespace: str) -> None:
    """A broker on another namespace of the same Redis does not see the payloads."""
    ours = RedisBroker(redis_url, namespace=unique_namespace)
    theirs = RedisBroker(redis_url, namespace=f"cstest-{uuid.uuid4().hex[:10]}")
    await ours.start()
    await theirs.start()
    try:
        async with theirs.subscribe(["room"]) as subscription:
            await ours.publish("room", b"not for them")
            await theirs.publish("room", b"theirs")
            # Sent after ours on the same server: a leak would arrive first.
            assert await next_event(aiter(subscription)) == Delivery("room", b"theirs")
    finally:
        await ours.close()
        await theirs.close()


async def test_redis_subscribes_each_channel_once_and_unsubscribes_after_the_last(
    make_redis_broker: BrokerFactory, redis_url: str, unique_namespace: str
) -> None:
    """Local subscriptions share one server subscription per channel, dropped after the last."""
    broker = await make_redis_broker()
    client = redis.asyncio.Redis.from_url(redis_url)
    key = f"{unique_namespace}:room"

    async def server_subscribers() -> int:
        [(_, count)] = await client.pubsub_numsub(key)
        return int(count)

    async def unsubscribed() -> bool:
        return await server_subscribers() == 0

    try:
        async with broker.subscribe(["room"]), broker.subscribe(["room"]):
            assert await server_subscribers() == 1
        await eventually(unsubscribed)  # UNSUBSCRIBE is not awaited for confirmation
    finally:
        await client.aclose()


@pytest.mark.slow
async def test_redis_subscribe_waits_for_the_server_confirmation(
    private_redis: PrivateRedis, unique_namespace: str
) -> None:
    """Entering a subscription waits until Redis has confirmed the SUBSCRIBE."""
    broker = RedisBroker(private_redis.url, namespace=unique_namespace)
    await broker.start()

    async def enter_and_leave() -> None:
        async with broker.subscribe(["room"]):
            pass

    try:
        private_redis.freeze()  # briefly: well under the listener's PING + PONG timeouts
        try:
            entering = asyncio.create_task(enter_and_leave())
            done, _ = await asyncio.wait([entering], timeout=0.3)
            assert not done, "entered before Redis could confirm"
        finally:
            private_redis.thaw()
        async with asyncio.timeout(WAIT):
            await entering
        assert broker.reconnects == 0
    finally:
        await broker.close()


@pytest.mark.slow
async def test_redis_restart_yields_gap_and_delivery_resumes(
    private_redis: PrivateRedis, unique_namespace: str
) -> None:
    """Across a Redis restart: not ready while down, publish drops, Gap, then delivery again."""
    broker = RedisBroker(private_redis.url, namespace=unique_namespace, queue_size=100)
    await broker.start()
    try:
        async with broker.subscribe(["room"]) as early:
            events = aiter(early)
            await broker.publish("room", b"before")
            assert await next_event(events) == Delivery("room", b"before")
            assert await broker.ready()

            private_redis.stop()
            await eventually(_not(broker.ready))
            async with asyncio.timeout(WAIT):  # retries about a second, then gives up quietly
                await broker.publish("room", b"lost")
            assert broker.dropped_publishes == 1
            entering = asyncio.get_running_loop().time()
            async with broker.subscribe(["room"]) as late:
                # Registered locally without waiting for the server that is not there.
                assert asyncio.get_running_loop().time() - entering < 1.0
                late_events = aiter(late)
                await private_redis.start()
                assert isinstance(await next_event(events, RECONNECT_WAIT), Gap)
                assert isinstance(await next_event(late_events), Gap)
                assert broker.reconnects >= 1
                await eventually(broker.ready)
                await broker.publish("room", b"after")
                assert await next_event(events) == Delivery("room", b"after")
                assert await next_event(late_events) == Delivery("room", b"after")
    finally:
        await broker.close()


@pytest.mark.slow
async def test_redis_silent_server_is_detected_by_ping(
    private_redis: PrivateRedis, unique_namespace: str
) -> None:
    """A server that stops answering without closing sockets is detected; the listener recovers."""
    broker = RedisBroker(private_redis.url, namespace=unique_namespace, queue_size=100)
    await broker.start()
    try:
        async with broker.subscribe(["room"]) as subscription:
            events = aiter(subscription)
            private_redis.freeze()
            try:
                # Longer than a PING after 1 s of silence plus 2 s without PONG.
                await asyncio.sleep(3.5)
            finally:
                private_redis.thaw()
            assert isinstance(await next_event(events, RECONNECT_WAIT), Gap)
            assert broker.reconnects >= 1
            await broker.publish("room", b"after")
            assert await next_event(events) == Delivery("room", b"after")
    finally:
        await broker.close()


def _not(check: Callable[[], Awaitable[bool]]) -> Callable[[], Awaitable[bool]]:
    async def negated() -> bool:
        return not await check()

    return negated
