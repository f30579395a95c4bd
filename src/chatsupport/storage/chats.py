"""Chats and their messages. The database decides every race here.

* A claim is one conditional UPDATE (``WHERE state = 'waiting'``) accepted only if it changed
  one row; PostgreSQL re-evaluates the WHERE after a competing writer commits, SQLite runs the
  write transaction under ``BEGIN IMMEDIATE``.
* Messages are stored in batches (group commit, ``storage/message_batches.py``): the batch's
  chat rows are locked, each new message takes ``last_seq + 1`` in the transaction that stores
  it, so numbers are gap-free and ordered per chat on every backend.
* A resent ``client_id`` returns the stored message instead of storing it twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.chat import (
    OPEN_STATES,
    Author,
    Chat,
    ChatState,
    ClaimOutcome,
    EndReason,
    Message,
    Sender,
)
from chatsupport.domain.roles import Role
from chatsupport.storage import chat_counts
from chatsupport.storage.tables import ChatRow, MessageRow, ResponderRow


def _chat(row: ChatRow) -> Chat:
    return Chat(
        id=row.id,
        state=ChatState(row.state),
        lang=row.lang,
        responder_id=row.responder_id,
        last_seq=row.last_seq,
        created_at=row.created_at,
        claimed_at=row.claimed_at,
        end_reason=EndReason(row.end_reason) if row.end_reason else None,
        youth_urgent=row.youth_urgent,
    )


def _message(row: MessageRow, role: str | None, name: str | None) -> Message:
    author = None
    if row.author_id is not None and role is not None and name is not None:
        author = Author(row.author_id, role, name)
    return Message(
        chat_id=row.chat_id,
        seq=row.seq,
        sender=Sender(row.sender),
        client_id=row.client_id,
        text=row.text,
        at=row.created_at,
        author=author,
    )


# The advisory lock that lets new chats be counted against the queue's cap one at a time on
# PostgreSQL (any fixed number of our own: "chatqu" in ASCII).
_QUEUE_CAP_LOCK = 0x636861747175


def create_row(
    conn: Connection,
    *,
    chat_id: str,
    token_hash: str,
    lang: str,
    now: datetime,
    max_waiting: int | None = None,
    youth_urgent: bool = False,
) -> Chat | None:
    """A new waiting chat, as synchronous Core for ``Database.run_write`` (one hop on SQLite:
    a young person's open waits for it before anyone is tagged).

    With ``max_waiting``: None, and nothing stored, when that many chats already wait. The
    count is taken in the same transaction as the insert, one new chat at a time (SQLite has
    one writer; on PostgreSQL a transaction-scoped advisory lock, held by opens only), so
    concurrent opens on any process cannot overshoot the cap. Before, each open counted on a
    reader thread first, a hop of its own of ~1 ms (bench/README.md, "sixth session").
    """
    if max_waiting is not None:
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(_QUEUE_CAP_LOCK)))
        if chat_counts.waiting_rows(conn) >= max_waiting:
            return None
    state = ChatState.WAITING
    conn.execute(
        insert(ChatRow).values(
            id=chat_id,
            state=state.value,
            lang=lang,
            token_hash=token_hash,
            last_seq=0,
            created_at=now,
            youth_seen_at=now,
            last_tagged_at=now,
            youth_urgent=youth_urgent,
        )
    )
    return Chat(
        id=chat_id,
        state=state,
        lang=lang,
        responder_id=None,
        last_seq=0,
        created_at=now,
        claimed_at=None,
        end_reason=None,
        youth_urgent=youth_urgent,
    )


async def get(session: AsyncSession, *, chat_id: str) -> Chat | None:
    row = await session.get(ChatRow, chat_id, populate_existing=True)
    return None if row is None else _chat(row)


async def find_open_by_token(session: AsyncSession, *, token_hash: str) -> Chat | None:
    """The open chat whose resume token hashes to ``token_hash`` (ended chats have none)."""
    row = await session.scalar(select(ChatRow).where(ChatRow.token_hash == token_hash))
    return None if row is None else _chat(row)


async def claim(
    session: AsyncSession, *, chat_id: str, responder_id: int, now: datetime, cap: int
) -> ClaimOutcome:
    """Make ``responder_id`` the chat's responder if it is still waiting and under the cap."""
    # Serialise one responder's own claims (two tabs) so the cap cannot be overrun.
    await session.execute(
        select(ResponderRow.id).where(ResponderRow.id == responder_id).with_for_update()
    )
    held = await session.scalar(
        select(func.count())
        .select_from(ChatRow)
        .where(ChatRow.responder_id == responder_id, ChatRow.state == ChatState.ACTIVE.value)
    )
    if (held or 0) >= cap:
        return ClaimOutcome.CAP_REACHED
    result = await session.execute(
        update(ChatRow)
        .where(ChatRow.id == chat_id, ChatRow.state == ChatState.WAITING.value)
        .values(state=ChatState.ACTIVE.value, responder_id=responder_id, claimed_at=now)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return ClaimOutcome.WON
    return await _why_not_claimed(session, chat_id=chat_id)


async def _why_not_claimed(session: AsyncSession, *, chat_id: str) -> ClaimOutcome:
    state = await session.scalar(select(ChatRow.state).where(ChatRow.id == chat_id))
    if state is None:
        return ClaimOutcome.NOT_FOUND
    return ClaimOutcome.TAKEN if state == ChatState.ACTIVE.value else ClaimOutcome.NOT_WAITING


async def messages_after(
    session: AsyncSession, *, chat_id: str, after_seq: int, limit: int = 1000
) -> list[Message]:
    """With each responder message's author as the responder's row has it now."""
    rows = await session.execute(
        select(MessageRow, ResponderRow.role, ResponderRow.display_name)
        .outerjoin(ResponderRow, ResponderRow.id == MessageRow.author_id)
        .where(MessageRow.chat_id == chat_id, MessageRow.seq > after_seq)
        .order_by(MessageRow.seq)
        .limit(limit)
    )
    return [_message(row, role, name) for row, role, name in rows]


async def finish(
    session: AsyncSession,
    *,
    chat_id: str,
    from_state: ChatState,
    to_state: ChatState,
    reason: EndReason,
    now: datetime,
) -> bool:
    """Move the chat out of ``from_state``; the resume token stops working. False if it moved."""
    result = await session.execute(
        update(ChatRow)
        .where(ChatRow.id == chat_id, ChatRow.state == from_state.value)
        .values(state=to_state.value, end_reason=reason.value, ended_at=now, token_hash=None)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def change_lang(session: AsyncSession, *, chat_id: str, lang: str) -> bool:
    """The youth chose another language while the chat is open; False if it was already that
    language or the chat is over (nothing to announce then)."""
    result = await session.execute(
        update(ChatRow)
        .where(
            ChatRow.id == chat_id,
            ChatRow.state.in_([s.value for s in OPEN_STATES]),
            ChatRow.lang != lang,
        )
        .values(lang=lang)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def waiting(session: AsyncSession) -> list[Chat]:
    """Every waiting chat, oldest first (that is the queue order)."""
    rows = await session.scalars(
        select(ChatRow)
        .where(ChatRow.state == ChatState.WAITING.value)
        .order_by(ChatRow.created_at, ChatRow.id)
    )
    return [_chat(r) for r in rows]


async def active_for(session: AsyncSession, *, responder_id: int) -> list[Chat]:
    rows = await session.scalars(
        select(ChatRow)
        .where(ChatRow.responder_id == responder_id, ChatRow.state == ChatState.ACTIVE.value)
        .order_by(ChatRow.claimed_at)
    )
    return [_chat(r) for r in rows]


async def expert_authors(session: AsyncSession, *, chat_id: str) -> set[int]:
    """The experience experts who wrote in this chat (while its messages are kept)."""
    rows = await session.scalars(
        select(MessageRow.author_id)
        .join(ResponderRow, ResponderRow.id == MessageRow.author_id)
        .where(MessageRow.chat_id == chat_id, ResponderRow.role == Role.EXPERIENCE_EXPERT.value)
        .distinct()
    )
    return {r for r in rows if r is not None}


async def responder_names(
    session: AsyncSession, *, responder_ids: Sequence[int]
) -> dict[int, tuple[str, str]]:
    """``{id: (role, display name)}`` for showing who answers."""
    rows = await session.execute(
        select(ResponderRow.id, ResponderRow.role, ResponderRow.display_name).where(
            ResponderRow.id.in_(responder_ids)
        )
    )
    return {rid: (role, name) for rid, role, name in rows}


async def touch_youth(session: AsyncSession, *, chat_ids: Sequence[str], now: datetime) -> None:
    """Record that these chats' youth are connected now (the grace window restarts)."""
    await session.run_sync(lambda s: touch_youth_rows(s.connection(), chat_ids, now))


def touch_youth_rows(conn: Connection, chat_ids: Sequence[str], now: datetime) -> None:
    """``touch_youth`` as synchronous Core, for ``Database.run_write`` (one hop on SQLite)."""
    for start in range(0, len(chat_ids), 500):
        conn.execute(
            update(ChatRow)
            .where(ChatRow.id.in_(chat_ids[start : start + 500]))
            .values(youth_seen_at=now)
        )


async def youth_gone_since(session: AsyncSession, *, cutoff: datetime) -> list[Chat]:
    """Open chats whose youth has not been connected since ``cutoff``."""
    rows = await session.scalars(
        select(ChatRow).where(
            ChatRow.state.in_([s.value for s in OPEN_STATES]), ChatRow.youth_seen_at < cutoff
        )
    )
    return [_chat(r) for r in rows]


async def take_due_reminder(
    session: AsyncSession, *, chat_id: str, cutoff: datetime, now: datetime
) -> bool:
    """Claim the right to send this chat's reminder (one process wins it)."""
    result = await session.execute(
        update(ChatRow)
        .where(
            ChatRow.id == chat_id,
            ChatRow.state == ChatState.WAITING.value,
            ChatRow.last_tagged_at < cutoff,
        )
        .values(last_tagged_at=now)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def recent_wait_secs(session: AsyncSession, *, limit: int = 20) -> list[float]:
    """Seconds from opening to claim of the most recently claimed chats."""
    rows = await session.execute(
        select(ChatRow.created_at, ChatRow.claimed_at)
        .where(ChatRow.claimed_at.is_not(None))
        .order_by(ChatRow.claimed_at.desc())
        .limit(limit)
    )
    return [(claimed - created).total_seconds() for created, claimed in rows if claimed]
