from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import jwt
import pytest

from meshdev.testing import TEST_SECRET, RefusingTransport, app_client, mint
from review_agent import seed
from review_agent.config import Settings
from review_agent.main import create_app

PROBLEM = "application/problem+json"
PATH = "/locations/riverside/rating-vs-sales"


def _period(end_day: date, weeks: int) -> dict[str, str]:
    # end_day is a Sunday, so this is whole ISO weeks.
    start = end_day - timedelta(days=7 * weeks - 1)
    return {"start": start.isoformat(), "end": end_day.isoformat()}


async def test_weekly_covers_and_revenue_are_sales_agents_own_figures(
    mesh_reader: httpx.AsyncClient,
    sales_db: asyncpg.Connection,
    read_db: asyncpg.Connection,
    end_day: date,
) -> None:
    period = _period(end_day, 12)
    response = await mesh_reader.get(PATH, params=period)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["location_name"] == "Riverside"
    weeks = body["weeks"]
    assert len(weeks) == 12
    start = date.fromisoformat(period["start"])
    sales = await sales_db.fetch(
        """
        SELECT date_trunc('week', day)::date AS monday, sum(covers) AS covers,
               sum(revenue_cents) AS revenue
        FROM daily_sales WHERE location_id = 'riverside' AND day BETWEEN $1 AND $2
        GROUP BY 1 ORDER BY 1
        """,
        start,
        end_day,
    )
    assert [(w["week_start"], w["covers"], w["revenue_cents"]) for w in weeks] == [
        (row["monday"].isoformat(), row["covers"], row["revenue"]) for row in sales
    ]
    reviews = await read_db.fetch(
        """
        SELECT date_trunc('week', created_at AT TIME ZONE 'Europe/Lisbon')::date AS monday,
               count(*) AS n, round(avg(rating), 2)::float8 AS average
        FROM reviews WHERE location_id = 'riverside'
          AND (created_at AT TIME ZONE 'Europe/Lisbon')::date BETWEEN $1 AND $2
        GROUP BY 1 ORDER BY 1
        """,
        start,
        end_day,
    )
    assert [(w["review_count"], w["average_rating"]) for w in weeks] == [
        (row["n"], row["average"]) for row in reviews
    ]
    assert all(w["days"] == 7 for w in weeks)
    assert weeks[0]["covers_per_day"] == round(weeks[0]["covers"] / 7, 1)


async def test_rating_and_covers_fall_together_at_riverside(
    mesh_reader: httpx.AsyncClient, end_day: date
) -> None:
    finding = (await mesh_reader.get(PATH, params=_period(end_day, 26))).json()["finding"]
    assert finding["weeks_compared"] == 26
    assert finding["correlation"] > 0.5
    drop = finding["rating_drop"]
    dip = end_day - timedelta(days=seed.RIVERSIDE_DIP_DAYS_BEFORE_END)
    assert abs((date.fromisoformat(drop["week_start"]) - dip).days) <= 7
    assert drop["rating_before"] > 4.0
    assert drop["rating_after"] < 3.3
    assert drop["change"] < -0.8
    assert -28 < drop["covers_change_pct"] < -15
    assert drop["week"] in finding["summary"]
    assert "moved together" in finding["summary"]


async def test_a_steady_location_shows_no_drop(
    mesh_reader: httpx.AsyncClient, end_day: date
) -> None:
    response = await mesh_reader.get(
        "/locations/midtown/rating-vs-sales", params=_period(end_day, 12)
    )
    assert response.status_code == 200
    finding = response.json()["finding"]
    assert finding["rating_drop"] is None
    assert "no clear drop" in finding["summary"]


async def test_partial_weeks_are_clipped_and_days_counted(
    mesh_reader: httpx.AsyncClient, sales_db: asyncpg.Connection, end_day: date
) -> None:
    start, end = date(2026, 10, 8), date(2026, 10, 20)  # Thursday to Tuesday
    params = {"start": start.isoformat(), "end": end.isoformat()}
    body = (await mesh_reader.get(PATH, params=params)).json()
    assert [(w["week_start"], w["week_end"], w["days"]) for w in body["weeks"]] == [
        ("2026-10-08", "2026-10-11", 4),
        ("2026-10-12", "2026-10-18", 7),
        ("2026-10-19", "2026-10-20", 2),
    ]
    covers = await sales_db.fetchval(
        "SELECT sum(covers) FROM daily_sales WHERE location_id = 'riverside' "
        "AND day BETWEEN $1 AND $2",
        start,
        end,
    )
    assert sum(w["covers"] for w in body["weeks"]) == covers


