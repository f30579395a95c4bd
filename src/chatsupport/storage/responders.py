"""Responder accounts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.accounts import Responder
from chatsupport.domain.errors import Conflict, NotFound
from chatsupport.domain.roles import Role
from chatsupport.storage.tables import ResponderRow


def to_responder(row: ResponderRow) -> Responder:
    return Responder(
        id=row.id,
        login_name=row.login_name,
        display_name=row.display_name,
        role=Role(row.role),
        active=row.active,
        two_factor=row.totp_enabled_at is not None,
        languages=tuple(row.languages.split(",")),
    )


async def insert(
    session: AsyncSession,
    *,
    login_name: str,
    display_name: str,
    role: Role,
    password_hash: str,
    now: datetime,
    languages: tuple[str, ...] = ("fi",),
) -> Responder:
    row = ResponderRow(
        login_name=login_name,
        display_name=display_name,
        role=role.value,
        active=True,
        languages=",".join(languages),
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("login_name: already in use", code="account.login_name_taken") from None
    return to_responder(row)


async def get(session: AsyncSession, *, responder_id: int) -> Responder:
    row = await session.get(ResponderRow, responder_id)
    if row is None:
        raise NotFound("no such responder", code="account.not_found")
    return to_responder(row)


async def find_with_hash(session: AsyncSession, *, login_name: str) -> tuple[Responder, str] | None:
    row = await session.scalar(select(ResponderRow).where(ResponderRow.login_name == login_name))
    return None if row is None else (to_responder(row), row.password_hash)


async def list_all(session: AsyncSession) -> list[Responder]:
    rows = await session.scalars(select(ResponderRow).order_by(ResponderRow.login_name))
    return [to_responder(r) for r in rows]


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(ResponderRow)) or 0)


async def update_fields(
    session: AsyncSession,
    *,
    responder_id: int,
    now: datetime,
    display_name: str | None = None,
    role: Role | None = None,
    active: bool | None = None,
    password_hash: str | None = None,
    languages: tuple[str, ...] | None = None,
) -> Responder:
    values: dict[str, object] = {"updated_at": now}
    if languages is not None:
        values["languages"] = ",".join(languages)
    if display_name is not None:
        values["display_name"] = display_name
    if role is not None:
        values["role"] = role.value
    if active is not None:
        values["active"] = active
    if password_hash is not None:
        values["password_hash"] = password_hash
    result = await session.execute(
        update(ResponderRow).where(ResponderRow.id == responder_id).values(**values)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("no such responder", code="account.not_found")
    return await get(session, responder_id=responder_id)


async def languages_of(session: AsyncSession, *, responder_ids: Iterable[int]) -> set[str]:
    """Every language any of these responders answers in."""
    ids = sorted(set(responder_ids))
    if not ids:
        return set()
    rows = await session.scalars(select(ResponderRow.languages).where(ResponderRow.id.in_(ids)))
    return {lang for joined in rows for lang in joined.split(",")}
