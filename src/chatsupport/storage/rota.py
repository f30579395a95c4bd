"""Rota rows: shifts and their responders, closures, youth texts, console presence.

Loading the rota for *deciding* (``load_rota``) applies the account rules: an assignment of a
deactivated responder, or of one whose role no longer matches the shift, is left out; a
backup that is deactivated or no longer a professional counts as no backup (the expert shift
is then closed). Listing for the coordinator (``list_shifts``) shows the rows as stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.errors import NotFound
from chatsupport.domain.roles import Role
from chatsupport.domain.rota import Closure, Rota, Shift, ShiftRole, StaffMember
from chatsupport.domain.youth_texts import YouthTexts
from chatsupport.storage.tables import (
    ConsolePresenceRow,
    ResponderRow,
    RotaAssignmentRow,
    RotaClosureRow,
    RotaShiftRow,
    YouthTextRow,
)

SHIFT_NOT_FOUND = "rota.shift_not_found"
CLOSURE_NOT_FOUND = "rota.closure_not_found"


def _shift(row: RotaShiftRow, responder_ids: frozenset[int]) -> Shift:
    return Shift(
        id=row.id,
        role=ShiftRole(row.role),
        starts=row.starts,
        ends=row.ends,
        responder_ids=responder_ids,
        weekday=row.weekday,
        on_date=row.on_date,
        ends_next_day=row.ends_next_day,
        backup_id=row.backup_id,
    )


def _closure(row: RotaClosureRow) -> Closure:
    return Closure(id=row.id, on_date=row.on_date, starts=row.starts, ends=row.ends, note=row.note)


async def staff(session: AsyncSession) -> dict[int, StaffMember]:
    rows = await session.execute(select(ResponderRow.id, ResponderRow.role, ResponderRow.active))
    return {rid: StaffMember(Role(role), active) for rid, role, active in rows}


async def list_shifts(session: AsyncSession) -> list[Shift]:
    assigned: dict[int, set[int]] = defaultdict(set)
    for shift_id, rid in await session.execute(
        select(RotaAssignmentRow.shift_id, RotaAssignmentRow.responder_id)
    ):
        assigned[shift_id].add(rid)
    rows = await session.scalars(
        select(RotaShiftRow).order_by(
            RotaShiftRow.on_date, RotaShiftRow.weekday, RotaShiftRow.starts, RotaShiftRow.id
        )
    )
    return [_shift(r, frozenset(assigned[r.id])) for r in rows]


async def list_closures(session: AsyncSession) -> list[Closure]:
    rows = await session.scalars(
        select(RotaClosureRow).order_by(
            RotaClosureRow.on_date, RotaClosureRow.starts, RotaClosureRow.id
        )
    )
    return [_closure(r) for r in rows]


async def load_rota(session: AsyncSession, *, zone: ZoneInfo) -> Rota:
    """The rota to decide with (see the module docstring for the account rules)."""
    people = await staff(session)
    shifts = []
    for shift in await list_shifts(session):
        fit = frozenset(
            rid
            for rid in shift.responder_ids
            if people[rid].active and people[rid].role.value == shift.role.value
        )
        backup = shift.backup_id
        if backup is not None and not (
            people[backup].active and people[backup].role is Role.PROFESSIONAL
        ):
            backup = None
        shifts.append(replace(shift, responder_ids=fit, backup_id=backup))
    return Rota(zone=zone, shifts=tuple(shifts), closures=tuple(await list_closures(session)))


async def save_shift(session: AsyncSession, *, shift: Shift, now: datetime) -> Shift:
    """Insert (``shift.id`` 0) or replace a shift and its assignments; returns it with its id."""
    row = RotaShiftRow() if shift.id == 0 else await session.get(RotaShiftRow, shift.id)
    if row is None:
        raise NotFound("no such shift", code=SHIFT_NOT_FOUND)
    row.role = shift.role.value
    row.weekday, row.on_date = shift.weekday, shift.on_date
    row.starts, row.ends, row.ends_next_day = shift.starts, shift.ends, shift.ends_next_day
    row.backup_id, row.updated_at = shift.backup_id, now
    session.add(row)
    await session.flush()
    await session.execute(delete(RotaAssignmentRow).where(RotaAssignmentRow.shift_id == row.id))
    session.add_all(
        RotaAssignmentRow(shift_id=row.id, responder_id=rid) for rid in sorted(shift.responder_ids)
    )
    await session.flush()
    return _shift(row, shift.responder_ids)


async def delete_shift(session: AsyncSession, *, shift_id: int) -> None:
    result = await session.execute(delete(RotaShiftRow).where(RotaShiftRow.id == shift_id))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("no such shift", code=SHIFT_NOT_FOUND)


async def save_closure(session: AsyncSession, *, closure: Closure, now: datetime) -> Closure:
    row = RotaClosureRow() if closure.id == 0 else await session.get(RotaClosureRow, closure.id)
    if row is None:
        raise NotFound("no such closure", code=CLOSURE_NOT_FOUND)
    row.on_date, row.starts, row.ends = closure.on_date, closure.starts, closure.ends
    row.note, row.updated_at = closure.note, now
    session.add(row)
    await session.flush()
    return _closure(row)


async def delete_closure(session: AsyncSession, *, closure_id: int) -> None:
    result = await session.execute(delete(RotaClosureRow).where(RotaClosureRow.id == closure_id))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("no such closure", code=CLOSURE_NOT_FOUND)


# --- youth texts ---------------------------------------------------------------------------


async def custom_texts(session: AsyncSession) -> dict[str, YouthTexts]:
    """The coordinator's texts per language; a column saved before it existed is None (the
    caller puts the built-in draft in its place)."""
    rows = await session.scalars(select(YouthTextRow))
    return {
        r.lang: YouthTexts(
            opening=r.opening,
            closed=r.closed,
            emergency=r.emergency,
            accessibility=r.accessibility or "",
        )
        for r in rows
    }


async def save_texts(session: AsyncSession, *, lang: str, texts: YouthTexts, now: datetime) -> None:
    row = await session.get(YouthTextRow, lang) or YouthTextRow(lang=lang)
    row.opening, row.closed, row.emergency = texts.opening, texts.closed, texts.emergency
    row.accessibility = texts.accessibility
    row.updated_at = now
    session.add(row)


async def reset_texts(session: AsyncSession, *, lang: str) -> None:
    await session.execute(delete(YouthTextRow).where(YouthTextRow.lang == lang))


# --- console presence ---------------------------------------------------------------------


async def touch_presence(session: AsyncSession, *, responder_ids: list[int], now: datetime) -> None:
    """Mark consoles as connected now (each process does this for its own connections).

    One upsert, so two processes marking the same responder at once do not collide.
    """
    rows = [
        {"responder_id": rid, "seen_at": now, "closed": False} for rid in sorted(set(responder_ids))
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ConsolePresenceRow).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ConsolePresenceRow.responder_id],
            set_={"seen_at": statement.excluded.seen_at, "closed": False},
        )
    )


async def forget_presence(session: AsyncSession, *, responder_id: int, now: datetime) -> None:
    """The responder's last console on this process closed: not connected from now on."""
    await session.execute(
        update(ConsolePresenceRow)
        .where(ConsolePresenceRow.responder_id == responder_id)
        .values(seen_at=now, closed=True)
    )


async def present_since(session: AsyncSession, *, since: datetime) -> frozenset[int]:
    """Responders with a console connected now (seen by a sweep since ``since``)."""
    rows = await session.scalars(
        select(ConsolePresenceRow.responder_id).where(
            ConsolePresenceRow.seen_at >= since, ConsolePresenceRow.closed.is_(False)
        )
    )
    return frozenset(rows)


async def seen_since(session: AsyncSession, *, since: datetime) -> frozenset[int]:
    """Responders whose console was connected at some moment since ``since`` (open or not)."""
    rows = await session.scalars(
        select(ConsolePresenceRow.responder_id).where(ConsolePresenceRow.seen_at >= since)
    )
    return frozenset(rows)
