"""Typed access to lifespan state; the only place FastAPI dependencies are declared.

Every dependency is `async def`: FastAPI runs a plain `def` in its thread pool, a thread hop
(and a GIL hand-off) per request for what is a dictionary lookup."""

from __future__ import annotations

from typing import Annotated, TypedDict

import asyncpg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.config import Settings
from gateway.handling import Gateway
from meshkit.auth import TokenVerifier
from meshkit.errors import Unauthorized


class State(TypedDict):
    settings: Settings
    pool: asyncpg.Pool
    verifier: TokenVerifier
    gateway: Gateway


async def get_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.state.pool
    return pool


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.state.settings
    return settings


async def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.state.gateway
    return gateway


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
GatewayDep = Annotated[Gateway, Depends(get_gateway)]

_web_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="WebChatToken",
    description="A web chat user's own token (`WEB_CHAT_TOKENS`); `mesh run` prints one.",
)


async def require_web_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_web_bearer)],
    settings: SettingsDep,
) -> str:
    if credentials is None:
        raise Unauthorized("Sign in with your web chat token.")
    user = settings.web_user(credentials.credentials)
    if user is None:
        raise Unauthorized("This web chat token is not valid.")
    return user


#: The signed-in web chat user's name.
WebUserDep = Annotated[str, Depends(require_web_user)]
