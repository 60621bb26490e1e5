from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from leadgen_agent.models import LeadKind, LeadSource, LocationId
from leadgen_agent.services.scoring import MAX_POINTS, SalesSignals, score_lead
from meshdev.testing import RefusingTransport

PROBLEM = "application/problem+json"
LeadBody = Callable[..., dict[str, object]]
Counts = Callable[[], Awaitable[tuple[int, int]]]
Connect = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


def _factors(lead: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {factor["factor"]: factor for factor in lead["score"]["rationale"]}


async def _create(client: httpx.AsyncClient, body: dict[str, object]) -> str:
    response = await client.post("/leads", json=body)
    assert response.status_code == 201
    lead_id: str = response.json()["id"]
    return lead_id


async def test_midtown_catering_lead_outscores_the_same_lead_at_the_airport(
    client_with_sales: httpx.AsyncClient, db: asyncpg.Connection, lead_body: LeadBody
) -> None:
    midtown = await _create(client_with_sales, lead_body(preferred_location_id="midtown"))
    airport = await _create(client_with_sales, lead_body(preferred_location_id="airport"))

    scored = {}
    for name, lead_id in (("midtown", midtown), ("airport", airport)):
        response = await client_with_sales.post(f"/leads/{lead_id}/qualification")
        assert response.status_code == 200, response.text
        scored[name] = response.json()

    for lead in scored.values():
        assert lead["score"]["partial"] is False
        assert all(f["available"] for f in lead["score"]["rationale"])
        assert lead["score"]["scored_at"] == "2026-11-23T10:00:00Z"
        assert lead["stage"] == "new"  # scoring never moves a lead
    mid, air = _factors(scored["midtown"]), _factors(scored["airport"])
    assert mid["location_capacity"]["points"] > air["location_capacity"]["points"]
    assert mid["location_capacity"]["points"] == 15
    assert "Midtown sold €" in str(mid["location_capacity"]["explanation"])
    assert scored["midtown"]["score"]["score"] > scored["airport"]["score"]["score"]
    # Everything but the location is the same lead.
    for factor in ("headcount", "budget_per_head", "lead_time", "kind", "source"):
        assert mid[factor] == air[factor]
    # 40 people at €900 is €22.50 a head against the seeded chain's ~€25.78 per guest.
    assert mid["budget_per_head"]["points"] == 12
    assert mid["lead_time"]["points"] == 15  # 17 days ahead
    for name, lead_id in (("midtown", midtown), ("airport", airport)):
        row = await db.fetchrow(
            "SELECT score, score_partial, score_rationale, scored_at FROM leads WHERE id = $1",
            UUID(lead_id),
        )
        assert row is not None
        assert row["score"] == scored[name]["score"]["score"]
        assert row["score_partial"] is False
        assert row["scored_at"].isoformat() == "2026-11-23T10:00:00+00:00"


async def test_score_is_the_sum_of_its_factors_and_within_bounds(
    client_with_sales: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    lead_id = await db.fetchval(
        "SELECT id FROM leads WHERE stage = 'new' ORDER BY created_at LIMIT 1"
    )
    response = await client_with_sales.post(f"/leads/{lead_id}/qualification")
    score = response.json()["score"]
    assert score["score"] == sum(f["points"] for f in score["rationale"])
    assert 0 <= score["score"] <= 100
    assert {f["factor"] for f in score["rationale"]} == {str(name) for name in MAX_POINTS}
    for factor in score["rationale"]:
        assert 0 <= factor["points"] <= factor["max_points"] == MAX_POINTS[factor["factor"]]
        assert factor["explanation"]
    assert sum(MAX_POINTS.values()) == 100


async def test_qualifying_again_replaces_the_score_and_adds_no_rows(
    client_with_sales: httpx.AsyncClient,
    db: asyncpg.Connection,
    counts: Counts,
    lead_body: LeadBody,
) -> None:
    lead_id = await _create(client_with_sales, lead_body())
    first = (await client_with_sales.post(f"/leads/{lead_id}/qualification")).json()
    before = await counts()
    second = (await client_with_sales.post(f"/leads/{lead_id}/qualification")).json()
    assert second["score"] == first["score"]
    assert await counts() == before


async def test_sales_agent_down_still_scores_the_lead_partially(
    client: httpx.AsyncClient, db: asyncpg.Connection, lead_body: LeadBody
) -> None:
    lead_id = await _create(client, lead_body())
    response = await client.post(f"/leads/{lead_id}/qualification")
    assert response.status_code == 200
    score = response.json()["score"]
    assert score["partial"] is True
    factors = {f["factor"]: f for f in score["rationale"]}
    for name in ("location_capacity", "budget_per_head"):
        assert factors[name]["available"] is False
        assert factors[name]["points"] == 0
        assert factors[name]["explanation"].startswith("Unavailable")
    for name in ("headcount", "lead_time", "kind", "source"):
        assert factors[name]["available"] is True
    assert score["score"] == sum(f["points"] for f in score["rationale"]) > 0
    row = await db.fetchrow("SELECT score, score_partial FROM leads WHERE id = $1", UUID(lead_id))
    assert row is not None
    assert (row["score"], row["score_partial"]) == (score["score"], True)


def _answering(status: int, body: bytes = b"{}") -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    "transport",
    [
        _answering(500),
        _answering(503, b"<html>bad gateway</html>"),
        _answering(401, b'{"type": "x", "title": "Unauthorized", "status": 401}'),
        _answering(200, b"not json"),
        _answering(200, b'{"unexpected": true}'),
        _answering(599),
    ],
    ids=["500", "503-html", "401", "garbage-200", "wrong-shape-200", "unknown-status"],
)
async def test_a_misbehaving_sales_agent_gives_a_partial_score_not_an_error(
    connect: Connect, lead_body: LeadBody, transport: httpx.MockTransport
) -> None:
    async with connect(sales=transport) as client:
        lead_id = await _create(client, lead_body())
        response = await client.post(f"/leads/{lead_id}/qualification")
    assert response.status_code == 200
    assert response.json()["score"]["partial"] is True


async def test_a_slow_sales_agent_is_given_up_on_in_time(
    connect: Connect, lead_body: LeadBody
) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json={})

    async with connect(sales=httpx.MockTransport(slow), SALES_AGENT_TIMEOUT_S=0.2) as client:
        lead_id = await _create(client, lead_body())
        started = time.monotonic()
        response = await client.post(f"/leads/{lead_id}/qualification")
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.json()["score"]["partial"] is True
    # The three questions are asked at once, so the wait is one timeout, not three.
    assert elapsed < 1.0


