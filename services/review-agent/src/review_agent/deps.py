"""Typed access to lifespan state; the only place FastAPI dependencies are declared.

Every dependency is `async def`: FastAPI runs a plain `def` in its thread pool, a thread hop
(and a GIL hand-off) per request for what is a dictionary lookup."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from sales_agent_client import AuthenticatedClient

from meshkit.auth import TokenVerifier
from meshkit.model import AgentState
from review_agent.config import Settings


class State(AgentState):
    settings: Settings
    pool: asyncpg.Pool
    verifier: TokenVerifier
    sales: AuthenticatedClient


async def get_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.state.pool
    return pool


async def get_sales_client(request: Request) -> AuthenticatedClient:
    sales: AuthenticatedClient = request.state.sales
    return sales


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
SalesClientDep = Annotated[AuthenticatedClient, Depends(get_sales_client)]
