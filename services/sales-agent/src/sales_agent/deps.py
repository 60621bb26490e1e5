"""Typed access to lifespan state; the only place FastAPI dependencies are declared."""

from __future__ import annotations

from typing import Annotated, TypedDict

import asyncpg
from fastapi import Depends, Request

from meshkit.auth import TokenVerifier
from sales_agent.config import Settings


class State(TypedDict):
    settings: Settings
    pool: asyncpg.Pool
    verifier: TokenVerifier


def get_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.state.pool
    return pool


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
