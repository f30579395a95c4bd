"""Canned-reply rows: list, create, replace, delete."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.canned import CannedReply
from chatsupport.storage.tables import CannedReplyRow


def _reply(row: CannedReplyRow) -> CannedReply:
    return CannedReply(
        id=row.id,
        lang=row.lang,  # type: ignore[arg-type]  # written only from a CannedLang
        title=row.title,
        text=row.text,
        position=row.position,
    )


async def list_replies(session: AsyncSession, *, lang: str | None = None) -> list[CannedReply]:
    query = select(CannedReplyRow)
    if lang is not None:
        query = query.where(CannedReplyRow.lang == lang)
    return [_reply(r) for r in await session.scalars(query)]


async def count_in(session: AsyncSession, *, lang: str) -> int:
    query = select(func.count()).select_from(CannedReplyRow).where(CannedReplyRow.lang == lang)
    return int(await session.scalar(query) or 0)


async def save_reply(
    session: AsyncSession, *, reply: CannedReply, now: datetime
) -> CannedReply | None:
    """Insert (``id`` 0) or replace; None when the id to replace does not exist."""
    row = CannedReplyRow() if reply.id == 0 else await session.get(CannedReplyRow, reply.id)
    if row is None:
        return None
    row.lang, row.title, row.text = reply.lang, reply.title, reply.text
    row.position, row.updated_at = reply.position, now
    session.add(row)
    await session.flush()
    return _reply(row)


async def delete_reply(session: AsyncSession, *, reply_id: int) -> bool:
    """True when a row was deleted."""
    result = await session.execute(delete(CannedReplyRow).where(CannedReplyRow.id == reply_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]
