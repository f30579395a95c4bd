"""Ended chats for their professionals to read again (the rule is ``domain.transcripts``; what
is past retention is gone already, by the purge; deleting the text now is
``retention.forget_transcript``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.transcripts import LIST_LIMIT, EndedChat
from chatsupport.storage.retention import CLOSED
from chatsupport.storage.tables import ChatRow, ChatSupportRow, MessageRow


def _ended() -> ColumnElement[bool]:
    return ChatRow.state.in_(CLOSED) & ChatRow.ended_at.is_not(None)


def _query() -> Select[Any]:
    count = (
        select(func.count(MessageRow.seq)).where(MessageRow.chat_id == ChatRow.id).scalar_subquery()
    )
    return (
        select(
            ChatRow.id,
            ChatRow.lang,
            ChatRow.created_at,
            ChatRow.ended_at,
            ChatRow.end_reason,
            ChatRow.responder_id,
            ChatSupportRow.backup_id,
            count,
            ChatRow.last_seq > 0,
        )
        .outerjoin(ChatSupportRow, ChatSupportRow.chat_id == ChatRow.id)
        .where(_ended())
    )


async def ended_for(session: AsyncSession, *, responder_id: int) -> list[EndedChat]:
    """The ended chats ``responder_id`` held at the end, was asked to back up, or wrote in
    before it changed hands; newest first."""
    wrote = (
        select(MessageRow.seq)
        .where(MessageRow.chat_id == ChatRow.id, MessageRow.author_id == responder_id)
        .exists()
    )
    rows = await session.execute(
        _query()
        .where(
            or_(
                ChatRow.responder_id == responder_id,
                ChatSupportRow.backup_id == responder_id,
                wrote,
            )
        )
        .order_by(ChatRow.ended_at.desc())
        .limit(LIST_LIMIT)
    )
    return await _with_authors(session, [EndedChat(*row) for row in rows])


async def ended_chat(session: AsyncSession, *, chat_id: str) -> EndedChat | None:
    row = (await session.execute(_query().where(ChatRow.id == chat_id))).first()
    return None if row is None else (await _with_authors(session, [EndedChat(*row)]))[0]


async def _with_authors(session: AsyncSession, chats: list[EndedChat]) -> list[EndedChat]:
    """Each chat with the responders who wrote in it (one query for the lot)."""
    if not chats:
        return chats
    rows = await session.execute(
        select(MessageRow.chat_id, MessageRow.author_id)
        .where(
            MessageRow.chat_id.in_([c.chat_id for c in chats]), MessageRow.author_id.is_not(None)
        )
        .distinct()
    )
    authors: dict[str, set[int]] = {}
    for chat_id, author_id in rows:
        if author_id is not None:  # filtered in the query; the type does not know
            authors.setdefault(chat_id, set()).add(author_id)
    return [replace(c, authors=frozenset(authors.get(c.chat_id, ()))) for c in chats]
