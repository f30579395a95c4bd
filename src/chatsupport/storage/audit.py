"""Audit trail rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.audit import AuditEntry
from chatsupport.storage.tables import AuditRow


async def add(session: AsyncSession, *, entry: AuditEntry) -> None:
    session.add(
        AuditRow(
            at=entry.at,
            actor_id=entry.actor_id,
            actor_role=entry.actor_role,
            action=entry.action,
            target=entry.target,
        )
    )


async def recent(
    session: AsyncSession, *, limit: int, before_id: int | None
) -> list[tuple[int, AuditEntry]]:
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditRow.id < before_id)
    rows = await session.scalars(query)
    return [(r.id, AuditEntry(r.at, r.actor_id, r.actor_role, r.action, r.target)) for r in rows]


async def purge_before(session: AsyncSession, *, cutoff: datetime) -> int:
    result = await session.execute(delete(AuditRow).where(AuditRow.at < cutoff))
    count = getattr(result, "rowcount", 0)
    return int(count) if count and count > 0 else 0
