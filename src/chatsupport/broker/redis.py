"""The Redis broker: Redis PUBLISH/SUBSCRIBE between processes, local fan-out within one.

Each broker has one publishing connection pool and ONE listener task that owns ONE subscriber
connection, subscribed to the union of the channels its local subscriptions want (a channel
is SUBSCRIBEd when its first local subscriber arrives and UNSUBSCRIBEd when its last leaves).
The listener hands payloads to a ``Fanout``, so a slow subscriber only fills its own queue.

Why the subscriber connection is driven by hand instead of through redis-py's ``PubSub``: that
object reconnects and resubscribes by itself when a command meets a dropped connection, and
its health checks do not reliably raise (redis-py #2089, #2417, #3979). A reconnect we did not
see is a ``Gap`` nobody receives. So the listener reads with a timeout, PINGs after a second of
silence, treats a missing PONG or any connection error as a lost connection, then reconnects
with capped exponential backoff on a fresh connection, resubscribes everything, and only when
Redis has confirmed every channel queues one ``Gap("reconnected")`` for every subscription.

Only this module imports ``redis``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from chatsupport.broker.memory import Fanout, Lifecycle, QueueSubscription

log = logging.getLogger("chatsupport.broker")

PING_AFTER_SILENCE = 1.0  # seconds without any data before the listener PINGs
PONG_TIMEOUT = 2.0  # seconds a PING may go unanswered before the connection counts as lost
BACKOFF_START = 0.1
BACKOFF_CAP = 2.0
CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 1.0  # socket timeout of the publishing connections
PUBLISH_RETRY_WINDOW = 1.0
PUBLISH_BACKOFF_START = 0.05
PUBLISH_BACKOFF_CAP = 0.25
READY_TIMEOUT = 0.5
# A safety net only: the listener answers a waiting subscribe long before this, either with
# Redis's confirmation or by declaring the connection lost (within PING + PONG timeouts).
CONFIRM_TIMEOUT = 5.0
START_TIMEOUT = CONNECT_TIMEOUT + PING_AFTER_SILENCE + PONG_TIMEOUT

# Errors that mean "the connection is unusable". Builtin TimeoutError is an OSError.
_CONNECTION_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)


class _ConnectionLost(Exception):
    """The listener's own verdict that the subscriber connection is dead."""


_LISTENER_ERRORS: tuple[type[Exception], ...] = (_ConnectionLost, *_CONNECTION_ERRORS)


class _Heartbeat:
    """When a silent subscriber connection gets a PING, and when its silence means death."""

    def __init__(self) -> None:
        self._clock = asyncio.get_running_loop().time
        self._last_heard = self._clock()
        self._ping_sent: float | None = None

    def ping_due(self) -> bool:
        silence = self._clock() - self._last_heard
        return self._ping_sent is None and silence >= PING_AFTER_SILENCE

    def pinged(self) -> None:
        self._ping_sent = self._clock()

    def wait(self) -> float:
        """Seconds to wait for data now; raises ``_ConnectionLost`` if a PING went unanswered."""
        now = self._clock()
        if self._ping_sent is None:
            return max(self._last_heard + PING_AFTER_SILENCE - now, 0.0)
        left = self._ping_sent + PONG_TIMEOUT - now
        if left <= 0:
            raise _ConnectionLost(f"no PONG within {PONG_TIMEOUT} s")
        return left

    def heard(self, *, pong: bool) -> None:
        self._last_heard = self._clock()
        if pong:
            self._ping_sent = None


# redis-py leaves these three unannotated; the wrappers keep the untyped calls in one place.
async def _checkout(pool: ConnectionPool) -> AbstractConnection:
    """A connected connection from ``pool``; nothing has been sent when this raises."""
    conn: AbstractConnection = await pool.get_connection()  # type: ignore[no-untyped-call]
    return conn


def _new_connection(pool: ConnectionPool) -> AbstractConnection:
    """A connection the pool does not track: the caller alone disconnects it."""
    conn: AbstractConnection = pool.make_connection()  # type: ignore[no-untyped-call]
    return conn


async def _open(conn: AbstractConnection) -> None:
    await conn.connect()  # type: ignore[no-untyped-call]


