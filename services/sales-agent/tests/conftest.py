from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from importlib.resources import files

import asyncpg
import httpx
import pytest

from meshdev.testing import (
    DEMO_END_DAY,
    TestDatabases,
    app_client,
    mint,
    service_settings,
)
from meshkit.db import load_migrations, prepare_database
from sales_agent import seed
from sales_agent.config import Settings
from sales_agent.main import create_app

#: The demo history in tests always ends here, so figures are exact.
END_DAY = DEMO_END_DAY


async def _prepare(dsn: str) -> None:
    async def seed_demo(conn: asyncpg.Connection) -> None:
        await seed.seed(conn, END_DAY)

    migrations = load_migrations(files("sales_agent") / "migrations")
    await prepare_database(dsn, "sales_agent", migrations, seed=seed_demo)


@pytest.fixture
def end_day() -> date:
    return END_DAY


@pytest.fixture
async def database_url(test_databases: TestDatabases) -> AsyncIterator[str]:
    template = await test_databases.template("sales_agent", _prepare)
    dsn = await test_databases.clone(template)
    yield dsn
    await test_databases.drop(dsn)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return service_settings(Settings, database_url)


@pytest.fixture
async def anonymous(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings)) as client:
        yield client


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings), token=mint("gateway", "sales-agent")) as client:
        yield client


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "sales_agent"})
    yield conn
    await conn.close()
