"""Storing a batch of messages in one transaction (group commit), as synchronous code.

Synchronous so that ``Database.run_write`` can run the whole batch in one hop to SQLite's
writer thread (an aiosqlite connection crosses threads for every cursor, execute, fetch and
close: some twenty hops per batch); on PostgreSQL it runs through ``run_sync`` on asyncpg.
This module is the Core version, used on PostgreSQL; SQLite runs the same statements at the
DB-API level (``sqlite_message_batches``: there SQLAlchemy's per-statement work was most of
the batch's cost).

Four statements whatever the batch's size. The batch's chat rows are read ``FOR UPDATE`` in id
order (PostgreSQL: no other writer can take a seq of these chats until commit, and two batches
lock in the same order so they cannot deadlock; SQLite: ``BEGIN IMMEDIATE`` already holds the
file's write lock). Then the messages already stored under the batch's client ids, then
``plan_batch`` decides, and one multi-row ``INSERT`` and one executemany ``UPDATE`` write it.

The resend lookup joins a ``VALUES`` list of the batch's keys to ``messages``, so both
databases answer it from the unique index on (chat, sender, client id). A row-value ``IN``
looks equivalent, but SQLite plans it as a scan of the whole table: each batch then read every
stored message, and the round trip grew with the table (bench/README.md, 26 Nov).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import cast

from sqlalchemy import Connection, Table, TextualSelect, bindparam, select, text, update

from chatsupport.domain.chat import ChatState, Message, Sender
from chatsupport.domain.message_batch import (
    BatchPlan,
    ChatSeq,
    ClientKey,
    PostRequest,
    plan_batch,
)
from chatsupport.storage.sqlite_message_batches import append_batch_sqlite
from chatsupport.storage.tables import ChatRow, MessageRow

_CHATS = cast(Table, ChatRow.__table__)
_MESSAGES = cast(Table, MessageRow.__table__)
# Built once, with expanding parameters: an expression built per batch (a tuple ``IN`` of
# literal keys) left some thirty objects in reference cycles per message for the garbage
# collector, whose passes then showed in the p99 (bench/README.md, "Garbage collector").
_LAST_SEQ = (
    update(_CHATS).where(_CHATS.c.id == bindparam("b_id")).values(last_seq=bindparam("b_seq"))
)
_LOCK_CHATS = (
    select(_CHATS.c.id, _CHATS.c.state, _CHATS.c.last_seq)
    .where(_CHATS.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_CHATS.c.id)
    .with_for_update()
)
_M = _MESSAGES.c


@cache
def _stored_statement(size: int) -> TextualSelect:
    """The lookup for ``size`` keys; sizes are powers of two (nine up to the batch cap of 256).

    Both databases name a ``VALUES`` list's columns ``column1``, ``column2``, …
    """
    # Only numbered placeholders are interpolated into the SQL, never a value.
    keys = ", ".join(f"(:c{i}, :s{i}, :k{i})" for i in range(size))
    columns = "m.chat_id, m.seq, m.sender, m.client_id, m.text, m.created_at"
    on = "m.chat_id = k.column1 AND m.sender = k.column2 AND m.client_id = k.column3"
    sql = f"SELECT {columns} FROM (VALUES {keys}) AS k JOIN messages AS m ON {on}"  # noqa: S608
    return text(sql).columns(
        _M.chat_id, _M.seq, _M.sender, _M.client_id, _M.text, _M.created_at
    )  # typed columns: ``created_at`` comes back through ``UtcDateTime`` as on every read


def _padded_size(count: int) -> int:
    return 1 << max(0, count - 1).bit_length()


def append_batch(conn: Connection, requests: Sequence[PostRequest], now: datetime) -> BatchPlan:
    if conn.dialect.name == "sqlite":
        return append_batch_sqlite(conn, requests, now)
    plan = plan_batch(
        requests, chats=_locked_chats(conn, requests), stored=_stored_for(conn, requests), now=now
    )
    if plan.new_messages:
        conn.execute(_MESSAGES.insert(), [_row(m) for m in plan.new_messages])
        conn.execute(
            _LAST_SEQ, [{"b_id": chat, "b_seq": seq} for chat, seq in plan.last_seqs.items()]
        )
    return plan


def _locked_chats(conn: Connection, requests: Sequence[PostRequest]) -> dict[str, ChatSeq]:
    rows = conn.execute(_LOCK_CHATS, {"ids": sorted({r.chat_id for r in requests})})
    return {row.id: ChatSeq(ChatState(row.state), row.last_seq) for row in rows}


def _stored_for(conn: Connection, requests: Sequence[PostRequest]) -> dict[ClientKey, Message]:
    """The messages already stored under any of the batch's (chat, sender, client id)."""
    keys = sorted({(r.chat_id, r.sender.value, r.client_id) for r in requests})
    if not keys:
        return {}
    size = _padded_size(len(keys))
    keys += [keys[-1]] * (size - len(keys))  # a repeated key finds the same row: harmless
    params: dict[str, str] = {}
    for i, (chat_id, sender, client_id) in enumerate(keys):
        params[f"c{i}"], params[f"s{i}"], params[f"k{i}"] = chat_id, sender, client_id
    rows = conn.execute(_stored_statement(size), params)
    found = (
        Message(r.chat_id, r.seq, Sender(r.sender), r.client_id, r.text, r.created_at) for r in rows
    )
    return {(msg.chat_id, msg.sender, msg.client_id): msg for msg in found}


def _row(message: Message) -> dict[str, object]:
    return {
        "chat_id": message.chat_id,
        "seq": message.seq,
        "sender": message.sender.value,
        "client_id": message.client_id,
        "text": message.text,
        "created_at": message.at,
    }