class RedisBroker:
    """A ``Broker`` over Redis pub/sub; see ``base.py`` for the guarantees.

    Redis channel names are ``f"{namespace}:{channel}"``. ``start`` must be called before
    ``publish``/``subscribe`` (``RuntimeError`` otherwise); it waits a few seconds at most for
    the first connection and does not fail when Redis is down (the listener keeps trying and
    every subscription gets a ``Gap`` once it is connected). ``dropped_publishes`` counts
    payloads given up on; ``reconnects`` counts re-established subscriber connections.
    """

    def __init__(
        self, url: str, *, namespace: str = "chatsupport", queue_size: int = 10000
    ) -> None:
        self._url = url
        self._prefix = f"{namespace}:"
        self._fanout = Fanout(queue_size)
        self._state = Lifecycle.NEW
        self._publish_pool: ConnectionPool | None = None
        self._listen_pool: ConnectionPool | None = None
        self._listener: asyncio.Task[None] | None = None
        # The live subscriber connection; None while the listener is (re)connecting. Other
        # tasks write SUBSCRIBE/UNSUBSCRIBE on it; only the listener reads from it.
        self._conn: AbstractConnection | None = None
        # Per channel, one future per SUBSCRIBE sent on self._conn, oldest first: Redis
        # confirms in command order, so each confirmation resolves the oldest future.
        self._pending: dict[str, deque[asyncio.Future[None]]] = {}
        self._synced = False  # self._conn has confirmed every channel wanted when it connected
        self._syncs = 0  # connections that got that far
        self._first_attempt = asyncio.Event()
        self._reconnects = 0
        self._dropped_publishes = 0

    @property
    def reconnects(self) -> int:
        return self._reconnects

    @property
    def dropped_publishes(self) -> int:
        """Payloads given up on because Redis could not be reached (or failed mid-command)."""
        return self._dropped_publishes

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        if self._state is Lifecycle.CLOSED:
            raise RuntimeError("a closed broker cannot be started again")
        if self._state is Lifecycle.STARTED:
            return
        self._state = Lifecycle.STARTED
        self._publish_pool = self._make_pool(socket_timeout=COMMAND_TIMEOUT)
        # No socket timeout here: the listener passes its own timeout to every read.
        self._listen_pool = self._make_pool(socket_timeout=None)
        self._listener = asyncio.create_task(self._listen_forever(), name="redis-broker-listener")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(START_TIMEOUT):
                await self._first_attempt.wait()

    def _make_pool(self, socket_timeout: float | None) -> ConnectionPool:
        return ConnectionPool.from_url(
            self._url,
            # No retries inside redis-py: this class decides when to retry (module docstring).
            retry=Retry(NoBackoff(), 0),
            # RESP2: pub/sub messages are ordinary replies that the listener reads in order,
            # not RESP3 pushes diverted to redis-py's push handler.
            protocol=2,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=socket_timeout,
        )

    async def close(self) -> None:
        """Stop the listener, end every subscription's iteration, close all connections."""
        if self._state is Lifecycle.CLOSED:
            return
        self._state = Lifecycle.CLOSED
        self._fanout.end_all()
        if self._listener is not None:
            self._listener.cancel()
            # wait() rather than await: the listener's CancelledError is not ours to raise.
            await asyncio.wait([self._listener])
        for pool in (self._publish_pool, self._listen_pool):
            if pool is not None:
                with contextlib.suppress(*_CONNECTION_ERRORS):
                    await pool.aclose()

    async def ready(self) -> bool:
        """True when the listener is subscribed and Redis answers PING within half a second."""
        if self._state is not Lifecycle.STARTED or not self._synced:
            return False
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                reply = await self._round_trip("PING")
        except Exception:  # any failure means "not ready"; the listener logs the details
            return False
        return reply in (b"PONG", "PONG")

    # -- publishing ----------------------------------------------------------------------

    async def publish(self, channel: str, data: bytes) -> None:
        """PUBLISH ``data``; never raises for connection trouble.

        Retries with backoff for about a second while no connection can be made. An error
        after the command may have been sent is not retried (a retry could deliver twice;
        delivery is at most once). Either way the payload is then dropped and counted.
        After ``close`` payloads are dropped silently.
        """
        await self.publish_many(channel, [data])

    async def publish_many(self, channel: str, payloads: Sequence[bytes]) -> None:
        """``publish`` for several payloads: one pipelined write, one round trip, in order."""
        if self._state is Lifecycle.NEW:
            raise RuntimeError("broker not started")
        if self._state is Lifecycle.CLOSED or not payloads:
            return
        try:
            if await self._publish_with_retry(self._key(channel), payloads):
                return
            log.warning("Redis unreachable for %.1f s, payload dropped", PUBLISH_RETRY_WINDOW)
        except _CONNECTION_ERRORS as exc:
            log.warning("publish failed mid-command, payload dropped: %r", exc)
        self._dropped_publishes += len(payloads)

    async def _publish_with_retry(self, key: str, payloads: Sequence[bytes]) -> bool:
        """True once published; False if no connection could be had within the window."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PUBLISH_RETRY_WINDOW
        delay = PUBLISH_BACKOFF_START
        while not await self._publish_once(key, payloads):
            if loop.time() + delay > deadline:
                return False
            await asyncio.sleep(delay)
            delay = min(delay * 2, PUBLISH_BACKOFF_CAP)
        return True

    async def _publish_once(self, key: str, payloads: Sequence[bytes]) -> bool:
        """False if no connection could be had (nothing was sent, so a retry is safe)."""
        pool = self._pool(self._publish_pool)
        try:
            conn = await _checkout(pool)
        except _CONNECTION_ERRORS:
            return False
        try:
            commands = [("PUBLISH", key, data) for data in payloads]
            await conn.send_packed_command(conn.pack_commands(commands))
            for _ in commands:
                await conn.read_response()
        finally:
            await pool.release(conn)
        return True

    async def _round_trip(self, *args: str) -> Any:
        pool = self._pool(self._publish_pool)
        conn = await _checkout(pool)
        try:
            await conn.send_command(*args)
            return await conn.read_response()
        finally:
            await pool.release(conn)

    # -- subscribing ---------------------------------------------------------------------

    @asynccontextmanager
    async def subscribe(self, channels: Sequence[str]) -> AsyncIterator[QueueSubscription]:
        """Live when the body runs: registered locally and, while Redis is up, confirmed by it.

        While Redis is down the subscription is registered but not confirmed; it receives a
        ``Gap`` once the listener has reconnected and resubscribed.
        """
        if self._state is Lifecycle.NEW:
            raise RuntimeError("broker not started")
        subscription, first = self._fanout.add(channels)
        try:
            if self._state is Lifecycle.CLOSED:
                subscription.end()
            else:
                await self._confirm(subscription, first)
            yield subscription
        finally:
            subscription.end()
            await self._unsubscribe(self._fanout.remove(subscription))

    async def _confirm(self, subscription: QueueSubscription, first: list[str]) -> None:
        """SUBSCRIBE the ``first``-wanted channels; wait until Redis confirms all of ours."""
        conn = self._conn
        if conn is None:
            return  # the listener subscribes every wanted channel when it reconnects
        # Channels someone else asked for a moment ago may still await their confirmation.
        waits = [
            queue[-1]
            for channel in subscription.channels
            if channel not in first and (queue := self._pending.get(channel))
        ]
        try:
            waits += await self._send_subscribe(conn, first)
        except _CONNECTION_ERRORS as exc:
            log.warning("SUBSCRIBE failed, reconnecting: %r", exc)
            self._lose(conn)
            return
        if waits:
            # wait(), not await: a cancelled subscriber must not cancel futures others share.
            await asyncio.wait(waits, timeout=CONFIRM_TIMEOUT)

    async def _send_subscribe(
        self, conn: AbstractConnection, channels: Sequence[str]
    ) -> list[asyncio.Future[None]]:
        if not channels:
            return []
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[None]] = []
        for channel in channels:
            future: asyncio.Future[None] = loop.create_future()
            self._pending.setdefault(channel, deque()).append(future)
            futures.append(future)
        await conn.send_command("SUBSCRIBE", *map(self._key, channels), check_health=False)
        return futures

    async def _unsubscribe(self, channels: list[str]) -> None:
        conn = self._conn
        if not channels or conn is None:
            return  # while disconnected there is nothing to undo: resubscription skips them
        try:
            await conn.send_command("UNSUBSCRIBE", *map(self._key, channels), check_health=False)
        except _CONNECTION_ERRORS as exc:
            log.warning("UNSUBSCRIBE failed, reconnecting: %r", exc)
            self._lose(conn)

    # -- the listener --------------------------------------------------------------------

    async def _listen_forever(self) -> None:
        """Own the subscriber connection for the broker's lifetime; reconnect when it drops."""
        delay = BACKOFF_START
        failures = 0
        while True:
            if await self._connect_and_serve(quiet=failures > 0):
                delay, failures = BACKOFF_START, 0  # it worked: start the backoff afresh
            else:
                failures += 1
            self._first_attempt.set()
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_CAP)

    async def _connect_and_serve(self, *, quiet: bool) -> bool:
        """One connection's whole life; True if it got as far as resubscribing everything.

        ``quiet`` logs a failure to connect at DEBUG: an outage is reported once, not every
        couple of seconds.
        """
        try:
            conn = await self._connect()
        except _CONNECTION_ERRORS as exc:
            log.log(logging.DEBUG if quiet else logging.WARNING, "cannot connect to Redis: %r", exc)
            return False
        syncs_before = self._syncs
        try:
            await self._serve(conn)
        except _LISTENER_ERRORS as exc:
            log.warning("Redis subscriber connection lost: %r", exc)
        except Exception:  # a bug must not end the listener: log it and reconnect
            log.exception("Redis listener failed; reconnecting")
        finally:
            self._lose(conn)
            await self._disconnect(conn)
        return self._syncs > syncs_before

    async def _connect(self) -> AbstractConnection:
        conn = _new_connection(self._pool(self._listen_pool))
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                await _open(conn)
        except BaseException:
            await self._disconnect(conn)
            raise
        return conn

    async def _serve(self, conn: AbstractConnection) -> None:
        """Resubscribe on a fresh connection, then read it until it is lost (always raises)."""
        self._conn = conn
        # Snapshot and SUBSCRIBE with no await in between: a subscriber arriving later sees
        # self._conn set and sends its own SUBSCRIBE.
        resync = await self._send_subscribe(conn, self._fanout.channels())
        held: list[tuple[str, bytes]] | None = []  # payloads read before the resync completed
        heartbeat = _Heartbeat()
        while True:
            if self._conn is not conn:
                raise _ConnectionLost("a command on the connection failed")
            if held is not None and all(future.done() for future in resync):
                self._finish_resync(held)
                held = None
            if heartbeat.ping_due():
                await conn.send_command("PING", check_health=False)
                heartbeat.pinged()
            reply = await conn.read_response(
                timeout=heartbeat.wait(), disconnect_on_error=False, push_request=True
            )
            if reply is not None:  # None: the read timed out
                heartbeat.heard(pong=self._handle(reply, held))

    def _handle(self, reply: Any, held: list[tuple[str, bytes]] | None) -> bool:
        """Act on one message from the subscriber connection; True if it is a PONG."""
        if isinstance(reply, bytes):
            return True  # PING answered while subscribed to nothing: a plain "PONG"
        if not isinstance(reply, list) or len(reply) < 2:
            return False
        kind = reply[0]
        if kind == b"pong":
            return True
        channel = self._channel_of(reply[1])
        if channel is None:
            return False
        if kind == b"message" and len(reply) == 3:
            if held is None:
                self._fanout.deliver(channel, reply[2])
            else:
                held.append((channel, reply[2]))
        elif kind == b"subscribe":
            self._confirmed(channel)
        return False

    def _confirmed(self, channel: str) -> None:
        queue = self._pending.get(channel)
        if not queue:
            return
        future = queue.popleft()
        if not queue:
            del self._pending[channel]
        if not future.done():
            future.set_result(None)

    def _finish_resync(self, held: list[tuple[str, bytes]]) -> None:
        """Every wanted channel is confirmed: from here on nothing more can be missed."""
        if self._syncs:
            self._reconnects += 1
            log.warning("reconnected to Redis; every subscription gets a Gap")
        self._syncs += 1
        self._synced = True
        self._first_attempt.set()
        # Also reaches subscriptions made while Redis was down, which were never confirmed.
        self._fanout.gap_all("reconnected")
        for channel, data in held:
            self._fanout.deliver(channel, data)

    def _lose(self, conn: AbstractConnection) -> None:
        """Stop using ``conn``; release everyone waiting for a confirmation on it."""
        if self._conn is not conn:
            return
        self._conn = None
        self._synced = False
        for queue in self._pending.values():
            for future in queue:
                if not future.done():
                    future.set_result(None)
        self._pending.clear()

    @staticmethod
    async def _disconnect(conn: AbstractConnection) -> None:
        with contextlib.suppress(*_CONNECTION_ERRORS):
            await conn.disconnect()

    # -- helpers -------------------------------------------------------------------------

    def _key(self, channel: str) -> str:
        return self._prefix + channel

    def _channel_of(self, key: object) -> str | None:
        prefix = self._prefix.encode()
        if isinstance(key, bytes) and key.startswith(prefix):
            return key[len(prefix) :].decode()
        return None

    @staticmethod
    def _pool(pool: ConnectionPool | None) -> ConnectionPool:
        if pool is None:
            raise RuntimeError("broker not started")
        return pool
