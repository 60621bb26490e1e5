"""Typed access to lifespan state; the only place FastAPI dependencies are declared.

Every dependency is `async def`: FastAPI runs a plain `def` in its thread pool, a thread hop
(and a GIL hand-off) per request for what is a dictionary lookup."""

from __future__ import annotations

import hmac
from typing import Annotated, TypedDict

import asyncpg
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from gateway.config import Settings
from gateway.handling import Gateway
from gateway.intake import Intake
from meshkit.auth import TokenVerifier
from meshkit.errors import Unauthorized


class State(TypedDict):
    settings: Settings
    pool: asyncpg.Pool
    verifier: TokenVerifier
    gateway: Gateway
    intake: Intake


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

webhook_secret = APIKeyHeader(
    name="X-Telegram-Bot-Api-Secret-Token",
    scheme_name="TelegramWebhookSecret",
    description="The secret_token given to setWebhook; Telegram sends it with every update.",
    auto_error=False,
)


async def require_webhook_secret(
    request: Request, secret: Annotated[str | None, Depends(webhook_secret)]
) -> Intake:
    """The intake, for a caller that presents the webhook's secret token (compared in
    constant time). The webhook's route calls it directly (`routes.telegram.WebhookRoute`)."""
    settings: Settings = request.state.settings
    expected = settings.telegram_webhook_secret
    if (
        expected is None
        or secret is None
        or not hmac.compare_digest(secret.encode(), expected.get_secret_value().encode())
    ):
        raise Unauthorized("The webhook secret token is missing or wrong.")
    intake: Intake = request.state.intake
    return intake


#: The intake, for Telegram (the caller presented the webhook secret).
WebhookIntakeDep = Annotated[Intake, Depends(require_webhook_secret)]

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
