from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from meshdev.testing import TestDatabases
from meshkit.db import Migration, MigrationError, migrate

V1 = Migration(1, "things", "CREATE TABLE things (id serial PRIMARY KEY, name text NOT NULL);")
V2 = Migration(2, "thing_colour", "ALTER TABLE things ADD COLUMN colour text;")


@pytest.fixture
async def dsn(test_databases: TestDatabases) -> AsyncIterator[str]:
    url = await test_databases.empty()
    yield url
    await test_databases.drop(url)


async def _migrate(dsn: str, migrations: list[Migration], **kwargs: object) -> list[int]:
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn, "svc", migrations, **kwargs)  # type: ignore[arg-type]
    finally:
        await conn.close()


async def test_pending_migrations_are_applied_in_order_and_only_once(dsn: str) -> None:
    assert await _migrate(dsn, [V1]) == [1]
    assert await _migrate(dsn, [V1, V2]) == [2]
    assert await _migrate(dsn, [V1, V2]) == []
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT version, name FROM svc.schema_migrations ORDER BY 1")
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'svc' AND table_name = 'things' ORDER BY ordinal_position"
        )
    finally:
        await conn.close()
    assert [(r["version"], r["name"]) for r in rows] == [(1, "things"), (2, "thing_colour")]
    assert [c["column_name"] for c in columns] == ["id", "name", "colour"]


async def test_replicas_starting_together_apply_each_migration_once(dsn: str) -> None:
    seeded = 0

    async def seed(conn: asyncpg.Connection) -> None:
        nonlocal seeded
        if not await conn.fetchval("SELECT count(*) FROM things"):
            seeded += 1
            await conn.execute("INSERT INTO things (name) VALUES ('first')")

    results = await asyncio.gather(*(_migrate(dsn, [V1, V2], seed=seed) for _ in range(6)))
    assert sorted(len(r) for r in results) == [0, 0, 0, 0, 0, 2]
    assert seeded == 1
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM svc.things") == 1
    finally:
        await conn.close()


async def test_changed_migration_stops_startup(dsn: str) -> None:
    await _migrate(dsn, [V1])
    edited = Migration(1, "things", V1.sql + " -- edited")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        await _migrate(dsn, [edited])


async def test_database_newer_than_code_stops_startup(dsn: str) -> None:
    await _migrate(dsn, [V1, V2])
    with pytest.raises(MigrationError, match="does not know"):
        await _migrate(dsn, [V1])


async def test_failed_migration_leaves_nothing_behind(dsn: str) -> None:
    broken = Migration(2, "broken", "ALTER TABLE things ADD COLUMN x int; SELECT 1/0;")
    await _migrate(dsn, [V1])
    with pytest.raises(asyncpg.DivisionByZeroError):
        await _migrate(dsn, [V1, broken])
    conn = await asyncpg.connect(dsn)
    try:
        versions = await conn.fetch("SELECT version FROM svc.schema_migrations")
        has_x = await conn.fetchval(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_schema = 'svc' AND column_name = 'x'"
        )
    finally:
        await conn.close()
    assert [r["version"] for r in versions] == [1]
    assert has_x == 0
    # The advisory lock was released: the next start proceeds.
    assert await _migrate(dsn, [V1, V2]) == [2]
