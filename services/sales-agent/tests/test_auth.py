from __future__ import annotations

import httpx
import pytest

from meshdev.testing import mint

SUMMARY = "/sales/summary?start=2026-11-16&end=2026-11-22"


async def test_health_needs_no_token(anonymous: httpx.AsyncClient) -> None:
    assert (await anonymous.get("/healthz")).status_code == 200
    ready = await anonymous.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_missing_token_is_401_with_challenge(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get(SUMMARY)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        mint("gateway", "sales-agent", secret="another-secret-" + "x" * 32),
        mint("stranger", "sales-agent"),
        mint("gateway", "sales-agent", ttl_s=-60),
    ],
    ids=["garbage", "forged", "unknown-caller", "expired"],
)
async def test_bad_tokens_are_401(anonymous: httpx.AsyncClient, token: str) -> None:
    response = await anonymous.get(SUMMARY, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_token_for_another_service_is_403(anonymous: httpx.AsyncClient) -> None:
    token = mint("gateway", "review-agent")
    response = await anonymous.get(SUMMARY, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.json()["type"].endswith("/forbidden")


@pytest.mark.parametrize("caller", ["gateway", "review-agent", "leadgen-agent"])
async def test_known_callers_are_served(anonymous: httpx.AsyncClient, caller: str) -> None:
    token = mint(caller, "sales-agent")
    response = await anonymous.get(SUMMARY, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
