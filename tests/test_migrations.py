"""Migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from chatsupport.storage.database import Database
from chatsupport.storage.migrate import current_revision, head_revision, is_at_head, upgrade_to_head
from chatsupport.storage.tables import Base


async def test_upgrade_empty_database_to_head(database_url: str) -> None:
    """An empty database migrates to the head revision and has every table."""
    db = Database(database_url)
    try:
        assert not await is_at_head(db)
        await upgrade_to_head(db)
        assert await current_revision(db) == head_revision()

        def tables(conn: Connection) -> set[str]:
            return set(inspect(conn).get_table_names())

        async with db.engine.connect() as conn:
            found = await conn.run_sync(tables)
        assert set(Base.metadata.tables) <= found
    finally:
        await db.dispose()


async def test_no_drift_between_migrations_and_models(database_url: str) -> None:
    """Autogenerate finds nothing to change after the migrations ran: no drift."""
    db = Database(database_url)
    try:
        await upgrade_to_head(db)

        def diff(conn: Connection) -> list[object]:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))

        async with db.engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await db.dispose()


async def test_upgrade_twice_is_harmless(database_url: str) -> None:
    """Migrating an up-to-date database changes nothing (replicas may all run it)."""
    db = Database(database_url)
    try:
        await upgrade_to_head(db)
        await upgrade_to_head(db)
        assert await is_at_head(db)
    finally:
        await db.dispose()
