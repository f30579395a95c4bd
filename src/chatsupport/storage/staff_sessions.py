"""Server-side staff sessions, found by the SHA-256 of the cookie's token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.accounts import Responder
from chatsupport.storage.responders import to_responder
from chatsupport.storage.tables import ResponderRow, StaffSessionRow


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: int
    responder: Responder
    expires_at: datetime


async def insert(
    session: AsyncSession,
    *,
    token_hash: str,
    responder_id: int,
    now: datetime,
    expires_at: datetime,
) -> None:
    session.add(
        StaffSessionRow(
            token_hash=token_hash,
            responder_id=responder_id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()


async def find_live(
    session: AsyncSession, *, token_hash: str, now: datetime
) -> SessionRecord | None:
    """The unexpired session of an *active* responder, or None."""
    return (await find_live_many(session, token_hashes={token_hash}, now=now)).get(token_hash)


async def find_live_many(
    session: AsyncSession, *, token_hashes: set[str], now: datetime
) -> dict[str, SessionRecord]:
    """Of these token hashes, those with an unexpired session of an *active* responder."""
    query = (
        select(StaffSessionRow, ResponderRow)
        .join(ResponderRow, ResponderRow.id == StaffSessionRow.responder_id)
        .where(
            StaffSessionRow.token_hash.in_(sorted(token_hashes)),
            StaffSessionRow.expires_at > now,
            ResponderRow.active.is_(True),
        )
    )
    found = (await session.execute(query)).all()
    return {
        row.token_hash: SessionRecord(row.id, to_responder(responder), row.expires_at)
        for row, responder in found
    }


async def has_live(session: AsyncSession, *, responder_id: int, now: datetime) -> bool:
    """Whether the responder still has an unexpired session (signed in elsewhere)."""
    found = await session.scalar(
        select(StaffSessionRow.id)
        .where(StaffSessionRow.responder_id == responder_id, StaffSessionRow.expires_at > now)
        .limit(1)
    )
    return found is not None


async def delete_by_token(session: AsyncSession, *, token_hash: str) -> None:
    await session.execute(delete(StaffSessionRow).where(StaffSessionRow.token_hash == token_hash))


async def delete_for_responder(session: AsyncSession, *, responder_id: int) -> None:
    """End every session of a responder (deactivation, password reset)."""
    await session.execute(
        delete(StaffSessionRow).where(StaffSessionRow.responder_id == responder_id)
    )


async def delete_expired(session: AsyncSession, *, now: datetime) -> None:
    await session.execute(delete(StaffSessionRow).where(StaffSessionRow.expires_at <= now))
