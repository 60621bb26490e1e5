"""The emulator's HTTP server: the Bot API at `/bot<token>/<method>`, the control API under
`/_emulator/`, and `/healthz` + `/readyz`.

    uvicorn --factory meshdev.telegram_emulator.server:create_app
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from meshdev.telegram_emulator.api import BotApi, BotApiError, bad_request
from meshdev.telegram_emulator.control import (
    ClientGone,
    control_routes,
    problem,
    unless_disconnected,
)
from meshdev.telegram_emulator.settings import EmulatorSettings
from meshdev.telegram_emulator.state import State
from meshdev.telegram_emulator.webhook import WebhookDeliverer
from meshkit.logs import configure_logging

log = logging.getLogger("meshdev.telegram_emulator")

NAME = "telegram-emulator"
_BOT_PATH = re.compile(r"/bot[^/]+/")


class ConnectionDropped(Exception):
    """Raised after a response has started so that the server closes the connection."""


class _HideDroppedConnections(logging.Filter):
    """An injected dropped connection is the emulator working, not an application error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


class _RedactTokens(logging.Filter):
    """Access log lines name `/bot<token>/...`; a token is a secret even in development."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _BOT_PATH.sub("/bot<token>/", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    values: dict[str, Any] = {}
    parts = message.get_payload()
    if not isinstance(parts, list):
        raise bad_request("can't parse multipart/form-data")
    for part in parts:
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        # Files are acknowledged by name and size; the emulator keeps no media.
        values[name] = (
            f"<file {filename}: {len(data)} bytes>" if filename else data.decode("utf-8", "replace")
        )
    return values


async def read_params(request: Request) -> dict[str, Any]:
    """Parameters from the query string and the body, however the bot encoded them."""
    values: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    if not body:
        return values
    content_type = request.headers.get("content-type", "")
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        values.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif kind == "multipart/form-data":
        values.update(_multipart(content_type, body))
    else:
        try:
            decoded = json.loads(body)
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(decoded, dict):
            raise bad_request("can't parse JSON object")
        values.update(decoded)
    return values


class BotEndpoint:
    """`/bot<token>/<method>`, as a raw ASGI app so that a fault can drop the connection."""

    def __init__(self, api: BotApi, token: str) -> None:
        self.api = api
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        token = str(request.path_params["token"])
        method = str(request.path_params["method"])
        authorized = hmac.compare_digest(token.encode(), self._token)
        values: dict[str, Any] = {}
        unreadable: BotApiError | None = None
        try:
            values = await read_params(request)
        except BotApiError as error:
            unreadable = error
        try:
            outcome = await unless_disconnected(
                receive,
                self.api.call(
                    method,
                    values,
                    http_method=request.method,
                    authorized=authorized,
                    unreadable=unreadable,
                ),
            )
        except ClientGone:
            return
        if outcome.drop:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", b"64"),
                    ],
                }
            )
            raise ConnectionDropped(method)
        response = JSONResponse(outcome.body, status_code=outcome.status)
        await response(scope, receive, send)


def create_app(settings: EmulatorSettings | None = None) -> Starlette:
    """The emulator; without settings (uvicorn --factory) they come from the environment."""
    settings = settings or EmulatorSettings()
    configure_logging(NAME, settings.log_level, settings.log_format)
    logging.getLogger("uvicorn.error").addFilter(_HideDroppedConnections())
    logging.getLogger("uvicorn.access").addFilter(_RedactTokens())
    state = State(settings)
    api = BotApi(state)
    deliverer = WebhookDeliverer(state, api)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(trust_env=False) as http:
            deliverer.start(http)
            log.info(
                "Telegram Bot API emulator ready",
                extra={"bot_username": settings.bot_username, "bot_id": settings.bot_id},
            )
            try:
                yield
            finally:
                await deliverer.stop()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def not_found(request: Request, _exc: Exception) -> Response:
        if request.url.path.startswith("/bot"):
            return JSONResponse(BotApiError(404, "Not Found").body(), status_code=404)
        return problem(404, "not-found", f"no route {request.method} {request.url.path}")

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", healthz, methods=["GET"]),
        Route(
            "/bot{token}/{method}",
            BotEndpoint(api, settings.token.get_secret_value()),
            methods=["GET", "POST"],
        ),
        *control_routes(state),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_found}
    )
    app.state.emulator = state
    return app
