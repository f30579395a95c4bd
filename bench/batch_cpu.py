"""The SQLite message batch alone: the writer's CPU per batch, without a server.

``python bench/batch_cpu.py [BATCH] [COUNT]`` migrates a fresh database file, opens 1,000
active chats, then stores COUNT batches of BATCH youth messages (default 9 and 5,000; 9 is the
batch size the embedded server's group commit made at 1,500 round trips/s here) through the
service's own SQLite writer, on this thread, with a checkpoint after every
``CHECKPOINT_EVERY_COMMITS`` batches as the server makes them, and prints the CPU time per
batch, checkpoints included (user and system). In the server the group commit hides a cheaper
batch at any rate it keeps up with (it then makes smaller batches more often), so changes to
the batch are measured here. To compare two commits, run it in a checkout of each,
alternating, a few times.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from chatsupport.domain.chat import Sender
from chatsupport.domain.message_batch import PostRequest
from chatsupport.storage.database import Database, _SqliteSyncWriter
from chatsupport.storage.migrate import upgrade_to_head
from chatsupport.storage.sqlite_message_batches import append_batch_sqlite

CHATS = 1000
WARM_UP = 300


async def open_chats(url: str) -> list[str]:
    db = Database(url)
    try:
        await upgrade_to_head(db)
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        ids = [secrets.token_hex(16) for _ in range(CHATS)]
        async with db.engine.begin() as conn:
            for chat_id in ids:
                await conn.execute(
                    text(
                        "INSERT INTO chats (id, state, lang, last_seq, created_at,"
                        " youth_seen_at, last_tagged_at)"
                        " VALUES (:id, 'active', 'fi', 0, :now, :now, :now)"
                    ),
                    {"id": chat_id, "now": now},
                )
        return ids
    finally:
        await db.dispose()


def measure(url: str, ids: list[str], batch: int, count: int) -> tuple[float, float]:
    """User and system CPU seconds per batch on this thread's writer."""
    writer = _SqliteSyncWriter(url)
    sent = 0

    def one() -> None:
        nonlocal sent
        requests = []
        for _ in range(batch):
            sent += 1
            chat_id = ids[(sent * 7919) % len(ids)]  # spread over the chats, as live traffic
            requests.append(PostRequest(chat_id, Sender.YOUTH, f"c{sent}", "hei, mitä kuuluu?"))
        now = datetime.now(UTC)
        writer._dbapi_transaction(lambda dbapi: append_batch_sqlite(dbapi, requests, now))
        if writer.count_commit():  # the server does this on its thread; its CPU all the same
            writer._checkpoint_now()

    try:
        for _ in range(WARM_UP):
            one()
        before = os.times()
        for _ in range(count):
            one()
        after = os.times()
    finally:
        writer.close()
    return (after.user - before.user) / count, (after.system - before.system) / count


def main(batch: int = 9, count: int = 5000) -> None:
    with tempfile.TemporaryDirectory(prefix="batch-cpu-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        ids = asyncio.run(open_chats(url))
        user, system = measure(url, ids, batch, count)
    total = (user + system) * 1e6
    print(
        f"batches of {batch}: {total:.0f} us CPU per batch"
        f" (user {user * 1e6:.0f}, system {system * 1e6:.0f}), {total / batch:.0f} us a message"
    )


if __name__ == "__main__":
    args = [int(arg) for arg in sys.argv[1:3]]
    main(*args)
