from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise

import asyncpg
import httpx
import pytest

PROBLEM = "application/problem+json"
OPEN = ("new", "contacted", "qualified", "proposal")


@pytest.fixture(scope="module")
def database_url(shared_database_url: str) -> str:
    """Every test here only reads: one database for the module."""
    return shared_database_url


async def _expected_stages(
    db: asyncpg.Connection, location: str | None
) -> dict[str, tuple[int, int]]:
    rows = await db.fetch(
        "SELECT stage, count(*) AS n, coalesce(sum(budget_cents), 0) AS budget FROM leads "
        "WHERE $1::text IS NULL OR preferred_location_id = $1 GROUP BY stage",
        location,
    )
    return {row["stage"]: (row["n"], row["budget"]) for row in rows}


@pytest.mark.parametrize("location", [None, "midtown", "airport"])
async def test_stage_counts_and_budgets_equal_the_rows(
    client: httpx.AsyncClient, db: asyncpg.Connection, location: str | None
) -> None:
    params = {"location": location} if location else {}
    response = await client.get("/leads/pipeline", params=params)
    assert response.status_code == 200
    summary = response.json()
    expected = await _expected_stages(db, location)
    assert [s["stage"] for s in summary["stages"]] == [*OPEN, "won", "lost"]
    for stage in summary["stages"]:
        assert (stage["leads"], stage["budget_cents"]) == expected.get(stage["stage"], (0, 0))
    assert summary["open_leads"] == sum(expected.get(s, (0, 0))[0] for s in OPEN)
    assert summary["open_budget_cents"] == sum(expected.get(s, (0, 0))[1] for s in OPEN)
    won, lost = expected.get("won", (0, 0))[0], expected.get("lost", (0, 0))[0]
    if won + lost:
        assert summary["conversion_rate"] == pytest.approx(won / (won + lost), abs=1e-4)
    else:
        assert summary["conversion_rate"] is None
    assert summary["location_id"] == location
    assert summary["as_of"] == "2026-11-23T10:00:00Z"
    assert summary["period"] is None


async def test_stale_leads_are_the_open_ones_untouched_for_14_days(
    client: httpx.AsyncClient, db: asyncpg.Connection, now: datetime
) -> None:
    summary = (await client.get("/leads/pipeline")).json()
    rows = await db.fetch(
        "SELECT id, stage_changed_at FROM leads WHERE stage = ANY($1) AND stage_changed_at < $2 "
        "ORDER BY stage_changed_at, id",
        list(OPEN),
        now - timedelta(days=14),
    )
    assert summary["stale_after_days"] == 14
    assert summary["stale_count"] == len(rows) > 0
    assert [s["id"] for s in summary["stale_leads"]] == [str(r["id"]) for r in rows][:25]
    for entry, row in zip(summary["stale_leads"], rows, strict=False):
        assert entry["days_since_change"] == (now - row["stage_changed_at"]).days >= 14
        assert entry["stage"] in OPEN


async def test_average_days_per_stage_are_over_completed_stays(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    summary = (await client.get("/leads/pipeline")).json()
    events = await db.fetch("SELECT lead_id, to_stage, at FROM lead_stage_events ORDER BY at, id")
    by_lead: dict[object, list[asyncpg.Record]] = {}
    for event in events:
        by_lead.setdefault(event["lead_id"], []).append(event)
    stays: dict[str, list[float]] = {}
    for history in by_lead.values():
        for current, following in pairwise(history):
            days = (following["at"] - current["at"]).total_seconds() / 86400
            stays.setdefault(current["to_stage"], []).append(days)
    for stage in summary["stages"]:
        observed = stays.get(stage["stage"])
        if observed:
            assert stage["average_days_in_stage"] == pytest.approx(
                sum(observed) / len(observed), abs=0.05
            )
        else:
            assert stage["average_days_in_stage"] is None
    # Won is final: nobody ever leaves it.
    assert summary["stages"][4]["average_days_in_stage"] is None


async def test_period_counts_leads_created_won_and_lost_on_local_days(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    start, end = date(2026, 10, 1), date(2026, 10, 31)
    response = await client.get(
        "/leads/pipeline", params={"start": start.isoformat(), "end": end.isoformat()}
    )
    period = response.json()["period"]
    created = await db.fetchval(
        "SELECT count(*) FROM leads "
        "WHERE (created_at AT TIME ZONE 'Europe/Lisbon')::date BETWEEN $1 AND $2",
        start,
        end,
    )
    closed = {
        stage: await db.fetchval(
            "SELECT count(DISTINCT lead_id) FROM lead_stage_events WHERE to_stage = $3 "
            "AND (at AT TIME ZONE 'Europe/Lisbon')::date BETWEEN $1 AND $2",
            start,
            end,
            stage,
        )
        for stage in ("won", "lost")
    }
    won, lost = closed["won"], closed["lost"]
    assert period == {
        "start": "2026-10-01",
        "end": "2026-10-31",
        "created": created,
        "won": won,
        "lost": lost,
    }
    assert created > 0
    assert won + lost > 0


async def test_period_without_end_runs_to_today(client: httpx.AsyncClient) -> None:
    response = await client.get("/leads/pipeline", params={"start": "2026-11-01"})
    assert response.json()["period"]["end"] == "2026-11-23"


@pytest.mark.parametrize(
    ("params", "slug"),
    [
        ({"start": "2026-11-22", "end": "2026-11-01"}, "invalid-date-range"),
        ({"start": "2024-01-01", "end": "2026-01-01"}, "invalid-date-range"),
        ({"start": "1999-12-31"}, "invalid-date-range"),
        ({"end": "2026-11-01"}, "invalid-date-range"),
        ({"start": "last week"}, "validation-failed"),
        ({"location": "atlantis"}, "validation-failed"),
    ],
)
async def test_bad_pipeline_queries_are_problems_422(
    client: httpx.AsyncClient, params: dict[str, str], slug: str
) -> None:
    response = await client.get("/leads/pipeline", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/" + slug)