async def test_qualifying_an_unknown_lead_is_404_without_asking_sales_agent(
    connect: Connect,
) -> None:
    sales = RefusingTransport()
    async with connect(sales=sales) as client:
        response = await client.post("/leads/00000000-0000-4000-8000-000000000000/qualification")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/lead-not-found")
    assert sales.calls == 0


async def test_qualifying_a_malformed_lead_id_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/leads/lead-42/qualification")
    assert response.status_code == 422


FULL_SIGNALS = SalesSignals(
    location_catering_cents=7_000_000,
    chain_catering_cents=14_000_000,
    spend_per_cover_cents=2500,
)


def _score(**overrides: object) -> dict[str, int]:
    arguments: dict[str, object] = {
        "kind": LeadKind.CATERING,
        "headcount": 40,
        "budget_cents": 100_000,
        "event_date": date(2026, 12, 10),
        "source": LeadSource.WEBSITE_FORM,
        "location_id": LocationId.MIDTOWN,
        "today": date(2026, 11, 23),
        "signals": FULL_SIGNALS,
    }
    arguments.update(overrides)
    scored = score_lead(**arguments)  # type: ignore[arg-type]
    return {str(f.factor): f.points for f in scored.rationale}


@pytest.mark.parametrize(
    ("overrides", "factor", "points"),
    [
        ({"headcount": 5}, "headcount", 4),
        ({"headcount": 10}, "headcount", 10),
        ({"headcount": 25}, "headcount", 16),
        ({"headcount": 100}, "headcount", 20),
        ({"budget_cents": None}, "budget_per_head", 0),
        ({"budget_cents": 125_000}, "budget_per_head", 25),  # €31.25 a head: 1.25x
        ({"budget_cents": 90_000}, "budget_per_head", 19),  # 0.9x
        ({"budget_cents": 60_000}, "budget_per_head", 12),
        ({"budget_cents": 40_000}, "budget_per_head", 6),
        ({"budget_cents": 10_000}, "budget_per_head", 2),
        ({"event_date": date(2026, 11, 22)}, "lead_time", 0),
        ({"event_date": date(2026, 11, 24)}, "lead_time", 2),
        ({"event_date": date(2026, 11, 27)}, "lead_time", 8),
        ({"event_date": date(2027, 2, 21)}, "lead_time", 15),  # 90 days
        ({"event_date": date(2027, 5, 1)}, "lead_time", 10),
        ({"event_date": date(2027, 11, 1)}, "lead_time", 5),
        ({"event_date": None}, "lead_time", 5),
        ({"event_date": None, "kind": LeadKind.CORPORATE_ACCOUNT}, "lead_time", 12),
        ({"kind": LeadKind.CORPORATE_ACCOUNT}, "kind", 15),
        ({"kind": LeadKind.PRIVATE_EVENT}, "kind", 8),
        ({"source": LeadSource.REFERRAL}, "source", 10),
        ({"source": LeadSource.COLD_OUTREACH}, "source", 3),
        ({}, "location_capacity", 15),  # 3x an even share
        ({"signals": SalesSignals(2_400_000, 14_000_000, 2500)}, "location_capacity", 11),
        ({"signals": SalesSignals(1_000_000, 14_000_000, 2500)}, "location_capacity", 6),
        ({"signals": SalesSignals(100_000, 14_000_000, 2500)}, "location_capacity", 2),
        ({"signals": SalesSignals(0, 14_000_000, 2500)}, "location_capacity", 0),
        ({"signals": SalesSignals(0, 0, 2500)}, "location_capacity", 0),
    ],
)
def test_each_factor_scores_by_its_published_bands(
    overrides: dict[str, object], factor: str, points: int
) -> None:
    assert _score(**overrides)[factor] == points


