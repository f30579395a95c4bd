"""Diary rows past their retention are folded into monthly tallies, on both databases.

What is past retention is gone, younger rows stay, the tallies equal the folded rows, a
period's statistics are the same before and after, and purges running at once (replicas)
fold each row exactly once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Date, Integer, String, func, select

from chatsupport.domain.clock import FrozenClock
from chatsupport.domain.diary_tally import FIXED_CODE, Tally, fold
from chatsupport.domain.report import Report
from chatsupport.domain.statistics import Granularity, aggregate
from chatsupport.domain.taxonomy import Taxonomy
from chatsupport.services.diary import DiaryService, DiarySettings
from chatsupport.services.diary_retention import DiaryRetention
from chatsupport.services.retention import DIARY_RECORDS_FOLDED
from chatsupport.storage import diary, diary_aggregates
from chatsupport.storage.database import Database
from chatsupport.storage.migrate import upgrade_to_head
from chatsupport.storage.tables import Base, DiaryRecordRow
from tests.diary_data import generate
from tests.helpers import running_app
from tests.test_cli import run_cli

ZONE = ZoneInfo("Europe/Helsinki")
FACTS = generate(600, seed=11)  # dated within 2025
NOW = datetime(2027, 7, 15, 9, 0, tzinfo=UTC)  # 24 months: January-June 2025 are past
BEFORE = date(2025, 7, 1)
OLD = [f for f in FACTS if f.system.local_date < BEFORE]
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
EVER = (date(2000, 1, 1), date(2100, 1, 1))
AGGREGATE_TABLES = ("diary_month_counts", "diary_month_bands")


async def seeded(url: str) -> Database:
    db = Database(url)
    await upgrade_to_head(db)
    async with db.write() as s:
        await diary.add_facts(s, facts=FACTS)
    return db


def retention(db: Database, months: int = 24) -> DiaryRetention:
    return DiaryRetention(db=db, clock=FrozenClock(NOW), zone=ZONE, months=months)


async def stored(db: Database) -> dict[date, Tally]:
    async with db.read() as s:
        return await diary_aggregates.tallies_between(
            s, start=date(2000, 1, 1), end=date(2100, 1, 1)
        )


async def rows(db: Database, *where: Any) -> int:
    async with db.read() as s:
        query = select(func.count()).select_from(DiaryRecordRow).where(*where)
        return int(await s.scalar(query) or 0)


async def test_rows_past_retention_are_folded_and_only_those(database_url: str) -> None:
    """January-June go, July-December stay; the stored tallies are exactly the folded rows',
    hold fixed codes only; a second run folds nothing and changes nothing."""
    db = await seeded(database_url)
    try:
        assert 0 < len(OLD) < len(FACTS)
        assert await retention(db).purge() == len(OLD)
        assert await rows(db, DiaryRecordRow.local_date < BEFORE) == 0
        assert await rows(db) == len(FACTS) - len(OLD)
        tallies = await stored(db)
        assert tallies == fold(OLD)
        codes = {key for t in tallies.values() for key in t.counts}
        assert all(FIXED_CODE.fullmatch(c) and FIXED_CODE.fullmatch(d) for _, d, c in codes)
        assert await retention(db).purge() == 0
        assert await stored(db) == tallies
    finally:
        await db.dispose()


async def report(db: Database, granularity: Granularity) -> Report:
    service = DiaryService(
        db=db, clock=FrozenClock(NOW), settings=DiarySettings(zone=ZONE, threshold=5)
    )
    return await service.report(start=YEAR[0], end=YEAR[1], granularity=granularity, lang="fi")


async def test_statistics_of_a_purged_period_are_unchanged(database_url: str) -> None:
    """Every count (true values and the suppressed report) is the same after the purge; times
    of the purged months are within half a minute (plus the report's rounding)."""
    db = await seeded(database_url)
    try:
        granularities = (Granularity.MONTH, Granularity.QUARTER, Granularity.YEAR)
        before = [await report(db, g) for g in granularities]
        await retention(db).purge()
        after = [await report(db, g) for g in granularities]
        async with db.snapshot() as s:
            kept = await diary.facts_between(s, start=YEAR[0], end=YEAR[1])
            folded = await diary_aggregates.tallies_between(s, start=YEAR[0], end=YEAR[1])
    finally:
        await db.dispose()
    for old, new in zip(before, after, strict=True):
        assert new.tables == old.tables and new.unavailable == ()
        for old_row, new_row in zip(old.times, new.times, strict=True):
            for x, y in zip(old_row.values, new_row.values, strict=True):
                assert (x is None) == (y is None)
                assert x is None or y is None or abs(x - y) <= 0.55
    for g in granularities:
        args: dict[str, Any] = {"start": YEAR[0], "end": YEAR[1], "granularity": g}
        exact = aggregate(FACTS, taxonomy=Taxonomy.default(), **args)
        assert aggregate(kept, folded=folded, taxonomy=Taxonomy.default(), **args).values == (
            exact.values
        )


async def test_replicas_purging_at_once_fold_each_row_exactly_once(database_url: str) -> None:
    """Three processes (their own engines and pools) purge at the same moment: the folded
    counts add up to the old rows once, and the tallies are not doubled."""
    await (await seeded(database_url)).dispose()
    replicas = [Database(database_url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(retention(db).purge() for db in replicas))
        assert sum(results) == len(OLD)
        assert await stored(replicas[0]) == fold(OLD)
        assert await rows(replicas[0]) == len(FACTS) - len(OLD)
    finally:
        for db in replicas:
            await db.dispose()


async def test_a_purge_waits_for_one_folding_the_same_rows(database_url: str) -> None:
    """While one replica has taken the old rows (not yet committed), another replica's purge
    waits; once the first commits its tallies, the second finds nothing left to fold."""
    await (await seeded(database_url)).dispose()
    first, second = Database(database_url), Database(database_url)
    try:
        async with first.write() as s:
            taken = await diary.take_records_before(s, before=BEFORE)
            racing = asyncio.create_task(retention(second).purge())
            await asyncio.sleep(0.5)
            assert not racing.done()  # row locks (PostgreSQL) / the write lock (SQLite)
            await diary_aggregates.add_tallies(s, tallies=fold(taken))
        assert await racing == 0
        assert len(taken) == len(OLD) and await stored(first) == fold(OLD)
    finally:
        await first.dispose()
        await second.dispose()


async def test_the_scheduled_purge_folds_diary_rows(settings_values: dict[str, Any]) -> None:
    """The service's retention purge (the one it runs every interval) folds them too, once,
    also with the purge the service started on its own running beside it."""
    values = {**settings_values, "diary_retention_months": 24, "purge_interval_secs": 0.05}
    async with running_app(values, clock=FrozenClock(NOW)) as (_, rt):
        async with rt.db.write() as s:
            await diary.add_facts(s, facts=FACTS)
        purged = await rt.retention.purge()
        assert purged.others[DIARY_RECORDS_FOLDED] in (0, len(OLD))
        assert await rows(rt.db, DiaryRecordRow.local_date < BEFORE) == 0
        assert await stored(rt.db) == fold(OLD)


async def test_purge_command_says_how_many_diary_rows_it_folded(
    database_url: str, tmp_path: Path
) -> None:
    """`chatsupport purge` folds rows older than CHATSUPPORT_DIARY_RETENTION_MONTHS."""
    db = Database(database_url)
    try:
        await upgrade_to_head(db)
        async with db.write() as s:
            await diary.add_facts(s, facts=generate(50, seed=3, start=date(2021, 1, 1)))
    finally:
        await db.dispose()
    env = {
        "CHATSUPPORT_DATABASE_URL": database_url,
        "CHATSUPPORT_DATA_DIR": str(tmp_path),
        "CHATSUPPORT_DIARY_RETENTION_MONTHS": "4",
    }
    result = run_cli("purge", env=env)
    assert result.returncode == 0, result.stderr
    assert "folded 50 diary records over 4 months old into monthly figures" in result.stdout
    again = run_cli("purge", env=env)
    assert "folded 0 diary records" in again.stdout


@pytest.mark.parametrize("name", AGGREGATE_TABLES)
def test_aggregate_tables_hold_codes_and_counts_only(name: str) -> None:
    """No free text, JSON, instant or id column: a month, short code columns and integers."""
    table = Base.metadata.tables[name]
    for column in table.columns:
        assert isinstance(column.type, Date | Integer | String), column.name
        if isinstance(column.type, String):
            assert column.type.length is not None and column.type.length <= 32
            assert column.name in {"population", "dimension", "code", "measure"}
        assert not any(part in column.name for part in ("id", "chat", "responder", "text", "_at"))
