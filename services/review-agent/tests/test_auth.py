from __future__ import annotations

import httpx
import pytest

from meshdev.testing import mint

SUMMARY = "/reviews/summary?start=2026-11-16&end=2026-11-22"


async def test_health_needs_no_token(anonymous: httpx.AsyncClient) -> None:
    assert (await anonymous.get("/healthz")).status_code == 200
    ready = await anonymous.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/reviews"),
        ("GET", SUMMARY),
        ("GET", "/reviews/themes?start=2026-11-16&end=2026-11-22"),
        ("GET", "/reviews/00000000-0000-4000-8000-000000000000"),
        ("POST", "/reviews"),
        ("POST", "/reviews/00000000-0000-4000-8000-000000000000/reply-draft"),
        ("GET", "/locations/riverside/rating-vs-sales?start=2026-11-01&end=2026-11-22"),
    ],
)
async def test_every_operation_refuses_a_missing_token(
    anonymous: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await anonymous.request(method, path, json={})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        mint("gateway", "review-agent", secret="another-secret-" + "x" * 32),
        mint("stranger", "review-agent"),
        mint("sales-agent", "review-agent"),
        mint("gateway", "review-agent", ttl_s=-60),
    ],
    ids=["garbage", "forged", "unknown-caller", "caller-not-allowed", "expired"],
)
async def test_bad_tokens_are_401(anonymous: httpx.AsyncClient, token: str) -> None:
    response = await anonymous.get(SUMMARY, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["type"].endswith("/unauthorized")


async def test_token_for_another_service_is_403(anonymous: httpx.AsyncClient) -> None:
    token = mint("gateway", "sales-agent")
    response = await anonymous.get(SUMMARY, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.json()["type"].endswith("/forbidden")


@pytest.mark.parametrize("caller", ["gateway", "leadgen-agent", "mesh-cli"])
async def test_known_callers_are_served(anonymous: httpx.AsyncClient, caller: str) -> None:
    token = mint(caller, "review-agent")
    response = await anonymous.get(SUMMARY, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
