"""Typed access to lifespan state; the only place FastAPI dependencies are declared."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

import asyncpg
from fastapi import Depends, Request

from meshkit.agent import AgentLoop, Tool
from meshkit.auth import TokenVerifier
from meshkit.model import ModelProbe
from sales_agent.config import Settings


class State(TypedDict):
    settings: Settings
    pool: asyncpg.Pool
    verifier: TokenVerifier
    agent_loop: AgentLoop
    agent_tools: list[Tool[Any]]
    model_probe: ModelProbe


def get_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.state.pool
    return pool


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
