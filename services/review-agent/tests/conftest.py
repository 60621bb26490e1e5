"""Fixtures: a fresh database per test for anything that writes, one shared database (and
one running app) per session for tests that only read, and a real in-process sales-agent.

A test that takes `reader`, `anonymous`, `mesh_reader` or `read_db` must not write; tests
that check a refused request wrote nothing may use them, because they assert exactly that.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from importlib.resources import files

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

import sales_agent.config
import sales_agent.main
import sales_agent.seed
from meshdev.testing import (
    DEMO_END_DAY,
    RefusingTransport,
    TestDatabases,
    app_client,
    mint,
    service_settings,
)
from meshkit.db import load_migrations, prepare_database
from review_agent import seed
from review_agent.config import Settings
from review_agent.main import create_app

#: The demo history in tests always ends here, so figures are exact. sales-agent's tests
#: use the same day, so both services tell the same story.
END_DAY = DEMO_END_DAY


async def _prepare(dsn: str) -> None:
    async def seed_demo(conn: asyncpg.Connection) -> None:
        await seed.seed(conn, END_DAY)

    migrations = load_migrations(files("review_agent") / "migrations")
    await prepare_database(dsn, "review_agent", migrations, seed=seed_demo)


async def _prepare_sales(dsn: str) -> None:
    async def seed_demo(conn: asyncpg.Connection) -> None:
        await sales_agent.seed.seed(conn, END_DAY)

    migrations = load_migrations(files("sales_agent") / "migrations")
    await prepare_database(dsn, "sales_agent", migrations, seed=seed_demo)


def review_settings(database_url: str) -> Settings:
    return service_settings(Settings, database_url, SALES_AGENT_URL="http://sales-agent.test")


@pytest.fixture
def end_day() -> date:
    return END_DAY


# A fresh database per test, for tests that write.


@pytest.fixture
async def database_url(test_databases: TestDatabases) -> AsyncIterator[str]:
    template = await test_databases.template("review_agent", _prepare)
    dsn = await test_databases.clone(template)
    yield dsn
    await test_databases.drop(dsn)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return review_settings(database_url)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """review-agent as the gateway sees it; sales-agent is unreachable."""
    app = create_app(settings, sales_transport=RefusingTransport())
    async with app_client(app, token=mint("gateway", "review-agent")) as client:
        yield client


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "review_agent"})
    yield conn
    await conn.close()


# One database and one running app per session, for tests that only read.


@pytest.fixture(scope="session")
async def shared_database_url(test_databases: TestDatabases) -> str:
    template = await test_databases.template("review_agent", _prepare)
    # Dropped with every other test database at the end of the session.
    return await test_databases.clone(template)


@pytest.fixture(scope="session")
def shared_settings(shared_database_url: str) -> Settings:
    return review_settings(shared_database_url)


@pytest.fixture(scope="session")
async def reader(shared_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(shared_settings, sales_transport=RefusingTransport())
    async with app_client(app, token=mint("gateway", "review-agent")) as client:
        yield client


@pytest.fixture(scope="session")
async def anonymous(shared_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(shared_settings, sales_transport=RefusingTransport())) as c:
        yield c


@pytest.fixture
async def read_db(shared_database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(
        shared_database_url, server_settings={"search_path": "review_agent"}
    )
    yield conn
    await conn.close()


# A real sales-agent, in process, with its own database seeded for the same END_DAY.


@pytest.fixture(scope="session")
async def sales_database_url(test_databases: TestDatabases) -> str:
    template = await test_databases.template("sales_agent", _prepare_sales)
    return await test_databases.clone(template)


@pytest.fixture
async def sales_db(sales_database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(sales_database_url, server_settings={"search_path": "sales_agent"})
    yield conn
    await conn.close()


@pytest.fixture(scope="session")
async def sales_transport(sales_database_url: str) -> AsyncIterator[httpx.AsyncBaseTransport]:
    sales_settings = service_settings(sales_agent.config.Settings, sales_database_url)
    app = sales_agent.main.create_app(sales_settings)
    async with LifespanManager(app, startup_timeout=60) as manager:
        yield httpx.ASGITransport(manager.app)


@pytest.fixture(scope="session")
async def mesh_reader(
    shared_settings: Settings, sales_transport: httpx.AsyncBaseTransport
) -> AsyncIterator[httpx.AsyncClient]:
    """review-agent whose calls to sales-agent reach the in-process sales-agent."""
    app = create_app(shared_settings, sales_transport=sales_transport)
    async with app_client(app, token=mint("gateway", "review-agent")) as client:
        yield client