def test_missing_sales_figures_make_only_their_factors_unavailable() -> None:
    scored = score_lead(
        kind=LeadKind.CATERING,
        headcount=40,
        budget_cents=None,
        event_date=None,
        source=LeadSource.EVENT,
        location_id=LocationId.AIRPORT,
        today=date(2026, 11, 23),
        signals=SalesSignals(None, None, None),
    )
    unavailable = {str(f.factor) for f in scored.rationale if not f.available}
    # No budget was given, so the missing spend per guest does not matter.
    assert unavailable == {"location_capacity"}
    assert scored.partial is True


async def test_catering_capacity_reports_sales_agents_catering_figures(
    client_with_sales: httpx.AsyncClient,
) -> None:
    midtown = await client_with_sales.get("/locations/midtown/catering-capacity")
    airport = await client_with_sales.get("/locations/airport/catering-capacity")
    assert midtown.status_code == 200, midtown.text
    body, other = midtown.json(), airport.json()
    assert body["chain_catering_cents"] == other["chain_catering_cents"] > 0
    assert body["location_catering_cents"] > other["location_catering_cents"]
    assert body["share_of_chain"] > body["even_share"] > other["share_of_chain"]
    assert (date.fromisoformat(body["end"]) - date.fromisoformat(body["start"])).days == 89


async def test_catering_capacity_with_sales_agent_down_is_a_502(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/locations/midtown/catering-capacity")
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["upstream"] == "sales-agent"


async def test_catering_capacity_of_an_unknown_location_is_422(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/locations/atlantis/catering-capacity")
    assert response.status_code == 422
