"""Idempotency-Key on writes: a retried call never writes twice (meshkit middleware, seen
through a real write operation against real PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

LeadBody = Callable[..., dict[str, object]]
Counts = Callable[[], Awaitable[tuple[int, int]]]
KEY = {"Idempotency-Key": "update-7:toolu_01abc"}


async def test_same_key_and_request_returns_the_first_answer_without_writing_again(
    client: httpx.AsyncClient, lead_body: LeadBody, counts: Counts
) -> None:
    before = await counts()
    first = await client.post("/leads", json=lead_body(), headers=KEY)
    second = await client.post("/leads", json=lead_body(), headers=KEY)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    created, events = await counts()
    assert (created, events) == (before[0] + 1, before[1] + 1)


async def test_same_key_for_a_different_request_is_refused(
    client: httpx.AsyncClient, lead_body: LeadBody, counts: Counts
) -> None:
    await client.post("/leads", json=lead_body(), headers=KEY)
    before = await counts()
    other = await client.post("/leads", json=lead_body(headcount=41), headers=KEY)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert await counts() == before


async def test_without_a_key_each_call_writes(
    client: httpx.AsyncClient, lead_body: LeadBody, counts: Counts
) -> None:
    before = await counts()
    await client.post("/leads", json=lead_body())
    await client.post("/leads", json=lead_body())
    assert (await counts())[0] == before[0] + 2


async def test_concurrent_retries_write_once(
    client: httpx.AsyncClient, lead_body: LeadBody, counts: Counts
) -> None:
    before = await counts()
    responses = await asyncio.gather(
        *(client.post("/leads", json=lead_body(), headers=KEY) for _ in range(5))
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}
    assert statuses.count(201) >= 1
    assert (await counts())[0] == before[0] + 1


async def test_a_refused_caller_does_not_burn_the_key(
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient, lead_body: LeadBody
) -> None:
    refused = await anonymous.post("/leads", json=lead_body(), headers=KEY)
    assert refused.status_code == 401
    accepted = await client.post("/leads", json=lead_body(), headers=KEY)
    assert accepted.status_code == 201


async def test_validation_failures_are_remembered_like_any_answer(
    client: httpx.AsyncClient, lead_body: LeadBody, counts: Counts
) -> None:
    before = await counts()
    bad = await client.post("/leads", json=lead_body(headcount=0), headers=KEY)
    again = await client.post("/leads", json=lead_body(headcount=0), headers=KEY)
    assert bad.status_code == again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"
    assert await counts() == before


async def test_malformed_key_is_422(client: httpx.AsyncClient, lead_body: LeadBody) -> None:
    response = await client.post(
        "/leads", json=lead_body(), headers={"Idempotency-Key": "bad key with spaces"}
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("/invalid-idempotency-key")
