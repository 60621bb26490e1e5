"""Typed access to lifespan state; the only place FastAPI dependencies are declared.

Every dependency is `async def`: FastAPI runs a plain `def` in its thread pool, a thread hop
(and a GIL hand-off) per request for what is a dictionary lookup."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from sales_agent_client import AuthenticatedClient

from leadgen_agent.config import Clock, Settings
from meshkit.auth import TokenVerifier
from meshkit.model import AgentState


class State(AgentState):
    settings: Settings
    pool: asyncpg.Pool
    verifier: TokenVerifier
    sales: AuthenticatedClient
    clock: Clock


async def get_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.state.pool
    return pool


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.state.settings
    return settings


async def get_sales_client(request: Request) -> AuthenticatedClient:
    sales: AuthenticatedClient = request.state.sales
    return sales


async def get_now(request: Request) -> datetime:
    """The request's notion of "now", read once so one request sees one instant."""
    clock: Clock = request.state.clock
    return clock()


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SalesClientDep = Annotated[AuthenticatedClient, Depends(get_sales_client)]
NowDep = Annotated[datetime, Depends(get_now)]
