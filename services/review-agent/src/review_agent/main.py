"""review-agent: the chain's customer reviews as typed operations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.resources import files

import asyncpg
import httpx
from fastapi import Depends, FastAPI
from sales_agent_client import AuthenticatedClient

from meshkit.app import build_app, service_database, token_minter, token_verifier
from meshkit.ask import ask_router
from meshkit.auth import require_caller
from meshkit.clients import agent_http_client
from meshkit.model import agent_runtime
from meshkit.settings import load_settings
from review_agent import seed
from review_agent.config import Settings
from review_agent.deps import State
from review_agent.routes import insights, replies, reviews
from review_agent.tools import SYSTEM_PROMPT, review_tools

DESCRIPTION = """\
Customer reviews of the Copper Pot Kitchen chain from Google, Tripadvisor, TheFork and the
chain's app: listing and search, rating and sentiment summaries with weekly trends,
recurring themes with quotes, reply drafts, and ratings set against sales-agent's takings.
Dates are local restaurant days (Lisbon); ratings are 1 to 5 stars.
"""


def create_app(
    settings: Settings | None = None, *, sales_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The app. `sales_transport` routes calls to sales-agent elsewhere (tests pass an
    in-process sales-agent)."""
    settings = settings or load_settings(Settings)

    async def seed_demo(conn: asyncpg.Connection) -> None:
        end_day = settings.seed_end_date or settings.today() - timedelta(days=1)
        await seed.seed(conn, end_day)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        migrations = files("review_agent") / "migrations"
        async with service_database(
            settings, migrations, seed_demo if settings.seed_demo_data else None
        ) as pool:
            http = agent_http_client(
                settings.sales_agent_url,
                token_minter(settings),
                "sales-agent",
                transport=sales_transport,
            )
            # The generated client's own token stays empty: ServiceTokenAuth on the httpx
            # client stamps a fresh short-lived service token on every request instead.
            sales = AuthenticatedClient(base_url=settings.sales_agent_url, token="")
            sales.set_async_httpx_client(http)
            try:
                async with agent_runtime(settings, lambda: review_tools(app, pool, sales)) as agent:
                    yield {
                        "settings": settings,
                        "pool": pool,
                        "verifier": token_verifier(settings),
                        "sales": sales,
                        **agent,
                    }
            finally:
                await http.aclose()

    app = build_app(
        settings,
        title="review-agent",
        description=DESCRIPTION,
        version="0.2.0",
        lifespan=lifespan,
        openapi_tags=[
            {"name": "reviews", "description": "Customer reviews, summaries and themes."},
            {"name": "replies", "description": "Drafting the restaurant's answers to reviews."},
            {"name": "insights", "description": "Ratings set against sales-agent's takings."},
        ],
    )
    authenticated = [Depends(require_caller)]
    app.include_router(reviews.router, dependencies=authenticated)
    app.include_router(replies.router, dependencies=authenticated)
    app.include_router(insights.router, dependencies=authenticated)
    app.include_router(
        ask_router(SYSTEM_PROMPT, settings.today, subject="reviews"), dependencies=authenticated
    )
    return app
