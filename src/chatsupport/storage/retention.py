"""Deleting what the service promised to delete: transcripts past their retention.

Every statement is a plain conditional DELETE, so the purge is safe to run on several
processes at once (a second run simply finds nothing left to delete).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.chat import ChatState
from chatsupport.storage.tables import ChatRow, DiaryPendingRow, MessageRow, SupportNoteRow

CLOSED = (ChatState.ENDED.value, ChatState.MISSED.value)


@dataclass(frozen=True, slots=True)
class Purged:
    chats: int
    messages: int


async def purge_closed_before(session: AsyncSession, *, cutoff: datetime) -> Purged:
    """Delete chats that closed before ``cutoff``, with their messages and diary links.

    The diary record itself stays (it holds no chat id); only the pending link that tied an
    unfiled record to this chat goes, so no record can be traced back to a transcript.
    """
    closed = select(ChatRow.id).where(ChatRow.state.in_(CLOSED), ChatRow.ended_at < cutoff)
    messages = await session.execute(delete(MessageRow).where(MessageRow.chat_id.in_(closed)))
    await session.execute(delete(DiaryPendingRow).where(DiaryPendingRow.chat_id.in_(closed)))
    chats = await session.execute(
        delete(ChatRow).where(ChatRow.state.in_(CLOSED), ChatRow.ended_at < cutoff)
    )
    return Purged(chats=_count(chats), messages=_count(messages))


async def forget_transcript(session: AsyncSession, *, chat_id: str) -> int:
    """Delete a closed chat's messages and private notes now (the youth asked for it, or its
    professional has documented it); the row, with no text, stays until its purge. Open chats
    are kept. Returns the messages deleted."""
    closed = select(ChatRow.id).where(ChatRow.id == chat_id, ChatRow.state.in_(CLOSED))
    result = await session.execute(delete(MessageRow).where(MessageRow.chat_id.in_(closed)))
    await session.execute(delete(SupportNoteRow).where(SupportNoteRow.chat_id.in_(closed)))
    return _count(result)


def _count(result: object) -> int:
    rowcount = getattr(result, "rowcount", 0)
    return int(rowcount) if rowcount and rowcount > 0 else 0
