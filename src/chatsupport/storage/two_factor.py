"""A staff account's second factor: the TOTP seed, the last accepted step, recovery codes.

Both ways of using a factor are single conditional statements, so two logins racing with the
same code cannot both succeed: a TOTP step is accepted only if it is later than the stored
one, a recovery code only while its ``used_at`` is NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.errors import NotFound
from chatsupport.storage.tables import ResponderRow, StaffRecoveryCodeRow


@dataclass(frozen=True, slots=True)
class FactorState:
    seed: str | None
    last_counter: int | None
    enabled: bool


async def load(session: AsyncSession, *, responder_id: int) -> FactorState:
    row = await session.get(ResponderRow, responder_id)
    if row is None:
        raise NotFound("no such responder", code="account.not_found")
    return FactorState(row.totp_seed, row.totp_last_counter, row.totp_enabled_at is not None)


async def start(session: AsyncSession, *, responder_id: int, seed: str) -> None:
    """A pending enrolment: the seed is kept, the factor is not enabled (nor enforced) yet."""
    await _set(session, responder_id, totp_seed=seed, totp_last_counter=None, totp_enabled_at=None)


async def enable(
    session: AsyncSession,
    *,
    responder_id: int,
    seed: str,
    counter: int,
    now: datetime,
    digests: list[str],
) -> bool:
    """Enable the pending factor of ``seed`` and replace the recovery codes with ``digests``.

    False (nothing changed) if the enrolment was restarted or finished meanwhile.
    """
    result = await session.execute(
        update(ResponderRow)
        .where(
            ResponderRow.id == responder_id,
            ResponderRow.totp_seed == seed,
            ResponderRow.totp_enabled_at.is_(None),
        )
        .values(totp_last_counter=counter, totp_enabled_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    await delete_recovery_codes(session, responder_id=responder_id)
    session.add_all(StaffRecoveryCodeRow(responder_id=responder_id, digest=d) for d in digests)
    await session.flush()
    return True


async def accept_step(session: AsyncSession, *, responder_id: int, counter: int) -> bool:
    """Record ``counter`` as used; False if this step (or a later one) was used already."""
    result = await session.execute(
        update(ResponderRow)
        .where(
            ResponderRow.id == responder_id,
            or_(
                ResponderRow.totp_last_counter.is_(None),
                ResponderRow.totp_last_counter < counter,
            ),
        )
        .values(totp_last_counter=counter)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def use_recovery_code(
    session: AsyncSession, *, responder_id: int, digest: str, now: datetime
) -> bool:
    """Mark the code used; False if it is not one of the account's unused codes."""
    result = await session.execute(
        update(StaffRecoveryCodeRow)
        .where(
            StaffRecoveryCodeRow.responder_id == responder_id,
            StaffRecoveryCodeRow.digest == digest,
            StaffRecoveryCodeRow.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def recovery_codes_left(session: AsyncSession, *, responder_id: int) -> int:
    query = select(func.count()).where(
        StaffRecoveryCodeRow.responder_id == responder_id,
        StaffRecoveryCodeRow.used_at.is_(None),
    )
    return int(await session.scalar(query) or 0)


async def clear(session: AsyncSession, *, responder_id: int) -> None:
    """No second factor any more (disable, or a coordinator's reset): seed and codes go."""
    await _set(session, responder_id, totp_seed=None, totp_last_counter=None, totp_enabled_at=None)
    await delete_recovery_codes(session, responder_id=responder_id)


async def delete_recovery_codes(session: AsyncSession, *, responder_id: int) -> None:
    await session.execute(
        delete(StaffRecoveryCodeRow).where(StaffRecoveryCodeRow.responder_id == responder_id)
    )


async def _set(session: AsyncSession, responder_id: int, **values: object) -> None:
    result = await session.execute(
        update(ResponderRow).where(ResponderRow.id == responder_id).values(**values)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("no such responder", code="account.not_found")
