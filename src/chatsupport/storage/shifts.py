"""Duty intervals (until the rota model generates them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.duty import ShiftSpan
from chatsupport.domain.errors import NotFound
from chatsupport.storage.tables import ResponderRow, ShiftRow


def _span(row: ShiftRow) -> ShiftSpan:
    return ShiftSpan(row.responder_id, row.starts_at, row.ends_at)


async def insert(
    session: AsyncSession, *, responder_id: int, starts_at: datetime, ends_at: datetime
) -> tuple[int, ShiftSpan]:
    if await session.get(ResponderRow, responder_id) is None:
        raise NotFound("responder_id: no such responder", code="shift.unknown_responder")
    row = ShiftRow(responder_id=responder_id, starts_at=starts_at, ends_at=ends_at)
    session.add(row)
    await session.flush()
    return row.id, _span(row)


async def covering(session: AsyncSession, *, instant: datetime) -> list[ShiftSpan]:
    """Shifts of active responders that contain ``instant``."""
    rows = await session.scalars(
        select(ShiftRow)
        .join(ResponderRow, ResponderRow.id == ShiftRow.responder_id)
        .where(
            ShiftRow.starts_at <= instant,
            ShiftRow.ends_at > instant,
            ResponderRow.active.is_(True),
        )
    )
    return [_span(r) for r in rows]


async def list_all(session: AsyncSession) -> list[tuple[int, ShiftSpan]]:
    rows = await session.scalars(select(ShiftRow).order_by(ShiftRow.starts_at))
    return [(r.id, _span(r)) for r in rows]


async def remove(session: AsyncSession, *, shift_id: int) -> None:
    result = await session.execute(delete(ShiftRow).where(ShiftRow.id == shift_id))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("no such shift", code="shift.not_found")
