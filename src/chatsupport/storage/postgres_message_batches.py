"""The message batch on PostgreSQL, on the asyncpg connection itself: two statements.

Measured (bench/README.md, 26 Nov): through SQLAlchemy's session and its asyncpg adapter a
one-message batch took 3.8 ms and 1.1 ms of CPU (a pool pre-ping, BEGIN, the statements, each
crossing a greenlet, COMMIT); the same work on the driver takes about 0.5 ms and 0.2 ms. A
batch is the only writer of most chats' rows, so this is where the cluster's round trip went.

Arrays instead of value lists, so each statement is one prepared statement whatever the
batch's size: one reads the chat rows ``FOR UPDATE`` and the messages already stored under the
batch's keys, one inserts the new messages and moves each chat's ``last_seq``; with BEGIN and
COMMIT, four round trips (one read instead of two: cluster round trip p50 ~9.6 -> ~8.6 ms in
alternating runs, bench/results/steady-26nov.txt). The rules stay in ``plan_batch``.

The writer connection plans each statement once and may plan only key probes (no scans, no
hash or merge joins; set by ``Database``): a generic plan of the ``UPDATE … FROM unnest``,
made on a small ``chats`` table, scanned the table, and planning every run instead cost more
than running the statements (``tests/test_message_store.py`` checks the plans).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from chatsupport.domain.chat import ChatState, Message, Sender
from chatsupport.domain.message_batch import BatchPlan, ChatSeq, ClientKey, PostRequest, plan_batch

# One statement, one round trip: the batch's chat rows, locked in id order (no other writer
# can take a seq of these chats until commit, and two batches lock in the same order so they
# cannot deadlock), then the messages already stored under the batch's keys. The locked rows
# are re-read when their lock is granted; the message lookup sees the statement's snapshot,
# so a resend stored by another process while this one waited for the lock is not found: the
# insert then breaks the unique key, and ``store_batch`` runs the batch once more, when the
# lookup finds it.
#
# One index probe per key, whatever the table's size: ``LIMIT 1`` keeps the planner from
# turning the lateral lookup into a join, whose plan, made while ``messages`` was small, was a
# hash join over a scan of the whole table; kept for the connection's life, each batch then
# took longer as messages were stored (bench/README.md, 26 Nov).
_READ = (
    "WITH locked AS ("
    " SELECT c.id, c.state, c.last_seq, c.responder_id, s.backup_id"
    " FROM chats AS c LEFT JOIN chat_support AS s ON s.chat_id = c.id"
    " WHERE c.id = ANY($1::varchar[]) ORDER BY c.id FOR UPDATE OF c)"
    " SELECT true AS is_chat, id AS chat_id, state, last_seq, responder_id, backup_id,"
    " NULL::int AS seq, NULL::varchar AS sender, NULL::varchar AS client_id,"
    " NULL::text AS text, NULL::timestamptz AS created_at FROM locked"
    " UNION ALL"
    " SELECT false, m.chat_id, NULL, NULL, NULL, NULL,"
    " m.seq, m.sender, m.client_id, m.text, m.created_at"
    " FROM unnest($2::varchar[], $3::varchar[], $4::varchar[]) AS k(chat_id, sender, client_id)"
    " CROSS JOIN LATERAL (SELECT * FROM messages"
    " WHERE messages.chat_id = k.chat_id AND messages.sender = k.sender"
    " AND messages.client_id = k.client_id LIMIT 1) AS m"
)
_WRITE = (
    "WITH added AS ("
    " INSERT INTO messages (chat_id, seq, sender, client_id, text, created_at, author_id)"
    " SELECT * FROM unnest($1::varchar[], $2::int[], $3::varchar[], $4::varchar[], $5::text[],"
    " $6::timestamptz[], $7::int[]))"
    " UPDATE chats SET last_seq = s.last_seq"
    " FROM unnest($8::varchar[], $9::int[]) AS s(id, last_seq) WHERE chats.id = s.id"
)


async def append_batch_postgres(
    conn: Any, requests: Sequence[PostRequest], now: datetime
) -> BatchPlan:
    """Run inside a transaction on an asyncpg connection (``Database.run_postgres_write``)."""
    chats, stored = await _read(conn, requests)
    plan = plan_batch(requests, chats=chats, stored=stored, now=now)
    if plan.new_messages:
        new = plan.new_messages
        await conn.execute(
            _WRITE,
            [m.chat_id for m in new],
            [m.seq for m in new],
            [m.sender.value for m in new],
            [m.client_id for m in new],
            [m.text for m in new],
            [m.at for m in new],
            [m.author.id if m.author is not None else None for m in new],
            list(plan.last_seqs),
            list(plan.last_seqs.values()),
        )
    return plan


async def _read(
    conn: Any, requests: Sequence[PostRequest]
) -> tuple[dict[str, ChatSeq], dict[ClientKey, Message]]:
    """The batch's chats (locked) and the messages already stored under its keys."""
    keys = sorted({(r.chat_id, r.sender.value, r.client_id) for r in requests})
    rows = await conn.fetch(
        _READ,
        sorted({r.chat_id for r in requests}),
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
    )
    chats: dict[str, ChatSeq] = {}
    stored: dict[ClientKey, Message] = {}
    for row in rows:
        if row["is_chat"]:
            chats[row["chat_id"]] = ChatSeq(
                ChatState(row["state"]), row["last_seq"], row["responder_id"], row["backup_id"]
            )
            continue
        at: datetime = row["created_at"].astimezone(UTC)
        message = Message(
            row["chat_id"], row["seq"], Sender(row["sender"]), row["client_id"], row["text"], at
        )
        stored[(message.chat_id, message.sender, message.client_id)] = message
    return chats, stored
