"""The message write path on SQLite and PostgreSQL: a resent client_id is stored once, answered
with the original seq, and leaves no gap in the chat's seq numbers; batches (group commit) from
several writers at once keep every chat's seqs gap-free."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select, text, update

from chatsupport.domain.chat import Author, ChatState, EndReason, Message, Sender
from chatsupport.domain.message_batch import PostRequest
from chatsupport.storage import chat_counts, chats
from chatsupport.storage.database import Database
from chatsupport.storage.message_batches import store_batch
from chatsupport.storage.migrate import upgrade_to_head
from chatsupport.storage.postgres_message_batches import _READ, _WRITE
from chatsupport.storage.sqlite_message_batches import _stored_sql
from chatsupport.storage.tables import ChatRow, ChatSupportRow, MessageRow, ResponderRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    try:
        await upgrade_to_head(database)
        await database.run_write(
            lambda conn: chats.create_row(conn, chat_id="c1", token_hash="h1", lang="fi", now=NOW)
        )
        yield database
    finally:
        await database.dispose()


async def _post(
    db: Database,
    client_id: str,
    text: str,
    sender: Sender = Sender.YOUTH,
    responder_id: int | None = None,
) -> tuple[Message, bool] | None:
    author = Author(responder_id, "professional", "") if responder_id is not None else None
    request = PostRequest("c1", sender, client_id, text, author)
    plan = await store_batch(db, [request], NOW)
    return plan.outcomes[0]


async def _responder(db: Database, login: str) -> int:
    async with db.write() as s:
        row = ResponderRow(
            login_name=login,
            display_name=login,
            role="professional",
            password_hash="x",
            created_at=NOW,
            updated_at=NOW,
        )
        s.add(row)
        await s.flush()
        return row.id


async def _hold(db: Database, responder_id: int) -> None:
    """c1 becomes active, held by ``responder_id`` (as a claim or a hand-over leaves it)."""
    async with db.write() as s:
        await s.execute(
            update(ChatRow).values(state=ChatState.ACTIVE.value, responder_id=responder_id)
        )


async def _stored(db: Database) -> tuple[list[tuple[int, str, str]], int]:
    async with db.read() as s:
        rows = (
            await s.execute(
                select(MessageRow.seq, MessageRow.client_id, MessageRow.text)
                .where(MessageRow.chat_id == "c1")
                .order_by(MessageRow.seq)
            )
        ).all()
        last_seq = await s.scalar(select(ChatRow.last_seq).where(ChatRow.id == "c1"))
    return [(r.seq, r.client_id, r.text) for r in rows], int(last_seq or 0)


async def test_resent_client_id_same_seq_one_row_no_gap(db: Database) -> None:
    """Same client_id twice: the same seq, one row; the next message takes seq + 1."""
    first = await _post(db, "a", "hei")
    again = await _post(db, "a", "hei (resent)")
    assert first is not None and again is not None
    (m1, new1), (m2, new2) = first, again
    assert (m1.seq, new1) == (1, True)
    assert (m2.seq, new2, m2.text) == (1, False, "hei")  # the original, not the resend
    nxt = await _post(db, "b", "toinen")
    assert nxt is not None and nxt[0].seq == 2 and nxt[1] is True
    # The same client_id from the other side (once the chat is active) is a different message.
    holder = await _responder(db, "sanna")
    await _hold(db, holder)
    other = await _post(db, "a", "vastaus", sender=Sender.RESPONDER, responder_id=holder)
    assert other is not None and other[0].seq == 3
    rows, last_seq = await _stored(db)
    assert rows == [(1, "a", "hei"), (2, "b", "toinen"), (3, "a", "vastaus")]
    assert last_seq == 3


async def _resend_amid_new_messages(db: Database) -> None:
    await _post(db, "a", "hei")
    await _post(db, "b", "toinen")
    batch = [
        PostRequest("c1", Sender.YOUTH, "c", "kolmas"),
        PostRequest("c1", Sender.YOUTH, "a", "hei (resent)"),
        PostRequest("c1", Sender.YOUTH, "d", "neljäs"),
    ]
    plan = await store_batch(db, batch, NOW)
    found = [(o[0].seq, o[0].text, o[1]) for o in plan.outcomes if o is not None]
    assert found == [(3, "kolmas", True), (1, "hei", False), (4, "neljäs", True)]
    rows, last_seq = await _stored(db)
    assert rows == [(1, "a", "hei"), (2, "b", "toinen"), (3, "c", "kolmas"), (4, "d", "neljäs")]
    assert last_seq == 4


async def test_a_resend_in_a_batch_of_new_messages_keeps_them_all(db: Database) -> None:
    """SQLite writes a batch as if nothing were stored and looks resends up only when the
    unique index refuses one: what it wrote before the refusal must be taken back, and the
    new messages stored once, after the resend is answered with its original."""
    await _resend_amid_new_messages(db)


async def test_an_in_memory_database_stores_batches_and_resends_too() -> None:
    """In-memory SQLite has no writer thread: the batch runs through the session."""
    database = Database("sqlite+aiosqlite://")
    try:
        await upgrade_to_head(database)
        await database.run_write(
            lambda conn: chats.create_row(conn, chat_id="c1", token_hash="h1", lang="fi", now=NOW)
        )
        await _resend_amid_new_messages(database)
    finally:
        await database.dispose()


async def test_concurrent_resends_store_once_without_gap(db: Database) -> None:
    """Many writers race with one client_id (and fresh ones): one row each, seqs 1..n."""
    results = await asyncio.gather(
        *[_post(db, "dup", "sama") for _ in range(6)],
        *[_post(db, f"u{i}", f"eri {i}") for i in range(4)],
    )
    assert all(r is not None for r in results)
    dups = [r for r in results[:6] if r is not None]
    assert len({r[0].seq for r in dups}) == 1
    assert sum(1 for r in dups if r[1]) == 1
    rows, last_seq = await _stored(db)
    assert [seq for seq, _, _ in rows] == list(range(1, 6))
    assert last_seq == 5


async def test_resend_after_the_chat_closed_is_answered_and_new_text_refused(
    db: Database,
) -> None:
    """A chat that is not open stores nothing new, but a resend still gets its original seq."""
    await _post(db, "a", "hei")
    async with db.write() as s:
        assert await chats.finish(
            s,
            chat_id="c1",
            from_state=ChatState.WAITING,
            to_state=ChatState.MISSED,
            reason=EndReason.YOUTH_ENDED,
            now=NOW,
        )
    again = await _post(db, "a", "hei")
    assert again is not None and again[0].seq == 1 and again[1] is False
    assert await _post(db, "b", "myöhässä") is None
    rows, last_seq = await _stored(db)
    assert rows == [(1, "a", "hei")] and last_seq == 1
    async with db.read() as s:
        assert await s.scalar(select(func.count()).select_from(MessageRow)) == 1


async def test_a_batch_mixes_new_resent_and_refused_in_arrival_order(db: Database) -> None:
    """One transaction: seqs follow arrival order, a repeat inside the batch is a resend, a
    responder cannot write to a waiting chat, an unknown chat refuses."""
    await _post(db, "before", "aiempi")
    batch = [
        PostRequest("c1", Sender.YOUTH, "x", "yksi"),
        PostRequest("c1", Sender.YOUTH, "before", "aiempi (resent)"),
        PostRequest("c1", Sender.RESPONDER, "r", "ei vielä"),
        PostRequest("c1", Sender.YOUTH, "x", "yksi (resent in the batch)"),
        PostRequest("nope", Sender.YOUTH, "z", "ei ole"),
        PostRequest("c1", Sender.YOUTH, "y", "kaksi"),
    ]
    plan = await store_batch(db, batch, NOW)
    summary = [None if o is None else (o[0].seq, o[0].text, o[1]) for o in plan.outcomes]
    assert summary == [
        (2, "yksi", True),
        (1, "aiempi", False),
        None,
        (2, "yksi", False),
        None,
        (3, "kaksi", True),
    ]
    rows, last_seq = await _stored(db)
    assert [(seq, cid) for seq, cid, _ in rows] == [(1, "before"), (2, "x"), (3, "y")]
    assert last_seq == 3


async def test_batches_from_several_writers_keep_every_chat_gap_free(database_url: str) -> None:
    """Three database handles (like three processes) store interleaved batches to the same
    chats at once: every message is stored once, and each chat's seqs are exactly 1..n."""
    handles = [Database(database_url) for _ in range(3)]
    try:
        await upgrade_to_head(handles[0])
        chat_ids = [f"c{i}" for i in range(1, 5)]
        for chat_id in chat_ids:
            await handles[0].run_write(
                lambda conn, c=chat_id: chats.create_row(
                    conn, chat_id=c, token_hash=c, lang="fi", now=NOW
                )
            )

        async def writer(w: int) -> None:
            order = list(reversed(chat_ids)) if w % 2 else chat_ids  # lock order is storage's
            for round_ in range(8):
                batch = [
                    PostRequest(chat_id, Sender.YOUTH, f"w{w}-{round_}-{k}", "teksti")
                    for k in range(3)
                    for chat_id in order
                ]
                plan = await store_batch(handles[w], batch, NOW)
                assert all(o is not None and o[1] for o in plan.outcomes)

        await asyncio.gather(*(writer(w) for w in range(3)))
        async with handles[0].read() as s:
            for chat_id in chat_ids:
                seqs = (
                    await s.scalars(
                        select(MessageRow.seq)
                        .where(MessageRow.chat_id == chat_id)
                        .order_by(MessageRow.seq)
                    )
                ).all()
                assert list(seqs) == list(range(1, 3 * 8 * 3 + 1))
                last = await s.scalar(select(ChatRow.last_seq).where(ChatRow.id == chat_id))
                assert last == 72
    finally:
        for handle in handles:
            await handle.dispose()


