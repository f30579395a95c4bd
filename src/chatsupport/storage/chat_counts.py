"""Counts of open chats by state (metrics gauges, the waiting-queue cap)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.chat import OPEN_STATES, ChatState
from chatsupport.storage.tables import ChatRow


async def open_by_state(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(ChatRow.state, func.count())
        .where(ChatRow.state.in_([s.value for s in OPEN_STATES]))
        .group_by(ChatRow.state)
    )
    return {str(state): int(n) for state, n in rows.all()}


def waiting_rows(conn: Connection) -> int:
    """Chats waiting now, as synchronous Core (inside the transaction that stores a new chat:
    every open checks the queue's cap)."""
    count = conn.scalar(
        select(func.count()).select_from(ChatRow).where(ChatRow.state == ChatState.WAITING.value)
    )
    return int(count or 0)
