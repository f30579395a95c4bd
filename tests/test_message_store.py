"""The message write path on SQLite and PostgreSQL: a resent client_id is stored once, answered
with the original seq, and leaves no gap in the chat's seq numbers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from chatsupport.domain.chat import OPEN_STATES, ChatState, EndReason, Message, Sender
from chatsupport.storage import chats
from chatsupport.storage.database import Database
from chatsupport.storage.migrate import upgrade_to_head
from chatsupport.storage.tables import ChatRow, MessageRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    try:
        await upgrade_to_head(database)
        async with database.write() as s:
            await chats.create(s, chat_id="c1", token_hash="h1", lang="fi", now=NOW)
        yield database
    finally:
        await database.dispose()


async def _post(
    db: Database, client_id: str, text: str, sender: Sender = Sender.YOUTH
) -> tuple[Message, bool] | None:
    async with db.write() as s:
        return await chats.append_message(
            s,
            chat_id="c1",
            sender=sender,
            client_id=client_id,
            text=text,
            now=NOW,
            allowed_states=OPEN_STATES,
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
    # The same client_id from the other side is a different message.
    other = await _post(db, "a", "vastaus", sender=Sender.RESPONDER)
    assert other is not None and other[0].seq == 3
    rows, last_seq = await _stored(db)
    assert rows == [(1, "a", "hei"), (2, "b", "toinen"), (3, "a", "vastaus")]
    assert last_seq == 3


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
