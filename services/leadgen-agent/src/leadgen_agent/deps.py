"""Typed access to lifespan state; the only place FastAPI dependencies are declared."""

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


def get_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.state.pool
    return pool


def get_settings(request: Request) -> Settings:
    settings: Settings = request.state.settings
    return settings


def get_sales_client(request: Request) -> AuthenticatedClient:
    sales: AuthenticatedClient = request.state.sales
    return sales


def get_now(request: Request) -> datetime:
    """The request's notion of "now", read once so one request sees one instant."""
    clock: Clock = request.state.clock
    return clock()


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SalesClientDep = Annotated[AuthenticatedClient, Depends(get_sales_client)]
NowDep = Annotated[datetime, Depends(get_now)]
