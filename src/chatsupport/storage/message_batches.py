"""Storing a batch of messages in one transaction (group commit).

Every backend runs the same steps whatever the batch's size: read the batch's chat rows (state,
last seq, who holds the chat and its backup; locked for the transaction), read the messages
already stored under the batch's (chat, sender, client id) keys, ask ``plan_batch`` what to
write, write the new messages and each chat's new ``last_seq``. Each backend has its own
module, on its driver, because this is the service's hottest path and SQLAlchemy's
per-statement work was most of its cost on both (bench/README.md, 26 Nov):

* SQLite (``sqlite_message_batches``): DB-API statements on the process's writer connection,
  run on the event loop itself (``Database.run_sqlite_write``; on a thread only while another
  process holds the write lock);
* PostgreSQL (``postgres_message_batches``): asyncpg on the process's own writer connection
  (``Database.run_postgres_write``).

Both look up resends by joining the keys to ``messages`` on its unique index; a row-value
``IN`` looks equivalent, but SQLite plans it as a scan of the whole table, and each batch then
read every stored message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from chatsupport.domain.message_batch import BatchPlan, PostRequest
from chatsupport.storage.database import Database
from chatsupport.storage.postgres_message_batches import append_batch_postgres
from chatsupport.storage.sqlite_message_batches import append_batch_sqlite


async def store_batch(db: Database, requests: Sequence[PostRequest], now: datetime) -> BatchPlan:
    """Store the batch in one transaction; one outcome per request, in order."""
    if db.is_sqlite:
        return await db.run_sqlite_write(lambda dbapi: append_batch_sqlite(dbapi, requests, now))

    def batch(conn: Any) -> Awaitable[BatchPlan]:
        return append_batch_postgres(conn, requests, now)

    try:
        return await db.run_postgres_write(batch)
    except asyncpg.UniqueViolationError:
        # Another process stored one of these client ids while this batch waited for a chat's
        # lock, after this batch's lookup had looked (postgres_message_batches): once more,
        # and the lookup finds it and answers it as a resend.
        return await db.run_postgres_write(batch)
