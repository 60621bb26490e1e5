from __future__ import annotations

from datetime import date, timedelta

import asyncpg
import httpx
import pytest

from sales_agent import seed

PROBLEM = "application/problem+json"


def q(**params: date | str | int) -> dict[str, str | int]:
    """Query parameters with dates in ISO form."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}


async def test_locations_are_the_seeded_chain(client: httpx.AsyncClient) -> None:
    response = await client.get("/locations")
    assert response.status_code == 200
    ids = {location["id"] for location in response.json()["items"]}
    assert ids == {loc.id for loc in seed.LOCATIONS}


async def test_unknown_location_is_a_problem_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/locations/atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/location-not-found")
    assert body["location_id"] == "atlantis"


async def test_summary_matches_the_rows_in_the_database(
    client: httpx.AsyncClient, db: asyncpg.Connection, end_day: date
) -> None:
    start, end = end_day - timedelta(days=6), end_day
    response = await client.get("/sales/summary", params=q(start=start, end=end))
    assert response.status_code == 200
    body = response.json()
    expected = await db.fetchrow(
        "SELECT sum(revenue_cents) AS revenue, sum(orders) AS orders, sum(covers) AS covers "
        "FROM daily_sales WHERE day BETWEEN $1 AND $2",
        start,
        end,
    )
    assert expected is not None
    assert body["totals"]["revenue_cents"] == expected["revenue"]
    assert body["totals"]["orders"] == expected["orders"]
    assert body["totals"]["covers"] == expected["covers"]
    assert body["totals"]["days"] == 7
    shares = [entry["share_of_revenue"] for entry in body["by_location"]]
    assert shares == sorted(shares, reverse=True)
    assert sum(shares) == pytest.approx(1.0, abs=0.001)
    assert body["best_day"]["revenue_cents"] >= body["worst_day"]["revenue_cents"]


async def test_summary_for_one_location_only_counts_that_location(
    client: httpx.AsyncClient, db: asyncpg.Connection, end_day: date
) -> None:
    start, end = end_day - timedelta(days=29), end_day
    response = await client.get(
        "/sales/summary", params=q(start=start, end=end, location_id="midtown")
    )
    body = response.json()
    expected = await db.fetchval(
        "SELECT sum(revenue_cents) FROM daily_sales "
        "WHERE location_id = 'midtown' AND day BETWEEN $1 AND $2",
        start,
        end,
    )
    assert body["totals"]["revenue_cents"] == expected
    assert [entry["location_id"] for entry in body["by_location"]] == ["midtown"]


async def test_daily_series_has_every_day_and_zero_outside_history(
    client: httpx.AsyncClient,
    end_day: date,
) -> None:
    start, end = end_day - timedelta(days=3), end_day + timedelta(days=2)
    response = await client.get("/sales/daily", params=q(start=start, end=end))
    points = response.json()["points"]
    assert [p["day"] for p in points] == [(start + timedelta(days=i)).isoformat() for i in range(6)]
    assert all(p["revenue_cents"] > 0 for p in points[:4])
    assert all(p["revenue_cents"] == 0 and p["orders"] == 0 for p in points[4:])
    assert points[0]["weekday"] == start.strftime("%A")


async def test_weekday_pattern_fridays_beat_mondays_at_old_town(
    client: httpx.AsyncClient,
    end_day: date,
) -> None:
    start = end_day - timedelta(days=90)
    response = await client.get(
        "/sales/daily", params=q(start=start, end=end_day, location_id="old-town")
    )
    points = response.json()["points"]
    mondays = [p["covers"] for p in points if p["weekday"] == "Monday"]
    fridays = [p["covers"] for p in points if p["weekday"] == "Friday"]
    assert sum(fridays) / len(fridays) > 1.3 * sum(mondays) / len(mondays)


async def test_riverside_dip_shows_in_period_comparison(
    client: httpx.AsyncClient, end_day: date
) -> None:
    dip = end_day - timedelta(days=seed.RIVERSIDE_DIP_DAYS_BEFORE_END)
    response = await client.get(
        "/sales/compare",
        params=q(
            current_start=end_day - timedelta(days=27),
            current_end=end_day,
            previous_start=dip - timedelta(days=28),
            previous_end=dip - timedelta(days=1),
        ),
    )
    assert response.status_code == 200
    body = response.json()
    worst = body["by_location"][0]
    assert worst["location_id"] == "riverside"
    assert worst["revenue"]["change_pct"] < -15
    others = [c for c in body["by_location"] if c["location_id"] not in ("riverside", "university")]
    assert all(c["revenue"]["change_pct"] > -12 for c in others)


async def test_top_catering_items_come_mostly_from_midtown(
    client: httpx.AsyncClient, end_day: date
) -> None:
    params = q(start=end_day - timedelta(days=60), end=end_day, category="catering")
    chain = (await client.get("/sales/top-items", params=params)).json()
    midtown = (
        await client.get("/sales/top-items", params={**params, "location_id": "midtown"})
    ).json()
    assert {item["category"] for item in chain["items"]} == {"catering"}
    assert [item["rank"] for item in chain["items"]] == list(range(1, len(chain["items"]) + 1))
    chain_revenue = sum(item["revenue_cents"] for item in chain["items"])
    midtown_revenue = sum(item["revenue_cents"] for item in midtown["items"])
    assert midtown_revenue > 0.4 * chain_revenue


async def test_top_items_rank_by_quantity_is_sorted_by_units(
    client: httpx.AsyncClient, end_day: date
) -> None:
    response = await client.get(
        "/sales/top-items",
        params=q(start=end_day - timedelta(days=6), end=end_day, rank_by="quantity", limit=5),
    )
    items = response.json()["items"]
    assert len(items) == 5
    assert [i["quantity"] for i in items] == sorted((i["quantity"] for i in items), reverse=True)


async def test_menu_filter_by_category(client: httpx.AsyncClient) -> None:
    response = await client.get("/menu-items", params={"category": "dessert"})
    assert {item["category"] for item in response.json()["items"]} == {"dessert"}


@pytest.mark.parametrize(
    ("path", "params", "slug"),
    [
        ("/sales/summary", {"start": "2026-11-22", "end": "2026-11-01"}, "invalid-date-range"),
        ("/sales/summary", {"start": "2024-01-01", "end": "2026-01-01"}, "invalid-date-range"),
        ("/sales/summary", {"start": "1900-01-01", "end": "1900-01-02"}, "invalid-date-range"),
        ("/sales/summary", {"start": "yesterday", "end": "2026-11-01"}, "validation-failed"),
        ("/sales/summary", {"start": "2026-02-30", "end": "2026-03-01"}, "validation-failed"),
        ("/sales/summary", {"end": "2026-11-01"}, "validation-failed"),
        (
            "/sales/daily",
            {"start": "2026-11-01", "end": "2026-11-02", "location_id": "A;DROP"},
            "validation-failed",
        ),
        (
            "/sales/daily",
            {"start": "2026-11-01", "end": "2026-11-02", "location_id": "x" * 5000},
            "validation-failed",
        ),
        (
            "/sales/top-items",
            {"start": "2026-11-01", "end": "2026-11-02", "limit": 0},
            "validation-failed",
        ),
        (
            "/sales/top-items",
            {"start": "2026-11-01", "end": "2026-11-02", "limit": "many"},
            "validation-failed",
        ),
        (
            "/sales/top-items",
            {"start": "2026-11-01", "end": "2026-11-02", "category": "pizza"},
            "validation-failed",
        ),
        (
            "/sales/compare",
            {
                "current_start": "2026-11-01",
                "current_end": "2026-11-02",
                "previous_start": "2026-10-05",
                "previous_end": "2026-10-01",
            },
            "invalid-date-range",
        ),
    ],
)
async def test_bad_input_is_a_problem_422(
    client: httpx.AsyncClient, path: str, params: dict[str, str | int], slug: str
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/" + slug)
    assert body["status"] == 422
    # The rejected value is never echoed back.
    assert "x" * 100 not in response.text


async def test_unknown_location_filter_is_404_not_empty(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/sales/summary",
        params={"start": "2026-11-01", "end": "2026-11-02", "location_id": "atlantis"},
    )
    assert response.status_code == 404


async def test_unknown_route_and_method_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    wrong = await client.delete("/locations")
    assert wrong.status_code == 405
    assert wrong.json()["type"].endswith("/method-not-allowed")


async def test_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/locations", content=b"x" * 200_000)
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")


async def test_writes_nothing_when_reading(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    before = await db.fetchval("SELECT count(*) FROM daily_sales")
    await client.get("/sales/summary", params={"start": "2026-11-22", "end": "2026-11-01"})
    await client.get("/sales/daily", params={"start": "x", "end": "y"})
    assert await db.fetchval("SELECT count(*) FROM daily_sales") == before


async def test_seed_is_deterministic_and_has_six_months() -> None:
    first = seed.generate(date(2026, 11, 22))
    second = seed.generate(date(2026, 11, 22))
    assert first == second
    days = {row[1] for row in first[0]}
    assert len(days) == seed.HISTORY_DAYS
    assert len(first[0]) == seed.HISTORY_DAYS * len(seed.LOCATIONS)
