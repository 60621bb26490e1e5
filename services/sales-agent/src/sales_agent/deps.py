"""Typed access to lifespan state; the only place FastAPI dependencies are declared."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from meshkit.auth import TokenVerifier
from meshkit.model import AgentState
from sales_agent.config import Settings


class State(AgentState):
    settings: Settings
    pool: asyncpg.Pool
    verifier: TokenVerifier


def get_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.state.pool
    return pool


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
