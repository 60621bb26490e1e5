from __future__ import annotations

import hmac
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

from gateway.deps import PoolDep, SettingsDep
from gateway.inbound import UnusableUpdate
from gateway.intake import accept
from meshkit.errors import InvalidInput, Problem, Unauthorized, problem_responses

router = APIRouter(prefix="/telegram", tags=["telegram"])

_secret_header = APIKeyHeader(
    name="X-Telegram-Bot-Api-Secret-Token",
    scheme_name="TelegramWebhookSecret",
    description="The secret_token given to setWebhook; Telegram sends it with every update.",
    auto_error=False,
)


class Accepted(BaseModel):
    ok: bool = True
    duplicate: bool = False


class NotJson(Problem):
    status = 400
    slug = "not-json"
    title = "The body is not JSON"


@router.post(
    "/webhook",
    summary="Receive a Telegram update",
    responses=problem_responses(400, 401, 413, 422),
)
async def receive_update(
    request: Request,
    pool: PoolDep,
    settings: SettingsDep,
    secret: Annotated[str | None, Depends(_secret_header)],
) -> Accepted:
    """Telegram's webhook. Checks the secret token, stores the update and its job in one
    transaction (a duplicate delivery is a no-op) and answers at once; a worker answers
    the user. Unknown update types and fields are accepted and ignored."""
    expected = settings.telegram_webhook_secret
    if (
        expected is None
        or secret is None
        or not hmac.compare_digest(secret.encode(), expected.get_secret_value().encode())
    ):
        raise Unauthorized("The webhook secret token is missing or wrong.")
    raw = await request.body()
    try:
        payload: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise NotJson("Send the update as a JSON object.") from None
    if not isinstance(payload, dict):
        raise InvalidInput("An update must be a JSON object.")
    try:
        stored = await accept(pool, payload)
    except UnusableUpdate as exc:
        raise InvalidInput(str(exc)) from None
    return Accepted(duplicate=not stored)
