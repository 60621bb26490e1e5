from __future__ import annotations

from collections.abc import AsyncIterator
from importlib.resources import files

import asyncpg
import pytest

from meshdev.testing import TestDatabases
from meshkit.db import create_pool, load_migrations, prepare_database


async def _prepare(dsn: str) -> None:
    await prepare_database(dsn, "gateway", load_migrations(files("gateway") / "migrations"))


@pytest.fixture
async def database_url(test_databases: TestDatabases) -> AsyncIterator[str]:
    template = await test_databases.template("gateway", _prepare)
    dsn = await test_databases.clone(template)
    yield dsn
    await test_databases.drop(dsn)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, schema="gateway", application_name="test", max_size=20)
    yield pool
    await pool.close()
