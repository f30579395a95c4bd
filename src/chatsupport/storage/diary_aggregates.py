"""The monthly tallies that outlive diary records (tables ``diary_month_counts`` and
``diary_month_bands``): added to by the purge, read by statistics.

Adding is an upsert that increments (``count = count + excluded.count``), in a fixed key
order so that two purges adding to the same months cannot deadlock each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.diary_tally import Tally
from chatsupport.domain.periods import month_of
from chatsupport.storage.tables import DiaryMonthBandRow, DiaryMonthCountRow

_COUNTS = cast(Table, DiaryMonthCountRow.__table__)
_BANDS = cast(Table, DiaryMonthBandRow.__table__)
ROWS_PER_STATEMENT = 500


async def add_tallies(session: AsyncSession, *, tallies: Mapping[date, Tally]) -> None:
    """Add each month's tally to what is stored for that month (month = its first day)."""
    counts = [
        {"month": month, "population": p, "dimension": d, "code": c, "count": n}
        for month, tally in tallies.items()
        for (p, d, c), n in tally.counts.items()
    ]
    bands = [
        {"month": month, "measure": m, "band_secs": secs, "count": n}
        for month, tally in tallies.items()
        for (m, secs), n in tally.bands.items()
    ]
    await _increment(session, _COUNTS, sorted(counts, key=_key(_COUNTS)))
    await _increment(session, _BANDS, sorted(bands, key=_key(_BANDS)))


async def tallies_between(session: AsyncSession, *, start: date, end: date) -> dict[date, Tally]:
    """The stored tally of every month touching [start, end]."""
    low = month_of(start)
    tallies: dict[date, Tally] = {}
    counts = await session.scalars(
        select(DiaryMonthCountRow).where(
            DiaryMonthCountRow.month >= low, DiaryMonthCountRow.month <= end
        )
    )
    for c in counts:
        tallies.setdefault(c.month, Tally()).counts[c.population, c.dimension, c.code] += c.count
    bands = await session.scalars(
        select(DiaryMonthBandRow).where(
            DiaryMonthBandRow.month >= low, DiaryMonthBandRow.month <= end
        )
    )
    for b in bands:
        tallies.setdefault(b.month, Tally()).bands[b.measure, b.band_secs] += b.count
    return tallies


def _key(table: Table) -> Any:
    names = [c.name for c in table.primary_key.columns]
    return lambda row: tuple(row[n] for n in names)


async def _increment(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for i in range(0, len(rows), ROWS_PER_STATEMENT):
        statement = dialect.insert(table).values(rows[i : i + ROWS_PER_STATEMENT])
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=list(table.primary_key.columns),
                set_={"count": table.c["count"] + statement.excluded["count"]},
            )
        )
