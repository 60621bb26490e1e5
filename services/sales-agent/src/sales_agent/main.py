"""sales-agent: the chain's point-of-sale data as typed operations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.resources import files

import asyncpg
from fastapi import Depends, FastAPI

from meshkit.app import build_app, service_database, token_verifier
from meshkit.ask import ask_router
from meshkit.auth import require_caller
from meshkit.model import agent_runtime
from meshkit.settings import load_settings
from sales_agent import seed
from sales_agent.config import Settings
from sales_agent.deps import State
from sales_agent.routes import locations, menu, sales
from sales_agent.tools import SYSTEM_PROMPT, sales_tools

DESCRIPTION = """\
Point-of-sale data of the Copper Pot Kitchen chain: its locations, its menu, and daily
sales (revenue, orders, covers, items) with summaries, series, rankings and period
comparisons. Money is in euro cents, VAT included; dates are local restaurant days.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings(Settings)

    async def seed_demo(conn: asyncpg.Connection) -> None:
        end_day = settings.seed_end_date or settings.today() - timedelta(days=1)
        await seed.seed(conn, end_day)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        migrations = files("sales_agent") / "migrations"
        async with (
            service_database(
                settings, migrations, seed_demo if settings.seed_demo_data else None
            ) as pool,
            agent_runtime(settings, lambda: sales_tools(app, pool)) as agent,
        ):
            yield {
                "settings": settings,
                "pool": pool,
                "verifier": token_verifier(settings),
                **agent,
            }

    app = build_app(
        settings,
        title="sales-agent",
        description=DESCRIPTION,
        version="0.2.0",
        lifespan=lifespan,
        openapi_tags=[
            {"name": "locations", "description": "The chain's restaurants."},
            {"name": "menu", "description": "Dishes and drinks with prices."},
            {"name": "sales", "description": "Takings: summaries, series, rankings."},
        ],
    )
    authenticated = [Depends(require_caller)]
    app.include_router(locations.router, dependencies=authenticated)
    app.include_router(menu.router, dependencies=authenticated)
    app.include_router(sales.router, dependencies=authenticated)
    app.include_router(
        ask_router(SYSTEM_PROMPT, settings.today, subject="sales"), dependencies=authenticated
    )
    return app
