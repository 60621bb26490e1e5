"""Typed access to lifespan state; the only place FastAPI dependencies are declared."""

from __future__ import annotations

from typing import Annotated, TypedDict

import asyncpg
from fastapi import Depends, Request

from gateway.config import Settings
from gateway.handling import Gateway
from meshkit.auth import TokenVerifier


class State(TypedDict):
    settings: Settings
    pool: asyncpg.Pool
    verifier: TokenVerifier
    gateway: Gateway


def get_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.state.pool
    return pool


def get_settings(request: Request) -> Settings:
    settings: Settings = request.state.settings
    return settings


def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.state.gateway
    return gateway


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
GatewayDep = Annotated[Gateway, Depends(get_gateway)]
