"""Feedback tickets (one per chat, hashed, deleted when used) and anonymous answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.chat import ChatState
from chatsupport.domain.feedback import Answer
from chatsupport.storage.tables import ChatRow, FeedbackTicketRow, YouthFeedbackRow


async def open_chat_id(session: AsyncSession, *, token_hash: str) -> str | None:
    """The id of the open (waiting or active) chat of a resume-token hash."""
    row = await session.scalar(select(ChatRow).where(ChatRow.token_hash == token_hash))
    return row.id if row is not None else None


async def set_ticket(session: AsyncSession, *, chat_id: str, ticket_hash: str) -> None:
    """Give the chat this ticket, replacing an earlier one (a reload loses the old one)."""
    await session.execute(delete(FeedbackTicketRow).where(FeedbackTicketRow.chat_id == chat_id))
    session.add(FeedbackTicketRow(chat_id=chat_id, ticket_hash=ticket_hash))
    await session.flush()


async def use_ticket(session: AsyncSession, *, ticket_hash: str, ended_after: datetime) -> bool:
    """Delete the ticket if its chat was answered and ended after ``ended_after``.

    True when it was used now; False for an unknown or used ticket, a chat still open, a
    missed chat or one that ended too long ago (the ticket then stays until the purge).
    """
    row = await session.scalar(
        select(FeedbackTicketRow).where(FeedbackTicketRow.ticket_hash == ticket_hash)
    )
    if row is None:
        return False
    chat = await session.get(ChatRow, row.chat_id)
    if chat is None or chat.state != ChatState.ENDED.value or chat.claimed_at is None:
        return False
    if chat.ended_at is None or chat.ended_at < ended_after:
        return False
    result = await session.execute(
        delete(FeedbackTicketRow).where(FeedbackTicketRow.ticket_hash == ticket_hash)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def add_answer(session: AsyncSession, *, local_date: date, answer: Answer) -> None:
    session.add(YouthFeedbackRow(local_date=local_date, answer=answer.value))
    await session.flush()


async def answers_between(session: AsyncSession, *, start: date, end: date) -> list[Answer]:
    rows = await session.scalars(
        select(YouthFeedbackRow.answer).where(
            YouthFeedbackRow.local_date >= start, YouthFeedbackRow.local_date <= end
        )
    )
    return [Answer(a) for a in rows if a in Answer._value2member_map_]