async def test_resends_of_any_batch_size_find_every_original(db: Database) -> None:
    """The resend lookup is padded to a power of two: every size still finds each original,
    with its stored time."""
    for i in range(9):
        await _post(db, f"m{i}", f"viesti {i}")
    for size in range(1, 10):
        batch = [PostRequest("c1", Sender.YOUTH, f"m{i}", "again") for i in range(size)]
        plan = await store_batch(db, batch, NOW)
        found = [(o[0].seq, o[0].text, o[0].at, o[1]) for o in plan.outcomes if o is not None]
        assert found == [(i + 1, f"viesti {i}", NOW, False) for i in range(size)]
    rows, last_seq = await _stored(db)
    assert (len(rows), last_seq) == (9, 9)
    async with db.read() as s:  # stored as SQLAlchemy stores times: read back the same
        read = await chats.messages_after(s, chat_id="c1", after_seq=0)
    assert {m.at for m in read} == {NOW}


async def test_the_resend_lookup_reads_the_index_not_the_table(tmp_path: Path) -> None:
    """SQLite plans a row-value ``IN`` as a scan of every stored message; the join on a
    ``VALUES`` list must be a search of the unique index (the round trip grew with the table)."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'plan.sqlite3'}")
    try:
        await upgrade_to_head(database)

        def plan(conn: Connection) -> list[str]:
            sql = f"EXPLAIN QUERY PLAN {_stored_sql(4)}"
            rows = conn.exec_driver_sql(sql, ("x",) * 12).all()
            return [str(row[-1]) for row in rows]

        steps = await database.run_write(plan)
    finally:
        await database.dispose()
    on_messages = [step for step in steps if " m " in f" {step} "]
    assert on_messages and all(step.startswith("SEARCH m USING INDEX") for step in on_messages)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite has no server
async def test_the_writer_connection_comes_back_after_it_is_dropped(db: Database) -> None:
    """PostgreSQL: the batch writer holds its own connection. When the server drops it (a
    restart, an administrator), that batch fails and the next one connects afresh."""
    assert await _post(db, "a", "ennen") is not None
    async with db.write() as s:
        await s.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    outcomes = []
    for attempt in ("b", "c"):
        try:
            outcomes.append(await _post(db, attempt, "jälkeen"))
        except Exception as exc:  # the dropped connection's batch
            outcomes.append(type(exc).__name__)
    assert outcomes[-1] is not None and not isinstance(outcomes[-1], str)
    rows, last_seq = await _stored(db)
    assert rows[0] == (1, "a", "ennen") and rows[-1][1] == "c" and last_seq == len(rows)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite has no plan cache
async def test_the_writer_plans_only_index_probes_even_on_empty_tables(db: Database) -> None:
    """PostgreSQL: the writer connection plans each batch statement once (a generic plan) and
    keeps it, so that plan must not scan a table or hash-join to one, even when made while the
    tables are empty (a scan is cheapest then, and stays for the plan's life)."""
    assert await _post(db, "a", "hei") is not None  # the writer connection is set up

    async def generic_plans(conn: Any) -> list[str]:
        lines: list[str] = []
        for name, sql, types in (
            ("probe_read", _READ, "varchar[], varchar[], varchar[], varchar[]"),
            (
                "probe_write",
                _WRITE,
                "varchar[], int[], varchar[], varchar[], text[], timestamptz[], int[],"
                " varchar[], int[]",
            ),
        ):
            await conn.execute(f"PREPARE {name} ({types}) AS {sql}")
            nulls = ", ".join(["NULL"] * len(types.split(",")))
            lines += [row[0] for row in await conn.fetch(f"EXPLAIN EXECUTE {name} ({nulls})")]
            await conn.execute(f"DEALLOCATE {name}")
        return lines

    plan = await db.run_postgres_write(generic_plans)
    assert any("Index Scan using uq_messages" in line for line in plan)
    assert not [line for line in plan if "Seq Scan" in line or "Hash" in line or "Merge" in line]


async def test_only_the_holder_or_the_asked_backup_may_write(db: Database) -> None:
    """The database has the last word on who writes as the responder: after a hand-over the
    former holder is refused even if its process has not heard of it yet."""
    expert, backup, other = [await _responder(db, name) for name in ("eeva", "pekka", "outi")]
    await _hold(db, expert)
    async with db.write() as s:
        s.add(ChatSupportRow(chat_id="c1", backup_id=backup, backup_involved=True))

    async def as_responder(client_id: str, who: int | None) -> bool:
        outcome = await _post(db, client_id, "teksti", Sender.RESPONDER, responder_id=who)
        return outcome is not None

    assert await as_responder("e1", expert)
    assert await as_responder("b1", backup)
    assert not await as_responder("o1", other)
    assert not await as_responder("n1", None)
    await _hold(db, backup)  # the backup took the chat over
    assert not await as_responder("e2", expert)
    assert await as_responder("b2", backup)
    rows, last_seq = await _stored(db)
    assert [cid for _, cid, _ in rows] == ["e1", "b1", "b2"] and last_seq == 3


async def test_each_responder_message_keeps_its_author(db: Database) -> None:
    """With the backup in the chat two adults write as the responder: each message is stored
    with who wrote it and read back with that responder's role and name; the youth's have
    none. A resend is answered with the stored message, its author the resending console."""
    expert, backup = [await _responder(db, name) for name in ("eeva", "pekka")]
    await _hold(db, expert)
    async with db.write() as s:
        s.add(ChatSupportRow(chat_id="c1", backup_id=backup, backup_involved=True))
    await _post(db, "y1", "hei")
    await _post(db, "e1", "Eeva tässä", Sender.RESPONDER, responder_id=expert)
    await _post(db, "b1", "Pekka tässä", Sender.RESPONDER, responder_id=backup)
    resent = await _post(db, "b1", "Pekka tässä", Sender.RESPONDER, responder_id=backup)

    async with db.read() as s:
        stored = await chats.messages_after(s, chat_id="c1", after_seq=0)
    assert [(m.text, m.author) for m in stored] == [
        ("hei", None),
        ("Eeva tässä", Author(expert, "professional", "eeva")),
        ("Pekka tässä", Author(backup, "professional", "pekka")),
    ]
    assert resent is not None and resent[1] is False
    assert resent[0].seq == 3 and resent[0].author is not None and resent[0].author.id == backup


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite has one writer
async def test_a_resend_stored_elsewhere_while_the_batch_waited_is_found(db: Database) -> None:
    """Another process stores client id "x" while holding the chat's lock; this batch, resending
    "x", waits for the lock with a lookup that cannot see it yet. Its insert breaks the unique
    key, it runs once more, and "x" is answered as the stored message: one row, no gap."""
    import asyncpg  # type: ignore[import-untyped]

    other = await asyncpg.connect(db.url.replace("+asyncpg", ""))
    try:
        transaction = other.transaction()
        await transaction.start()
        await other.execute("SELECT 1 FROM chats WHERE id = 'c1' FOR UPDATE")
        await other.execute(
            "INSERT INTO messages (chat_id, seq, sender, client_id, text, created_at)"
            " VALUES ('c1', 1, 'youth', 'x', 'toisaalla', $1)",
            NOW,
        )
        await other.execute("UPDATE chats SET last_seq = 1 WHERE id = 'c1'")
        resend = asyncio.create_task(_post(db, "x", "toisaalla (resent)"))
        await asyncio.sleep(0.3)  # the batch has read and now waits for the lock
        assert not resend.done()
        await transaction.commit()
        outcome = await asyncio.wait_for(resend, 10)
    finally:
        await other.close()
    assert outcome is not None
    assert (outcome[0].seq, outcome[0].text, outcome[1]) == (1, "toisaalla", False)
    rows, last_seq = await _stored(db)
    assert (rows, last_seq) == ([(1, "x", "toisaalla")], 1)


async def test_a_new_chat_is_stored_only_while_the_queue_has_room(db: Database) -> None:
    """``create_row`` counts the waiting chats in the insert's own transaction: at the cap it
    stores nothing, and opens racing for the last places never overshoot it."""

    def make(chat_id: str, cap: int) -> Any:
        return db.run_write(
            lambda conn: chats.create_row(
                conn, chat_id=chat_id, token_hash=chat_id, lang="sv", now=NOW, max_waiting=cap
            )
        )

    made = await make("c2", 2)  # c1 waits already (the fixture)
    assert made is not None and made.state is ChatState.WAITING and made.lang == "sv"
    assert await make("c3", 2) is None
    async with db.read() as s:
        assert await chats.get(s, chat_id="c2") == made
        assert await chats.get(s, chat_id="c3") is None
    raced = await asyncio.gather(*(make(f"r{i}", 6) for i in range(10)))
    assert sum(chat is not None for chat in raced) == 4
    async with db.read() as s:
        assert await s.run_sync(lambda ss: chat_counts.waiting_rows(ss.connection())) == 6


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # a file lock to hold
async def test_a_write_lock_held_by_another_process_never_stalls_the_event_loop(
    db: Database, tmp_path: Path
) -> None:
    """The SQLite writer runs on the event loop. While another process (here: another
    connection) holds the file's write lock, a batch and a new chat wait for it on the writer
    thread, not in the loop: other tasks keep running, and both are stored once it is free."""
    other = sqlite3.connect(tmp_path / "test.sqlite3", isolation_level=None)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    try:
        other.execute("BEGIN IMMEDIATE")
        batch = asyncio.create_task(_post(db, "a", "odottaa lukkoa"))
        opened = asyncio.create_task(
            db.run_write(
                lambda conn: chats.create_row(
                    conn, chat_id="c2", token_hash="h2", lang="fi", now=NOW
                )
            )
        )
        await asyncio.sleep(0.3)
        assert not batch.done() and not opened.done()
        assert ticks >= 10  # ~60 if the loop is free; 0 if it sleeps in SQLite's busy handler
        other.execute("COMMIT")
        assert await asyncio.wait_for(batch, 5) is not None
        assert await asyncio.wait_for(opened, 5)
    finally:
        ticking.cancel()
        other.close()
    rows, last_seq = await _stored(db)
    assert (rows, last_seq) == ([(1, "a", "odottaa lukkoa")], 1)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # SQLite's write-ahead log
async def test_the_write_ahead_log_stays_small_however_many_batches_are_written(
    db: Database, tmp_path: Path
) -> None:
    """The writer's commits never copy the WAL back themselves (they run on the event loop,
    and a checkpoint fsyncs): every few commits a checkpoint runs on the writer thread while
    no batch is written, so the log starts afresh instead of growing with every message."""
    for i in range(600):
        await _post(db, f"m{i}", "x" * 500)
        await asyncio.sleep(0)  # as the server's writer task does between batches
    assert (tmp_path / "test.sqlite3-wal").stat().st_size < 2_000_000  # ~10 MB if never
    rows, last_seq = await _stored(db)
    assert (len(rows), last_seq) == (600, 600)
