"""Reading leads: one, a page, filters, cursors. Nothing here writes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from leadgen_agent.services.leads import local_today
from meshkit.pagination import encode_cursor

PROBLEM = "application/problem+json"
Counts = Callable[[], Awaitable[tuple[int, int]]]


@pytest.fixture(scope="module")
def database_url(shared_database_url: str) -> str:
    return shared_database_url


async def _ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    """Every lead id the filters select, walking all pages."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        query: dict[str, Any] = {**params, "limit": 100}
        if cursor:
            query["cursor"] = cursor
        response = await client.get("/leads", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        ids.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


async def test_get_lead_returns_it_with_its_history_oldest_first(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    lead_id = await db.fetchval(
        "SELECT lead_id FROM lead_stage_events GROUP BY lead_id ORDER BY count(*) DESC, lead_id "
        "LIMIT 1"
    )
    response = await client.get(f"/leads/{lead_id}")
    assert response.status_code == 200
    lead = response.json()
    events = await db.fetch(
        "SELECT from_stage, to_stage, note FROM lead_stage_events WHERE lead_id = $1 "
        "ORDER BY at, id",
        lead_id,
    )
    assert [(h["from_stage"], h["to_stage"], h["note"]) for h in lead["history"]] == [
        (e["from_stage"], e["to_stage"], e["note"]) for e in events
    ]
    assert lead["history"][0]["from_stage"] is None
    assert lead["stage"] == lead["history"][-1]["to_stage"]
    assert len(lead["history"]) >= 4


async def test_unknown_lead_is_a_problem_404(client: httpx.AsyncClient) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    response = await client.get(f"/leads/{missing}")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/lead-not-found")
    assert body["lead_id"] == missing


async def test_malformed_lead_id_is_a_problem_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/leads/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["type"].endswith("/validation-failed")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "bm90IGpzb24",  # "not json", base64-encoded
        encode_cursor("2026-11-20T10:21:00+00:00"),
        encode_cursor("x", "y"),
        encode_cursor(1, 2),
        encode_cursor("2026-11-20T10:21:00", "5eb03973-8f9e-4f88-aeca-5eb9c188e05a"),
        "x" * 201,
    ],
    ids=["not-base64", "not-json", "arity", "strings", "numbers", "naive-time", "oversized"],
)
async def test_a_cursor_we_did_not_issue_is_a_problem_422(
    client: httpx.AsyncClient, cursor: str
) -> None:
    response = await client.get("/leads", params={"cursor": cursor})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    slug = "validation-failed" if len(cursor) > 200 else "invalid-cursor"
    assert response.json()["type"].endswith("/" + slug)


async def test_stage_filter_is_repeatable(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    ids = await _ids(client, stage=["won", "proposal"])
    expected = await db.fetchval("SELECT count(*) FROM leads WHERE stage IN ('won', 'proposal')")
    assert len(ids) == expected > 0
    stages = await db.fetch("SELECT DISTINCT stage FROM leads WHERE id = ANY($1::uuid[])", ids)
    assert {row["stage"] for row in stages} == {"won", "proposal"}


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"kind": "corporate_account"}, "kind = 'corporate_account'"),
        ({"location": "university"}, "preferred_location_id = 'university'"),
        ({"min_score": 65}, "score >= 65"),
        (
            {"stale": "true"},
            "stage IN ('new', 'contacted', 'qualified', 'proposal') "
            "AND stage_changed_at < '2026-11-09T10:00:00Z'",
        ),
        (
            {"stale": "false"},
            "NOT (stage IN ('new', 'contacted', 'qualified', 'proposal') "
            "AND stage_changed_at < '2026-11-09T10:00:00Z')",
        ),
        (
            {"kind": "catering", "location": "midtown", "stage": "lost"},
            "kind = 'catering' AND preferred_location_id = 'midtown' AND stage = 'lost'",
        ),
        ({"q": "design"}, "company ILIKE '%design%' OR contact_name ILIKE '%design%'"),
        ({"q": "JOANA"}, "company ILIKE '%joana%' OR contact_name ILIKE '%joana%'"),
    ],
)
async def test_filters_select_exactly_the_matching_leads(
    client: httpx.AsyncClient, db: asyncpg.Connection, params: dict[str, object], where: str
) -> None:
    ids = await _ids(client, **params)
    expected = [
        str(row["id"])
        for row in await db.fetch(
            f"SELECT id FROM leads WHERE {where} ORDER BY created_at DESC, id DESC"
        )
    ]
    assert ids == expected
    assert expected, "the seed should give every filter something to find"


async def test_stale_leads_are_flagged_relative_to_now(
    client: httpx.AsyncClient, now: datetime
) -> None:
    page = (await client.get("/leads", params={"stale": "true", "limit": 100})).json()
    assert page["items"]
    for lead in page["items"]:
        assert lead["stale"] is True
        assert lead["stage"] in {"new", "contacted", "qualified", "proposal"}
        assert lead["days_in_stage"] >= 14
        changed = datetime.fromisoformat(lead["stage_changed_at"])
        assert now - changed > timedelta(days=14)


async def test_reading_writes_nothing(
    client: httpx.AsyncClient, db: asyncpg.Connection, counts: Counts
) -> None:
    before = await counts()
    await _ids(client, stale="true")
    await client.get("/leads/pipeline")
    lead_id = await db.fetchval("SELECT id FROM leads LIMIT 1")
    await client.get(f"/leads/{lead_id}")
    assert await counts() == before


def test_today_is_the_chains_local_day() -> None:
    lisbon = ZoneInfo("Europe/Lisbon")
    # 23:30 UTC on 1 July is already 2 July in Lisbon (summer time).
    assert local_today(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), lisbon).isoformat() == (
        "2026-07-02"
    )
    assert local_today(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), lisbon).isoformat() == (
        "2026-12-01"
    )
