"""POST /telegram/webhook: authenticated, tolerant, durable, and fast to acknowledge."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from gateway.config import Settings
from gateway.main import create_app
from meshdev.testing import app_client, service_settings

SECRET = "webhook-secret_0123456789"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


def fake_telegram(calls: list[str]) -> httpx.MockTransport:
    """Just enough Bot API for start-up: who am I, commands, setWebhook."""

    def handle(request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        calls.append(method)
        result: Any = True
        if method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "Mesh", "username": "mesh_bot"}
        return httpx.Response(200, json={"ok": True, "result": result})

    return httpx.MockTransport(handle)


@pytest.fixture
async def webhook(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    settings = service_settings(
        Settings,
        database_url,
        GATEWAY_ROLE="web",
        TELEGRAM_MODE="webhook",
        TELEGRAM_BOT_TOKEN="123456:test-token",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        PUBLIC_URL="https://bot.example.com",
    )
    calls: list[str] = []
    app = create_app(settings, telegram_transport=fake_telegram(calls))
    async with app_client(app) as client:
        yield client, calls


def message(update_id: int, text: str = "hello", chat: int = 42) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1764000000,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "Ana"},
            "text": text,
        },
    }


async def counts(pool: asyncpg.Pool) -> tuple[int, int]:
    return (
        await pool.fetchval("SELECT count(*) FROM telegram_updates"),
        await pool.fetchval("SELECT count(*) FROM jobs"),
    )


async def test_startup_registers_the_webhook_and_commands(
    webhook: tuple[httpx.AsyncClient, list[str]],
) -> None:
    _, calls = webhook
    assert calls[:3] == ["getMe", "setMyCommands", "setWebhook"]


async def test_update_is_stored_with_its_job(
    webhook: tuple[httpx.AsyncClient, list[str]], pool: asyncpg.Pool
) -> None:
    client, _ = webhook
    response = await client.post("/telegram/webhook", json=message(7), headers=HEADERS)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "duplicate": False}
    assert await counts(pool) == (1, 1)
    job = await pool.fetchrow("SELECT ordering_key, status, update_id FROM jobs")
    assert job is not None
    assert dict(job) == {"ordering_key": "tg:42:0", "status": "queued", "update_id": 7}


async def test_duplicate_delivery_is_a_no_op(
    webhook: tuple[httpx.AsyncClient, list[str]], pool: asyncpg.Pool
) -> None:
    client, _ = webhook
    await client.post("/telegram/webhook", json=message(7), headers=HEADERS)
    again = await client.post("/telegram/webhook", json=message(7, "changed"), headers=HEADERS)
    assert again.json() == {"ok": True, "duplicate": True}
    assert await counts(pool) == (1, 1)


@pytest.mark.parametrize(
    "headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}], ids=["missing", "wrong"]
)
async def test_wrong_or_missing_secret_is_401_and_stores_nothing(
    webhook: tuple[httpx.AsyncClient, list[str]], pool: asyncpg.Pool, headers: dict[str, str]
) -> None:
    client, _ = webhook
    response = await client.post("/telegram/webhook", json=message(7), headers=headers)
    assert response.status_code == 401
    assert await counts(pool) == (0, 0)


async def test_unknown_update_types_and_fields_are_accepted_without_a_job(
    webhook: tuple[httpx.AsyncClient, list[str]], pool: asyncpg.Pool
) -> None:
    client, _ = webhook
    odd = {"update_id": 9, "message_reaction": {"chat": {"id": 42}}, "brand_new_field": [1]}
    response = await client.post("/telegram/webhook", json=odd, headers=HEADERS)
    assert response.status_code == 200
    assert await counts(pool) == (1, 0)
    assert await pool.fetchval("SELECT kind FROM telegram_updates") == "message_reaction"


async def test_a_malformed_message_part_is_stored_not_refused(
    webhook: tuple[httpx.AsyncClient, list[str]], pool: asyncpg.Pool
) -> None:
    client, _ = webhook
    weird = {"update_id": 10, "message": {"message_id": "not-a-number"}}
    response = await client.post("/telegram/webhook", json=weird, headers=HEADERS)
    assert response.status_code == 200
    assert (await counts(pool))[0] == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2, 3]", 422),
        (b'"text"', 422),
        (b"{}", 422),
        (b'{"update_id": "seven"}', 422),
        (b'{"update_id": -1}', 422),
        (json.dumps(message(1, "x" * 200_000)).encode(), 413),
    ],
    ids=["not-json", "array", "string", "no-id", "string-id", "negative-id", "oversized"],
)
async def test_malformed_bodies_get_a_4xx_and_store_nothing(
    webhook: tuple[httpx.AsyncClient, list[str]], pool: asyncpg.Pool, body: bytes, status: int
) -> None:
    client, _ = webhook
    response = await client.post(
        "/telegram/webhook",
        content=body,
        headers={**HEADERS, "content-type": "application/json"},
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert await counts(pool) == (0, 0)


async def test_a_flood_is_stored_whole_with_repeated_deliveries_answered_once(
    webhook: tuple[httpx.AsyncClient, list[str]], pool: asyncpg.Pool
) -> None:
    """Concurrent deliveries go to PostgreSQL in groups; every 200 still means stored, and a
    delivery repeated inside one group is a duplicate like any other."""
    client, _ = webhook
    bodies = [message(1000 + n, chat=n % 7) for n in range(150)]
    bodies += [message(1000 + n, "again", chat=n % 7) for n in range(0, 150, 10)]
    responses = await asyncio.gather(
        *(client.post("/telegram/webhook", json=body, headers=HEADERS) for body in bodies)
    )
    assert {r.status_code for r in responses} == {200}
    duplicates = [r.json()["duplicate"] for r in responses]
    assert duplicates.count(False) == 150
    assert await counts(pool) == (150, 150)


async def test_an_update_postgresql_cannot_store_is_refused_alone(
    webhook: tuple[httpx.AsyncClient, list[str]], pool: asyncpg.Pool
) -> None:
    """A NUL character is valid JSON but not storable in jsonb: that update gets a 422, and
    the updates written in the same group are stored all the same."""
    client, _ = webhook
    bodies = [message(2000 + n) for n in range(20)]
    bodies[7] = message(2007, "nul \u0000 inside")
    responses = await asyncio.gather(
        *(client.post("/telegram/webhook", json=body, headers=HEADERS) for body in bodies)
    )
    statuses = [r.status_code for r in responses]
    assert statuses[7] == 422
    assert "cannot store" in responses[7].json()["detail"]
    assert statuses[:7] + statuses[8:] == [200] * 19
    assert await counts(pool) == (19, 19)


async def test_the_update_is_stored_as_received_and_nan_is_refused(
    webhook: tuple[httpx.AsyncClient, list[str]], pool: asyncpg.Pool
) -> None:
    client, _ = webhook
    body = json.dumps(message(3000, "olá 👋")).encode()
    response = await client.post(
        "/telegram/webhook", content=body, headers={**HEADERS, "content-type": "application/json"}
    )
    assert response.status_code == 200
    stored = await pool.fetchval("SELECT payload FROM telegram_updates WHERE update_id = 3000")
    assert stored == message(3000, "olá 👋")
    nan = b'{"update_id": 3001, "message": {"message_id": 1, "chat": {"id": 1}, "x": NaN}}'
    refused = await client.post(
        "/telegram/webhook", content=nan, headers={**HEADERS, "content-type": "application/json"}
    )
    assert refused.status_code == 422
    assert await counts(pool) == (1, 1)


def test_webhook_route_runs_what_it_documents() -> None:
    """`WebhookRoute` calls the secret check itself instead of letting FastAPI solve the
    declared dependencies; it must call exactly those, or the contract and the code part."""
    from fastapi.routing import APIRoute

    from gateway.deps import require_webhook_secret, webhook_secret
    from gateway.routes.telegram import WebhookRoute, router

    (route,) = [r for r in router.routes if isinstance(r, APIRoute) and r.path.endswith("/webhook")]
    assert isinstance(route, WebhookRoute)
    (dependency,) = route.dependant.dependencies
    assert dependency.call is require_webhook_secret
    (security,) = dependency.dependencies
    assert security.call is webhook_secret
    assert not security.dependencies
    # No query, header, cookie or body parameters FastAPI would have parsed.
    for params in ("path_params", "query_params", "header_params", "cookie_params", "body_params"):
        assert not getattr(route.dependant, params), params
        assert not getattr(dependency, params), params
