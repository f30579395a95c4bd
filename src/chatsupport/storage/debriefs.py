"""Debrief requests (``debriefs``). The answer is one conditional update: the first of two
professionals answering at once wins, the other is told it was answered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.chat import Author
from chatsupport.domain.debrief import Debrief, DebriefReason
from chatsupport.storage.chats import responder_names
from chatsupport.storage.tables import DebriefRow


async def add(
    session: AsyncSession,
    *,
    expert_id: int,
    backup_id: int | None,
    reason: DebriefReason,
    now: datetime,
) -> int:
    row = DebriefRow(
        expert_id=expert_id, backup_id=backup_id, reason=reason.value, requested_at=now
    )
    session.add(row)
    await session.flush()
    return row.id


async def answer(session: AsyncSession, *, debrief_id: int, by: int, now: datetime) -> bool:
    """Mark it answered by ``by``; False when someone answered first."""
    result = await session.execute(
        update(DebriefRow)
        .where(DebriefRow.id == debrief_id, DebriefRow.answered_at.is_(None))
        .values(answered_by=by, answered_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def get(session: AsyncSession, *, debrief_id: int) -> Debrief | None:
    row = await session.get(DebriefRow, debrief_id)
    return (await _debriefs(session, [row]))[0] if row is not None else None


async def of_expert(session: AsyncSession, *, expert_id: int, since: datetime) -> list[Debrief]:
    rows = await session.scalars(
        select(DebriefRow)
        .where(DebriefRow.expert_id == expert_id, DebriefRow.requested_at >= since)
        .order_by(DebriefRow.id)
    )
    return await _debriefs(session, list(rows))


async def unanswered(session: AsyncSession) -> list[Debrief]:
    """Every open request (a handful at most: the caller picks the ones for a responder)."""
    rows = await session.scalars(
        select(DebriefRow).where(DebriefRow.answered_at.is_(None)).order_by(DebriefRow.id)
    )
    return await _debriefs(session, list(rows))


async def purge(session: AsyncSession, *, asked_before: datetime) -> int:
    result = await session.execute(delete(DebriefRow).where(DebriefRow.requested_at < asked_before))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def _debriefs(session: AsyncSession, rows: Sequence[DebriefRow]) -> list[Debrief]:
    """Rows with the current role and display name of everyone they name."""
    ids = {i for r in rows for i in (r.expert_id, r.backup_id, r.answered_by) if i is not None}
    names = await responder_names(session, responder_ids=sorted(ids))

    def person(responder_id: int | None) -> Author | None:
        if responder_id is None or responder_id not in names:
            return None
        role, name = names[responder_id]
        return Author(id=responder_id, role=role, name=name)

    found = []
    for r in rows:
        expert = person(r.expert_id)
        assert expert is not None  # the foreign key cascades: the expert exists
        found.append(
            Debrief(
                id=r.id,
                expert=expert,
                reason=DebriefReason(r.reason),
                requested_at=r.requested_at,
                backup=person(r.backup_id),
                answered_by=person(r.answered_by),
                answered_at=r.answered_at,
            )
        )
    return found