async def test_sales_agent_down_is_a_502_problem(reader: httpx.AsyncClient, end_day: date) -> None:
    response = await reader.get(PATH, params=_period(end_day, 4))
    assert response.status_code == 502
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/upstream-unavailable")
    assert body["upstream"] == "sales-agent"
    assert "sales-agent.test" not in response.text
    assert "Traceback" not in response.text


def _answering(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    return httpx.MockTransport(handler)


@pytest.fixture
def seen() -> list[httpx.Request]:
    return []


@pytest.fixture
async def upstream(
    shared_settings: Settings, seen: list[httpx.Request], request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    """review-agent in front of a sales-agent that answers with `request.param`."""
    status, content = request.param

    def handler(call: httpx.Request) -> httpx.Response:
        seen.append(call)
        return httpx.Response(status, content=content)

    app = create_app(shared_settings, sales_transport=_answering(handler))
    async with app_client(app, token=mint("gateway", "review-agent")) as client:
        yield client


@pytest.mark.parametrize(
    ("upstream", "upstream_status"),
    [
        ((500, b"<html>Internal Server Error</html>"), 500),
        ((503, b""), 503),
        ((401, b'{"type": "x", "title": "Unauthorized", "status": 401}'), 401),
        ((200, b"not json at all"), None),
        ((200, b'{"unexpected": true}'), None),
    ],
    indirect=["upstream"],
    ids=["500", "503", "401", "200-not-json", "200-wrong-shape"],
)
async def test_sales_agent_failures_are_502_problems(
    upstream: httpx.AsyncClient, end_day: date, upstream_status: int | None
) -> None:
    response = await upstream.get(PATH, params=_period(end_day, 4))
    assert response.status_code == 502
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/upstream-unavailable")
    assert body.get("upstream_status") == upstream_status
    assert "<html>" not in response.text


@pytest.mark.parametrize("upstream", [(503, b"")], indirect=True)
async def test_calls_to_sales_agent_carry_a_service_token_for_it(
    upstream: httpx.AsyncClient, seen: list[httpx.Request], end_day: date
) -> None:
    await upstream.get(PATH, params=_period(end_day, 4))
    assert len(seen) == 1
    call = seen[0]
    assert call.url.path == "/sales/daily"
    assert call.url.params["location_id"] == "riverside"
    scheme, token = call.headers["authorization"].split(" ")
    assert scheme == "Bearer"
    claims: dict[str, Any] = jwt.decode(
        token, TEST_SECRET, algorithms=["HS256"], audience="sales-agent"
    )
    assert claims["iss"] == "review-agent"
    assert claims["exp"] - claims["iat"] <= 300


@pytest.mark.parametrize(
    ("path", "params", "status", "slug"),
    [
        (PATH, {"start": "2026-01-01", "end": "2026-11-22"}, 422, "invalid-date-range"),
        (PATH, {"start": "2026-11-22", "end": "2026-11-01"}, 422, "invalid-date-range"),
        (PATH, {"start": "2026-11-01"}, 422, "validation-failed"),
        (PATH, {"start": "2026-11-01", "end": "soon"}, 422, "validation-failed"),
        (
            "/locations/atlantis/rating-vs-sales",
            {"start": "2026-11-01", "end": "2026-11-22"},
            404,
            "location-not-found",
        ),
        (
            "/locations/Not_A_Slug/rating-vs-sales",
            {"start": "2026-11-01", "end": "2026-11-22"},
            422,
            "validation-failed",
        ),
    ],
)
async def test_bad_requests_are_refused_before_calling_sales_agent(
    shared_settings: Settings, path: str, params: dict[str, str], status: int, slug: str
) -> None:
    transport = RefusingTransport()
    app = create_app(shared_settings, sales_transport=transport)
    async with app_client(app, token=mint("gateway", "review-agent")) as client:
        response = await client.get(path, params=params)
    assert response.status_code == status
    assert response.json()["type"].endswith("/" + slug)
    assert transport.calls == 0
