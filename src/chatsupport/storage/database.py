"""The engine, its sessions, and what each backend needs to be safe.

SQLite: WAL, foreign keys, ``secure_delete`` (deleted transcripts are overwritten in the file),
a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so that a read-then-write never
fails half-way on a lock upgrade. PostgreSQL: READ COMMITTED; a conditional UPDATE re-checks its
WHERE clause after a competing writer commits, which is what makes a claim atomic.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext, suppress
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

_IMMEDIATE = "chatsupport_sqlite_immediate"
BUSY_TIMEOUT_SECS = 10.0  # how long a write waits for another process's write lock
CHECKPOINT_EVERY_COMMITS = 20  # of the writer connection (~5-30 WAL pages each)

log = logging.getLogger("chatsupport.storage")
T = TypeVar("T")
W = TypeVar("W")
Session = AsyncSession  # what ``read()``/``write()`` yield, named for layers above storage


class DatabaseUnavailable(Exception):
    """The database cannot be reached; the message names the URL with its password masked."""


def mask_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError):
        return "<unparseable database URL>"


def _sqlite_in_memory(url: str) -> bool:
    database = make_url(url).database
    return not database or database == ":memory:" or "mode=memory" in url


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook emit BEGIN itself (the driver's implicit BEGIN is wrong).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "secure_delete=ON",
        f"busy_timeout={int(BUSY_TIMEOUT_SECS * 1000)}",
        # For the pooled connections' commits, which copy the WAL back once it is past this
        # and fsync (200 pages instead of the default 1,000: shorter, more frequent stalls).
        # The writer connection of the hot writes checkpoints on a thread instead (below).
        "wal_autocheckpoint=200",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_writer_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # A message batch writes under a savepoint (sqlite_message_batches); its statement journal
    # in memory, not in a temporary file: the file's writes cost the writer more system time
    # (~130 us a batch) than skipping the resend lookup saved.
    dbapi_connection.execute("PRAGMA temp_store=MEMORY")
    # Never sleep in SQLite's busy handler: the writer runs on the event loop, and a write lock
    # held by another process sends the transaction to the writer thread (``_SqliteSyncWriter``).
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    # Its commits run on the event loop: a checkpoint inside one (copying the WAL back, two
    # fsyncs) would stall every connection. ``Database._committed`` runs them on the thread.
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def _busy(exc: BaseException) -> bool:
    """SQLite refused at once because another connection holds the lock (SQLITE_BUSY)."""
    cause = getattr(exc, "orig", exc)  # SQLAlchemy wraps the driver's error
    code = getattr(cause, "sqlite_errorcode", None)
    return (
        isinstance(cause, sqlite3.OperationalError)
        and code is not None
        and code & 0xFF == sqlite3.SQLITE_BUSY
    )


def _sqlite_on_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Owns the engine. Nothing connects until ``check()`` or a session is used."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        # hide_parameters: a failing statement must never put a youth's text into a log line.
        options: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if not self.is_sqlite:
            options.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        elif not _sqlite_in_memory(url):
            # Writers take turns on the write gate below, so a burst needs one writing
            # connection plus the readers (WAL: readers never wait). Keep them all pooled:
            # overflow connections are closed on check-in, and each new one is a new
            # aiosqlite thread and five PRAGMAs. The overflow is a safety valve, not the norm.
            options.update(pool_size=10, max_overflow=10)
        self.engine: AsyncEngine = create_async_engine(url, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_on_connect)
            event.listen(self.engine.sync_engine, "begin", _sqlite_on_begin)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one write lock per file. Let one write transaction of this process at a
        # time wait for it, queued fairly on the event loop, instead of every pooled connection
        # sleeping in SQLite's busy handler (which backs off in steps up to 100 ms). Another
        # process (the CLI, a second server) is still waited for by busy_timeout.
        # PostgreSQL locks rows, not the database: no gate.
        self._write_gate: AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if self.is_sqlite else nullcontext()
        )
        self._sync_writer: _SqliteSyncWriter | None = None
        self._checkpointing: asyncio.Task[None] | None = None
        if self.is_sqlite and not _sqlite_in_memory(url):
            self._sync_writer = _SqliteSyncWriter(url)
        self._driver_writer = None if self.is_sqlite else _DriverWriter(self.engine)

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)

    async def check(self) -> None:
        """Raise ``DatabaseUnavailable`` with one clear line if the database is unreachable."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as exc:
            reason = type(exc.__cause__ or exc).__name__
            raise DatabaseUnavailable(
                f"cannot reach the database at {self.masked_url} ({reason})"
            ) from None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads; committed (harmlessly) or rolled back on exit."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncSession]:
        """A read session whose statements all see the same committed state.

        For reads that must agree with each other while a writer moves rows between them
        (diary records and the monthly tallies the purge folds them into). A SQLite read
        transaction is one snapshot already; PostgreSQL needs REPEATABLE READ for that.
        """
        async with self._sessions() as session, session.begin():
            if not self.is_sqlite:
                await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction, committed on success and rolled back on any error.

        On SQLite, write transactions of this process run one at a time (the gate is taken
        before a connection is checked out), so do not open a write inside another.
        """
        async with self._write_gate, self._sessions() as session, session.begin():
            # Options given on the first connection() are in place when "begin" fires.
            await session.connection(execution_options={_IMMEDIATE: True})
            yield session

    async def run_write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` as one synchronous write transaction (committed unless it raises).

        For hot paths (a new chat, the youth heartbeat). On a SQLite file it runs on this
        process's SQLite writer connection (``_SqliteSyncWriter``: on the event loop itself,
        unless another process holds the write lock), under the same write gate as ``write()``;
        an aiosqlite session would cross threads for every cursor, execute, fetch and close.
        Elsewhere (PostgreSQL, in-memory SQLite) it runs through the async session.
        """
        if self._sync_writer is None:
            async with self.write() as session:
                return await session.run_sync(lambda s: work(s.connection()))
        async with self._write_gate:
            result = await self._sync_writer.run(work)
        self._committed()
        return result

    async def run_sqlite_write(self, work: Callable[[Any], T]) -> T:
        """Like ``run_write``, but ``work`` gets the DB-API connection itself (SQLite only).

        For the message batch: on a SQLite file the transaction is begun and committed on the
        sqlite3 connection directly, without SQLAlchemy's transaction objects and events
        (~50 of a batch's ~600 us of writer CPU, bench/README.md, seventh session). In-memory
        SQLite runs through the session as in ``run_write``.
        """
        if self._sync_writer is None:
            return await self.run_write(lambda conn: work(conn.connection.dbapi_connection))
        async with self._write_gate:
            result = await self._sync_writer.run_dbapi(work)
        self._committed()
        return result

    def _committed(self) -> None:
        """Every ``CHECKPOINT_EVERY_COMMITS`` commits of the writer, copy the WAL back.

        On the writer thread, holding the write gate: this process's writes wait for it (as
        they waited for a checkpoint inside a commit before) but the event loop does not.
        Holding the gate matters: a checkpoint with commits landing meanwhile never catches
        up, so the WAL is never started afresh and grows without bound (258 MB in 30 s at
        1,500 round trips/s when tried).
        """
        assert self._sync_writer is not None
        if self._sync_writer.count_commit() and (
            self._checkpointing is None or self._checkpointing.done()
        ):
            self._checkpointing = asyncio.create_task(self._checkpoint(), name="sqlite-checkpoint")

    async def _checkpoint(self) -> None:
        assert self._sync_writer is not None
        async with self._write_gate:
            await self._sync_writer.checkpoint()

    async def run_postgres_write(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """Run ``work`` in one transaction on this process's own asyncpg connection.

        For the hot path on PostgreSQL (the group-committed messages): ``work`` gets the
        driver's connection and uses it directly, without the session, its pool checkout
        and pre-ping, and a greenlet crossing per statement. One transaction at a time.
        """
        if self._driver_writer is None:
            raise RuntimeError("run_postgres_write needs a PostgreSQL database")
        return await self._driver_writer.run(work)

    async def dispose(self) -> None:
        if self._checkpointing is not None:
            await self._checkpointing
        if self._sync_writer is not None:
            self._sync_writer.close()
        if self._driver_writer is not None:
            await self._driver_writer.close()
        await self.engine.dispose()


class _SqliteSyncWriter:
    """One plain sqlite3 connection (same pragmas, ``BEGIN IMMEDIATE``) for the hot writes.

    A transaction runs on the event loop's own thread. Handing each one to a thread and back
    cost more than the transaction: the thread waited for the GIL until the loop went idle,
    and the answer waited for the loop's next turn, ~0.8 ms of a message's ~2.2 ms one-way
    (means, timed along the path at 1,000 round trips/s), and the server used ~20 % more CPU
    per round trip (bench/README.md, eighth session). A batch's statements take ~0.1-0.3 ms of CPU
    without a system call that waits, as WAL with ``synchronous=NORMAL`` appends to the
    log and never fsyncs on commit; the checkpoints that do fsync run on the writer thread
    (``Database._committed``). What could make the loop wait, another process's write
    lock, is never waited for here: the connection has no busy timeout, and a transaction
    SQLite refuses with SQLITE_BUSY runs again on the writer thread, which waits for the
    lock (``BUSY_TIMEOUT_SECS``). Only one transaction runs at a time (the write gate).
    """

    def __init__(self, url: str) -> None:
        sync_url = make_url(url).set(drivername="sqlite")
        self._engine: Engine = create_engine(
            sync_url,
            hide_parameters=True,
            pool_size=1,
            max_overflow=0,
            connect_args={"check_same_thread": False},  # the loop or the thread, never both (gate)
        )
        event.listen(self._engine, "connect", _sqlite_on_connect)
        event.listen(self._engine, "connect", _sqlite_writer_on_connect)
        event.listen(self._engine, "begin", _sqlite_on_begin)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._conn: Connection | None = None  # one transaction at a time uses it (the gate)
        self._commits = 0

    async def run(self, work: Callable[[Connection], T]) -> T:
        return await self._here_unless_busy(self._transaction, work)

    async def run_dbapi(self, work: Callable[[Any], T]) -> T:
        return await self._here_unless_busy(self._dbapi_transaction, work)

    def count_commit(self) -> bool:
        """Count a commit; True when a checkpoint is due."""
        self._commits += 1
        if self._commits < CHECKPOINT_EVERY_COMMITS:
            return False
        self._commits = 0
        return True

    async def checkpoint(self) -> None:
        """Copy the WAL back into the file (PASSIVE: never waits for another connection)."""
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._thread, self._checkpoint_now)
        except Exception as exc:  # busy with another process's checkpoint: the next one will
            log.debug("checkpoint skipped: %s", type(exc).__name__)

    def _checkpoint_now(self) -> None:
        dbapi = self._held().connection.dbapi_connection
        assert dbapi is not None
        dbapi.execute("PRAGMA wal_checkpoint(PASSIVE)")

    async def _here_unless_busy(self, transaction: Callable[[W], T], work: W) -> T:
        try:
            return transaction(work)
        except Exception as exc:
            if not _busy(exc):
                raise
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._patiently, transaction, work)

    @staticmethod
    def _patiently(transaction: Callable[[W], T], work: W) -> T:
        """Run on the writer thread, again and again while another process holds the lock."""
        deadline = time.monotonic() + BUSY_TIMEOUT_SECS
        pause = 0.001
        while True:
            try:
                return transaction(work)
            except Exception as exc:
                if not _busy(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def _held(self) -> Connection:
        conn = self._conn
        if conn is None or conn.closed or conn.invalidated:
            # Held between batches, not checked out and in again for each one.
            conn = self._conn = self._engine.connect().execution_options(**{_IMMEDIATE: True})
        return conn

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        conn = self._held()
        with conn.begin():
            return work(conn)

    def _dbapi_transaction(self, work: Callable[[Any], T]) -> T:
        # SQLAlchemy's connection is between transactions here (``_transaction`` always ends
        # its own), so the sqlite3 connection underneath is free for one of ours.
        dbapi = self._held().connection.dbapi_connection
        assert dbapi is not None  # a checked-out connection always has one
        dbapi.execute("BEGIN IMMEDIATE")
        try:
            result = work(dbapi)
            dbapi.commit()
        except BaseException:
            self._roll_back(dbapi)
            raise
        return result

    def _roll_back(self, dbapi: Any) -> None:
        try:
            dbapi.rollback()
        except Exception:  # the connection is unusable: the next transaction opens another
            if self._conn is not None:
                self._conn.invalidate()

    def _close_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        self._thread.submit(self._close_connection).result()
        self._thread.shutdown(wait=True)
        self._engine.dispose()


# The writer connection's statements are all key probes (a batch's chats by id, its resends
# by their unique key, the foreign key check), so it may only plan key probes: no scans, and
# joins as nested loops over index lookups. With that, a plan made once is right at any table
# size, and made once it is: planning every run (``force_custom_plan``, which guarded against
# generic plans that scanned a table while it was small) cost PostgreSQL 0.22 ms per batch,
# more than running the statements (bench/README.md, "fourth session"). Which of two indexes
# with the same leading column a plan uses can still depend on the table's size; asyncpg
# prepares each statement afresh every 5 minutes (``max_cached_statement_lifetime``), so a
# plan made on a small table does not stay.
_WRITER_PLANNING = (
    "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off;"
    " SET enable_hashjoin = off; SET enable_mergejoin = off"
)


class _DriverWriter:
    """One pooled connection held for the hot write path, used through the driver itself.

    Held rather than checked out per batch (no pre-ping round trip each time). A failure that
    is not a statement's own error (the connection dropped, the server restarted) discards it:
    the next batch connects afresh, like a pooled connection would.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._held: AsyncConnection | None = None
        self._driver: Any = None
        self._turn = asyncio.Lock()

    async def run(self, work: Callable[[Any], Awaitable[T]]) -> T:
        async with self._turn:
            driver = await self._connection()
            try:
                async with driver.transaction():
                    return await work(driver)
            except BaseException as exc:  # cancelled mid-transaction too: state unknown
                if not _statement_error(exc) or driver.is_closed():
                    await self._discard()
                raise

    async def _connection(self) -> Any:
        if self._held is None:
            held = await self._engine.connect()
            try:
                driver: Any = (await held.get_raw_connection()).driver_connection
                await driver.execute(_WRITER_PLANNING)
            except BaseException:
                await held.close()
                raise
            self._held, self._driver = held, driver
        return self._driver

    async def _discard(self) -> None:
        held, self._held, self._driver = self._held, None, None
        if held is not None:
            with suppress(Exception):
                await held.invalidate()
                await held.close()

    async def close(self) -> None:
        async with self._turn:
            await self._discard()


def _statement_error(exc: BaseException) -> bool:
    """The server refused a statement (the connection itself is fine)."""
    return isinstance(exc, asyncpg.PostgresError) and not isinstance(
        exc, asyncpg.PostgresConnectionError
    )
