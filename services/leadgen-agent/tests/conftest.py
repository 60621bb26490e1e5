"""Fixtures: a fresh database per test for anything that writes, one database per module
for modules whose tests only read or are refused (they override `database_url` with
`shared_database_url`), and a real sales-agent running in process.

The clock is frozen at `NOW`, the morning after the demo history ends, so staleness, lead
times and timestamps are exact.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime
from importlib.resources import files

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

import sales_agent.config
import sales_agent.main
import sales_agent.seed
from leadgen_agent import seed
from leadgen_agent.config import Settings
from leadgen_agent.main import create_app
from meshdev.testing import (
    DEMO_END_DAY,
    RefusingTransport,
    TestDatabases,
    app_client,
    mint,
    service_settings,
)
from meshkit.db import load_migrations, prepare_database

#: The demo history ends here for every service in tests, so figures are exact.
END_DAY = DEMO_END_DAY
#: "Now" for every test: 10:00 in Lisbon the morning after the history ends.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def _prepare(dsn: str) -> None:
    async def seed_demo(conn: asyncpg.Connection) -> None:
        await seed.seed(conn, END_DAY)

    migrations = load_migrations(files("leadgen_agent") / "migrations")
    await prepare_database(dsn, "leadgen_agent", migrations, seed=seed_demo)


async def _prepare_sales(dsn: str) -> None:
    async def seed_demo(conn: asyncpg.Connection) -> None:
        await sales_agent.seed.seed(conn, END_DAY)

    migrations = load_migrations(files("sales_agent") / "migrations")
    await prepare_database(dsn, "sales_agent", migrations, seed=seed_demo)


def leadgen_settings(database_url: str, **overrides: object) -> Settings:
    return service_settings(
        Settings,
        database_url,
        FROZEN_NOW=NOW,
        SALES_AGENT_URL="http://sales-agent.test",
        **overrides,
    )


async def _fresh_database(test_databases: TestDatabases) -> AsyncIterator[str]:
    template = await test_databases.template("leadgen_agent", _prepare)
    dsn = await test_databases.clone(template)
    yield dsn
    await test_databases.drop(dsn)


@pytest.fixture
async def database_url(test_databases: TestDatabases) -> AsyncIterator[str]:
    async for dsn in _fresh_database(test_databases):
        yield dsn


@pytest.fixture(scope="module")
async def shared_database_url(test_databases: TestDatabases) -> AsyncIterator[str]:
    """One seeded database for a module whose tests only read or are refused (cloning costs
    about 0.1 s, the bulk of a test)."""
    async for dsn in _fresh_database(test_databases):
        yield dsn


@pytest.fixture
def settings(database_url: str) -> Settings:
    return leadgen_settings(database_url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "leadgen_agent"})
    yield conn
    await conn.close()


@pytest.fixture
async def anonymous(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, sales_transport=RefusingTransport())
    async with app_client(app) as client:
        yield client


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """leadgen-agent as the gateway sees it; sales-agent is down, so no test ever talks to
    a sales-agent left running on the machine."""
    app = create_app(settings, sales_transport=RefusingTransport())
    async with app_client(app, token=mint("gateway", "leadgen-agent")) as client:
        yield client


@pytest.fixture(scope="session")
async def sales_transport(test_databases: TestDatabases) -> AsyncIterator[httpx.ASGITransport]:
    """A real sales-agent, lifespan running, seeded for the same day, reached in process.
    Shared by the session: leadgen-agent only reads from it."""
    template = await test_databases.template("sales_agent", _prepare_sales)
    dsn = await test_databases.clone(template)
    app = sales_agent.main.create_app(service_settings(sales_agent.config.Settings, dsn))
    async with LifespanManager(app, startup_timeout=60) as manager:
        yield httpx.ASGITransport(manager.app)


@pytest.fixture
async def client_with_sales(
    settings: Settings, sales_transport: httpx.ASGITransport
) -> AsyncIterator[httpx.AsyncClient]:
    """leadgen-agent whose calls to sales-agent reach the in-process sales-agent."""
    app = create_app(settings, sales_transport=sales_transport)
    async with app_client(app, token=mint("gateway", "leadgen-agent")) as client:
        yield client


@pytest.fixture
def connect(
    database_url: str,
) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """An authenticated client of an app with another sales transport or other settings:
    `async with connect(sales=transport, SALES_AGENT_TIMEOUT_S=0.2) as client`."""

    def open_client(
        *, sales: httpx.AsyncBaseTransport | None = None, **environment: object
    ) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        app = create_app(
            leadgen_settings(database_url, **environment),
            sales_transport=sales or RefusingTransport(),
        )
        return app_client(app, token=mint("gateway", "leadgen-agent"))

    return open_client


@pytest.fixture
async def tolerant_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client that receives the app's 500 response rather than its exception."""
    app = create_app(settings, sales_transport=RefusingTransport())
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(manager.app, raise_app_exceptions=False),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {mint('gateway', 'leadgen-agent')}"},
        ) as client,
    ):
        yield client


def _lead_body(*omit: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "company": "Tejo Analytics, Lda.",
        "contact_name": "Marta Figueiredo",
        "email": "marta.figueiredo@tejo-analytics.pt",
        "phone": "+351 912 345 678",
        "kind": "catering",
        "headcount": 40,
        "budget_cents": 90_000,
        "event_date": "2026-12-10",
        "preferred_location_id": "midtown",
        "source": "website_form",
        "notes": "Two vegan options; delivery to the 4th floor by 12:30.",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if key not in omit}


@pytest.fixture(scope="session")
def end_day() -> date:
    return END_DAY


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def lead_body() -> Callable[..., dict[str, object]]:
    """A valid `create_lead` body: `lead_body("phone", headcount=0)` leaves the phone out
    and sets the headcount to 0."""
    return _lead_body


@pytest.fixture
def counts(db: asyncpg.Connection) -> Callable[[], Awaitable[tuple[int, int]]]:
    """Rows in leads and in lead_stage_events, to prove a refused request wrote nothing."""

    async def count() -> tuple[int, int]:
        leads = await db.fetchval("SELECT count(*) FROM leads")
        events = await db.fetchval("SELECT count(*) FROM lead_stage_events")
        return int(leads), int(events)

    return count
