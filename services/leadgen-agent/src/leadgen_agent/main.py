"""leadgen-agent: the chain's B2B leads (catering, corporate accounts, private events)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.resources import files

import asyncpg
import httpx
from fastapi import Depends, FastAPI
from sales_agent_client import AuthenticatedClient

from leadgen_agent import seed
from leadgen_agent.config import Settings
from leadgen_agent.deps import State
from leadgen_agent.routes import capacity, leads, pipeline, qualification
from leadgen_agent.tools import SYSTEM_PROMPT, leadgen_tools
from meshkit.app import build_app, service_database, token_minter, token_verifier
from meshkit.ask import ask_router
from meshkit.auth import require_caller
from meshkit.clients import agent_http_client
from meshkit.model import agent_runtime
from meshkit.settings import load_settings

DESCRIPTION = """\
B2B leads of the Copper Pot Kitchen chain: catering orders, corporate accounts (recurring
office lunches) and private events. Capture leads, move them through the pipeline (new,
contacted, qualified, proposal, won or lost), score them with the reasons spelled out, and
see where the pipeline stands. Money is in euro cents, VAT included; dates are local days
in Lisbon.
"""


def create_app(
    settings: Settings | None = None,
    *,
    sales_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """`sales_transport` routes calls to sales-agent elsewhere, such as an in-process app."""
    settings = settings or load_settings(Settings)
    clock = settings.clock()

    async def seed_demo(conn: asyncpg.Connection) -> None:
        today = clock().astimezone(settings.timezone).date()
        end_day = settings.seed_end_date or today - timedelta(days=1)
        await seed.seed(conn, end_day)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        migrations = files("leadgen_agent") / "migrations"
        async with service_database(
            settings, migrations, seed_demo if settings.seed_demo_data else None
        ) as pool:
            # The constructor's token stays empty: ServiceTokenAuth on the httpx client
            # stamps a fresh short-lived service token on every request.
            sales = AuthenticatedClient(base_url=settings.sales_agent_url, token="")
            sales.set_async_httpx_client(
                agent_http_client(
                    settings.sales_agent_url,
                    token_minter(settings),
                    "sales-agent",
                    transport=sales_transport,
                )
            )
            try:
                async with agent_runtime(
                    settings, lambda: leadgen_tools(app, settings, pool, sales)
                ) as agent:
                    yield {
                        "settings": settings,
                        "pool": pool,
                        "verifier": token_verifier(settings),
                        "sales": sales,
                        "clock": clock,
                        **agent,
                    }
            finally:
                await sales.get_async_httpx_client().aclose()

    app = build_app(
        settings,
        title="leadgen-agent",
        description=DESCRIPTION,
        version="0.2.0",
        lifespan=lifespan,
        openapi_tags=[
            {"name": "leads", "description": "Capture leads and move them through the pipeline."},
            {"name": "qualification", "description": "Scores with their reasons."},
            {"name": "pipeline", "description": "Where the pipeline stands."},
        ],
    )
    authenticated = [Depends(require_caller)]
    # Before `leads`: `/leads/pipeline` must not be taken for `/leads/{lead_id}`.
    app.include_router(pipeline.router, dependencies=authenticated)
    app.include_router(leads.router, dependencies=authenticated)
    app.include_router(qualification.router, dependencies=authenticated)
    app.include_router(capacity.router, dependencies=authenticated)
    app.include_router(
        ask_router(SYSTEM_PROMPT, settings.today, subject="leads"), dependencies=authenticated
    )
    return app
