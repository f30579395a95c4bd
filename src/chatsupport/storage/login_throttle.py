"""Failed-login counters per login name."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.login_throttle import ThrottleState
from chatsupport.storage.tables import LoginThrottleRow


async def load(session: AsyncSession, *, login_name: str) -> ThrottleState | None:
    row = await session.get(LoginThrottleRow, login_name, populate_existing=True)
    if row is None:
        return None
    return ThrottleState(row.failures, row.window_started_at, row.locked_until)


async def save(session: AsyncSession, *, login_name: str, state: ThrottleState) -> None:
    """Upsert, so that two failures racing for a new name cannot collide."""
    values = {
        "login_name": login_name,
        "failures": state.failures,
        "window_started_at": state.window_started_at,
        "locked_until": state.locked_until,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(LoginThrottleRow).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[LoginThrottleRow.login_name],
        set_={k: v for k, v in values.items() if k != "login_name"},
    )
    await session.execute(statement)


async def clear(session: AsyncSession, *, login_name: str) -> None:
    await session.execute(delete(LoginThrottleRow).where(LoginThrottleRow.login_name == login_name))
