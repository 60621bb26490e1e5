from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import httpx
import pytest

from meshdev.testing import mint

PROBLEM = "application/problem+json"
PIPELINE = "/leads/pipeline"
LeadBody = Callable[..., dict[str, object]]
Counts = Callable[[], Awaitable[tuple[int, int]]]


@pytest.fixture(scope="module")
def database_url(shared_database_url: str) -> str:
    """Every request here is refused or only reads: one database for the module."""
    return shared_database_url


async def test_health_needs_no_token(anonymous: httpx.AsyncClient) -> None:
    assert (await anonymous.get("/healthz")).status_code == 200
    ready = await anonymous.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/leads"),
        ("GET", PIPELINE),
        ("GET", "/leads/00000000-0000-4000-8000-000000000000"),
        ("POST", "/leads"),
        ("POST", "/leads/00000000-0000-4000-8000-000000000000/stage"),
        ("POST", "/leads/00000000-0000-4000-8000-000000000000/qualification"),
    ],
)
async def test_every_operation_needs_a_token(
    anonymous: httpx.AsyncClient, method: str, path: str, lead_body: LeadBody
) -> None:
    response = await anonymous.request(method, path, json=lead_body())
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        mint("gateway", "leadgen-agent", secret="another-secret-" + "x" * 32),
        mint("stranger", "leadgen-agent"),
        mint("review-agent", "leadgen-agent"),
        mint("gateway", "leadgen-agent", ttl_s=-60),
    ],
    ids=["garbage", "forged", "unknown-caller", "caller-not-allowed-here", "expired"],
)
async def test_bad_tokens_are_401_and_write_nothing(
    anonymous: httpx.AsyncClient,
    db: asyncpg.Connection,
    token: str,
    lead_body: LeadBody,
    counts: Counts,
) -> None:
    before = await counts()
    headers = {"Authorization": f"Bearer {token}"}
    assert (await anonymous.get(PIPELINE, headers=headers)).status_code == 401
    assert (await anonymous.post("/leads", json=lead_body(), headers=headers)).status_code == 401
    assert await counts() == before


async def test_token_for_another_service_is_403_and_writes_nothing(
    anonymous: httpx.AsyncClient, db: asyncpg.Connection, lead_body: LeadBody, counts: Counts
) -> None:
    before = await counts()
    headers = {"Authorization": f"Bearer {mint('gateway', 'sales-agent')}"}
    response = await anonymous.post("/leads", json=lead_body(), headers=headers)
    assert response.status_code == 403
    assert response.json()["type"].endswith("/forbidden")
    assert await counts() == before


@pytest.mark.parametrize("caller", ["gateway", "mesh-cli"])
async def test_known_callers_are_served(anonymous: httpx.AsyncClient, caller: str) -> None:
    token = mint(caller, "leadgen-agent")
    response = await anonymous.get(PIPELINE, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
