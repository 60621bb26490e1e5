"""Webhook delivery to a real HTTP receiver: secret header, retries, errors, order."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meshdev.procs import bind
from meshdev.telegram_emulator.client import EmulatorClient
from meshdev.telegram_emulator.models import UserSpec

pytestmark = pytest.mark.processes

SECRET = "s3cret_Token-1"


@dataclass
class Receiver:
    """A bot's webhook endpoint: records what arrives and answers as told."""

    url: str = ""
    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    #: Statuses for the next requests, in order; 200 once they run out.
    statuses: list[int] = field(default_factory=list)
    #: A body for 2xx answers (a webhook may answer with a method call).
    reply: dict[str, Any] | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def endpoint(self, request: Request) -> Response:
        self.received.append((dict(request.headers), json.loads(await request.body())))
        self.arrived.set()
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200 and self.reply is not None:
            return JSONResponse(self.reply)
        return Response(status_code=status)

    async def wait_for(self, count: int, within_s: float = 5.0) -> None:
        async with asyncio.timeout(within_s):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/telegram", receiver.endpoint, methods=["POST"])])
    sock = bind()
    receiver.url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram"
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="off", log_level="warning", ws="none", access_log=False)
    )
    # The socket already listens, so deliveries queue until the server takes them.
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task
        sock.close()


async def test_updates_are_posted_with_the_secret_header(
    bot: httpx.AsyncClient, emulator: EmulatorClient, receiver: Receiver
) -> None:
    chat = await emulator.private_chat(UserSpec(id=701, first_name="Ana"))
    set_webhook = await bot.post(
        "setWebhook", json={"url": receiver.url, "secret_token": SECRET, "max_connections": 5}
    )

    update_id = await emulator.send_text(chat.id, "/start")
    await receiver.wait_for(1)

    assert set_webhook.json() == {"ok": True, "result": True, "description": "Webhook was set"}
    headers, update = receiver.received[0]
    assert headers["x-telegram-bot-api-secret-token"] == SECRET
    assert headers["content-type"] == "application/json"
    assert update["update_id"] == update_id
    assert update["message"]["text"] == "/start"
    info = (await bot.get("getWebhookInfo")).json()["result"]
    assert info["url"] == receiver.url
    assert info["has_custom_certificate"] is False
    assert info["max_connections"] == 5
    assert "last_error_date" not in info


async def test_a_failing_webhook_is_retried_and_reported(
    bot: httpx.AsyncClient, emulator: EmulatorClient, receiver: Receiver
) -> None:
    chat = await emulator.private_chat(UserSpec(id=702))
    receiver.statuses = [500, 500]
    await bot.post("setWebhook", json={"url": receiver.url})

    update_id = await emulator.send_text(chat.id, "hello")
    await receiver.wait_for(3)

    assert [update["update_id"] for _, update in receiver.received] == [update_id] * 3
    info = (await bot.get("getWebhookInfo")).json()["result"]
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert isinstance(info["last_error_date"], int)
    webhook = await emulator.webhook()
    assert [d.status_code for d in webhook.deliveries] == [500, 500, 200]
    assert not webhook.deliveries[0].secret_header


async def test_a_chat_s_updates_are_delivered_in_order_behind_a_failure(
    bot: httpx.AsyncClient, emulator: EmulatorClient, receiver: Receiver
) -> None:
    chat = await emulator.private_chat(UserSpec(id=703))
    receiver.statuses = [503]
    await bot.post("setWebhook", json={"url": receiver.url})

    first = await emulator.send_text(chat.id, "first")
    second = await emulator.send_text(chat.id, "second")
    await receiver.wait_for(3)

    assert [update["update_id"] for _, update in receiver.received] == [first, first, second]


async def test_an_unreachable_webhook_gives_up_after_its_attempts(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=704))
    # Port 9 (discard) is closed on the loopback, so every attempt is refused.
    await bot.post("setWebhook", json={"url": "http://127.0.0.1:9/hook"})

    await emulator.send_text(chat.id, "anyone?")
    for _ in range(100):
        if (await emulator.updates())[0].status == "dropped":
            break
        await asyncio.sleep(0.05)

    info = (await bot.get("getWebhookInfo")).json()["result"]
    assert info["last_error_message"] == "Connection refused"
    assert info["pending_update_count"] == 0
    assert len((await emulator.webhook()).deliveries) == 4


async def test_a_webhook_may_answer_with_a_method_call(
    bot: httpx.AsyncClient, emulator: EmulatorClient, receiver: Receiver
) -> None:
    chat = await emulator.private_chat(UserSpec(id=705))
    receiver.reply = {"method": "sendMessage", "chat_id": chat.id, "text": "Got it"}
    await bot.post("setWebhook", json={"url": receiver.url})

    await emulator.send_text(chat.id, "order 12 pizzas")
    reply = await emulator.wait_for_bot_message(chat.id, timeout=5)

    assert reply.text == "Got it"
    [call] = await emulator.calls("sendMessage")
    assert call.via == "webhook_reply"


async def test_pending_updates_move_to_get_updates_when_the_webhook_is_deleted(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=706))
    await bot.post("setWebhook", json={"url": "http://127.0.0.1:9/hook"})
    await bot.post("deleteWebhook", json={})
    update_id = await emulator.send_text(chat.id, "kept")

    again = await bot.post("deleteWebhook", json={})
    updates = (await bot.post("getUpdates", json={})).json()["result"]
    dropped = await bot.post("setWebhook", json={"url": "", "drop_pending_updates": True})

    assert again.json()["description"] == "Webhook is already deleted"
    assert [u["update_id"] for u in updates] == [update_id]
    assert dropped.json()["ok"] is True
    assert (await bot.post("getUpdates", json={})).json()["result"] == []


async def test_a_malformed_secret_token_is_refused(bot: httpx.AsyncClient) -> None:
    response = await bot.post(
        "setWebhook", json={"url": "http://127.0.0.1:9/hook", "secret_token": "has space"}
    )

    assert response.status_code == 400
    assert response.json()["description"] == (
        "Bad Request: secret token contains unallowed characters"
    )
