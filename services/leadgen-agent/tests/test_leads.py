from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import httpx

LeadBody = Callable[..., dict[str, object]]
Counts = Callable[[], Awaitable[tuple[int, int]]]


async def test_created_lead_is_stored_new_with_its_first_history_event(
    client: httpx.AsyncClient,
    db: asyncpg.Connection,
    lead_body: LeadBody,
    counts: Counts,
    now: datetime,
) -> None:
    before = await counts()
    response = await client.post("/leads", json=lead_body())
    assert response.status_code == 201
    lead = response.json()
    assert lead["stage"] == "new"
    assert lead["score"] is None
    assert lead["stale"] is False
    assert lead["days_in_stage"] == 0
    assert lead["created_at"] == lead["stage_changed_at"] == "2026-11-23T10:00:00Z"

    row = await db.fetchrow("SELECT * FROM leads WHERE id = $1", UUID(lead["id"]))
    assert row is not None
    assert row["company"] == "Tejo Analytics, Lda."
    assert row["email"] == "marta.figueiredo@tejo-analytics.pt"
    assert row["kind"] == "catering"
    assert row["headcount"] == 40
    assert row["budget_cents"] == 90_000
    assert row["event_date"].isoformat() == "2026-12-10"
    assert row["preferred_location_id"] == "midtown"
    assert row["stage"] == "new"
    assert row["created_at"] == now
    events = await db.fetch(
        "SELECT from_stage, to_stage, at FROM lead_stage_events WHERE lead_id = $1",
        UUID(lead["id"]),
    )
    assert [(e["from_stage"], e["to_stage"], e["at"]) for e in events] == [(None, "new", now)]
    assert await counts() == (before[0] + 1, before[1] + 1)


async def test_optional_fields_may_be_left_out_and_text_is_trimmed(
    client: httpx.AsyncClient, db: asyncpg.Connection, lead_body: LeadBody
) -> None:
    response = await client.post(
        "/leads",
        json=lead_body(
            "phone",
            "budget_cents",
            "event_date",
            "notes",
            company="  Alfama Labs  ",
            kind="corporate_account",
        ),
    )
    assert response.status_code == 201
    lead = response.json()
    assert lead["company"] == "Alfama Labs"
    assert lead["phone"] is None
    assert lead["budget_cents"] is None
    assert lead["event_date"] is None
    assert lead["notes"] == ""
    assert (
        await db.fetchval("SELECT company FROM leads WHERE id = $1", UUID(lead["id"]))
        == "Alfama Labs"
    )


async def test_an_event_today_is_accepted(client: httpx.AsyncClient, lead_body: LeadBody) -> None:
    response = await client.post("/leads", json=lead_body(event_date="2026-11-23"))
    assert response.status_code == 201


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


async def test_pages_walk_every_lead_newest_first_without_gaps_or_repeats(
    client: httpx.AsyncClient, db: asyncpg.Connection, lead_body: LeadBody
) -> None:
    # Two leads with the same creation instant: the id breaks the tie across pages.
    for company in ("Twin One", "Twin Two"):
        assert (await client.post("/leads", json=lead_body(company=company))).status_code == 201
    expected = [
        str(row["id"])
        for row in await db.fetch("SELECT id FROM leads ORDER BY created_at DESC, id DESC")
    ]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/leads", params=params)).json()
        assert len(page["items"]) <= 7
        seen.extend(item["id"] for item in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    assert len(set(seen)) == len(seen)
    assert pages == -(-len(expected) // 7)


async def test_a_lead_created_while_paging_does_not_shift_later_pages(
    client: httpx.AsyncClient, db: asyncpg.Connection, lead_body: LeadBody
) -> None:
    first = (await client.get("/leads", params={"limit": 10})).json()
    await client.post("/leads", json=lead_body(company="Arrived Meanwhile"))
    second = (
        await client.get("/leads", params={"limit": 10, "cursor": first["next_cursor"]})
    ).json()
    expected = [
        str(row["id"])
        for row in await db.fetch(
            "SELECT id FROM leads WHERE company <> 'Arrived Meanwhile' "
            "ORDER BY created_at DESC, id DESC LIMIT 20"
        )
    ]
    assert [i["id"] for i in first["items"] + second["items"]] == expected


async def test_search_treats_like_wildcards_literally(
    client: httpx.AsyncClient, db: asyncpg.Connection, lead_body: LeadBody
) -> None:
    await client.post("/leads", json=lead_body(company="100% Pure_Juice, Lda."))
    assert len(await _ids(client, q="100%")) == 1
    assert len(await _ids(client, q="pure_j")) == 1
    # Unescaped, `%` and `_` would match every lead.
    assert await _ids(client, q="%") == await _ids(client, q="100% Pure")
    assert await _ids(client, q="_") == await _ids(client, q="Pure_")
    assert await _ids(client, q="\\") == []


async def test_pipeline_summary_follows_writes(
    client: httpx.AsyncClient, lead_body: LeadBody
) -> None:
    before = (await client.get("/leads/pipeline", params={"start": "2026-11-23"})).json()
    await client.post("/leads", json=lead_body(budget_cents=50_000))
    after = (await client.get("/leads/pipeline", params={"start": "2026-11-23"})).json()
    assert after["stages"][0]["leads"] == before["stages"][0]["leads"] + 1
    assert after["stages"][0]["budget_cents"] == before["stages"][0]["budget_cents"] + 50_000
    assert after["open_leads"] == before["open_leads"] + 1
    assert after["period"]["created"] == before["period"]["created"] + 1
