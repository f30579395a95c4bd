"""The message batch on SQLite, at the DB-API level: the steps ``message_batches`` describes,
without SQLAlchemy's per-statement machinery.

Measured (bench/README.md, 26 Nov): on SQLite the statements themselves take microseconds,
and SQLAlchemy's execution of each (cache lookup, parameter and result processing, result
wrapping) was most of a batch's CPU — 0.18 ms against 0.03 ms for a one-message batch — spent
on the event loop's thread, where the writer runs. The rules stay in ``plan_batch``; times go
through the column type's own processors, so a row is stored exactly as SQLAlchemy would
store it and read back the same way.

``BEGIN IMMEDIATE`` (the writer's transaction) already holds the file's write lock, so the
chat rows need no ``FOR UPDATE``. Placeholder lists are padded to powers of two with a
repeated value (harmless in an ``IN`` or a join), so sqlite3's statement cache keeps a few
statements instead of one per batch size.

Stored messages are looked up only when a batch may hold a resend: it is first planned as if
none of its keys were stored and written under a savepoint, and the unique index on (chat,
sender, client id), which the insert probes anyway, refuses a key that is; the savepoint is
then rolled back and the batch planned again with the stored messages read. A batch in which
a chat refused a request is planned with them from the start, since a resend to a chat that
has closed since must still get its seq. Resends are rare (a client that reconnected before
seeing its acknowledgement); the lookup on every batch was ~100 of its ~600 us of writer CPU
(bench/README.md, seventh session).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Table
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from chatsupport.domain.chat import ChatState, Message, Sender
from chatsupport.domain.message_batch import BatchPlan, ChatSeq, ClientKey, PostRequest, plan_batch
from chatsupport.storage.tables import MessageRow

_INSERT = (
    "INSERT INTO messages (chat_id, seq, sender, client_id, text, created_at, author_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_LAST_SEQ = "UPDATE chats SET last_seq = ? WHERE id = ?"
_Processor = Callable[[Any], Any]
T = TypeVar("T")


def append_batch_sqlite(dbapi: Any, requests: Sequence[PostRequest], now: datetime) -> BatchPlan:
    """Run inside a write transaction on the sqlite3 connection (``Database.run_sqlite_write``)."""
    cursor = dbapi.cursor()
    try:
        chats = _locked_chats(cursor, requests)
        plan = plan_batch(requests, chats=chats, stored={}, now=now)
        if any(outcome is None for outcome in plan.outcomes):
            # A refused request may be a resend to a chat closed since: answered from the store.
            return _write(cursor, _replanned(cursor, requests, chats, now), now)
        cursor.execute("SAVEPOINT batch")
        try:
            _write(cursor, plan, now)
        except sqlite3.IntegrityError:  # a key is stored already: a resend (module docstring)
            cursor.execute("ROLLBACK TO batch")
            plan = _write(cursor, _replanned(cursor, requests, chats, now), now)
        cursor.execute("RELEASE batch")
        return plan
    finally:
        cursor.close()


def _replanned(
    cursor: Any, requests: Sequence[PostRequest], chats: dict[str, ChatSeq], now: datetime
) -> BatchPlan:
    """The batch planned knowing the messages already stored under its keys."""
    return plan_batch(requests, chats=chats, stored=_stored_for(cursor, requests), now=now)


def _write(cursor: Any, plan: BatchPlan, now: datetime) -> BatchPlan:
    if plan.new_messages:
        # A batch's new messages share its time: converted once, not once per message.
        to_db = _time_processors()[0]
        at = to_db(now)
        rows = [_row(m, at if m.at == now else to_db(m.at)) for m in plan.new_messages]
        cursor.executemany(_INSERT, rows)
        cursor.executemany(_LAST_SEQ, [(seq, chat) for chat, seq in plan.last_seqs.items()])
    return plan


def _locked_chats(cursor: Any, requests: Sequence[PostRequest]) -> dict[str, ChatSeq]:
    ids = _padded(sorted({r.chat_id for r in requests}))
    cursor.execute(_chats_sql(len(ids)), ids)
    return {
        id_: ChatSeq(ChatState(state), last_seq, responder_id, backup_id)
        for id_, state, last_seq, responder_id, backup_id in cursor.fetchall()
    }


def _stored_for(cursor: Any, requests: Sequence[PostRequest]) -> dict[ClientKey, Message]:
    """The messages already stored under any of the batch's (chat, sender, client id)."""
    from_db = _time_processors()[1]
    keys = _padded(sorted({(r.chat_id, r.sender.value, r.client_id) for r in requests}))
    cursor.execute(_stored_sql(len(keys)), [value for key in keys for value in key])
    found = {}
    for chat_id, seq, sender, client_id, text, created_at in cursor.fetchall():
        message = Message(chat_id, seq, Sender(sender), client_id, text, from_db(created_at))
        found[(chat_id, message.sender, client_id)] = message
    return found


def _row(message: Message, stored_at: object) -> tuple[object, ...]:
    m = message
    author_id = m.author.id if m.author is not None else None
    return (m.chat_id, m.seq, m.sender.value, m.client_id, m.text, stored_at, author_id)


def _padded(values: list[T]) -> list[T]:
    size = 1 << max(0, len(values) - 1).bit_length()
    return values + [values[-1]] * (size - len(values))


@cache
def _chats_sql(size: int) -> str:
    marks = ", ".join("?" * size)
    columns = "c.id, c.state, c.last_seq, c.responder_id, s.backup_id"
    joined = "chats AS c LEFT JOIN chat_support AS s ON s.chat_id = c.id"
    return f"SELECT {columns} FROM {joined} WHERE c.id IN ({marks})"  # noqa: S608


@cache
def _stored_sql(size: int) -> str:
    """Placeholders only: a ``VALUES`` list joined on the unique (chat, sender, client id)
    index; SQLite names its columns ``column1``… (a row-value ``IN`` would scan the table)."""
    keys = ", ".join(["(?, ?, ?)"] * size)
    columns = "m.chat_id, m.seq, m.sender, m.client_id, m.text, m.created_at"
    on = "m.chat_id = k.column1 AND m.sender = k.column2 AND m.client_id = k.column3"
    return f"SELECT {columns} FROM (VALUES {keys}) AS k JOIN messages AS m ON {on}"  # noqa: S608


@cache
def _time_processors() -> tuple[_Processor, _Processor]:
    """``created_at``'s conversions to and from the database, as SQLAlchemy applies them
    (the same for every SQLite driver: the aiosqlite dialect is pysqlite's)."""
    dialect = SQLiteDialect_pysqlite()
    column_type = cast(Table, MessageRow.__table__).c.created_at.type.dialect_impl(dialect)
    to_db = column_type.bind_processor(dialect) or _same
    from_db = column_type.result_processor(dialect, None) or _same
    return to_db, from_db


def _same(value: Any) -> Any:
    return value
