from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from uuid import UUID

import asyncpg
import httpx
import pytest

PROBLEM = "application/problem+json"
LeadBody = Callable[..., dict[str, object]]
Counts = Callable[[], Awaitable[tuple[int, int]]]


async def _new_lead(client: httpx.AsyncClient, lead_body: LeadBody) -> str:
    response = await client.post("/leads", json=lead_body())
    assert response.status_code == 201
    lead_id: str = response.json()["id"]
    return lead_id


async def _move(
    client: httpx.AsyncClient, lead_id: str, stage: str, **extra: object
) -> httpx.Response:
    return await client.post(f"/leads/{lead_id}/stage", json={"stage": stage, **extra})


async def _history(db: asyncpg.Connection, lead_id: str) -> list[tuple[str | None, str]]:
    rows = await db.fetch(
        "SELECT from_stage, to_stage FROM lead_stage_events WHERE lead_id = $1 ORDER BY at, id",
        UUID(lead_id),
    )
    return [(row["from_stage"], row["to_stage"]) for row in rows]


async def test_a_lead_walks_the_whole_pipeline_to_won(
    client: httpx.AsyncClient, db: asyncpg.Connection, now: datetime, lead_body: LeadBody
) -> None:
    lead_id = await _new_lead(client, lead_body)
    for stage in ("contacted", "qualified", "proposal", "won"):
        response = await _move(client, lead_id, stage, note=f"Now {stage}.")
        assert response.status_code == 200, response.text
        lead = response.json()
        assert lead["stage"] == stage
        assert lead["history"][-1] == {
            "from_stage": lead["history"][-2]["to_stage"],
            "to_stage": stage,
            "at": "2026-11-23T10:00:00Z",
            "note": f"Now {stage}.",
        }
    assert await _history(db, lead_id) == [
        (None, "new"),
        ("new", "contacted"),
        ("contacted", "qualified"),
        ("qualified", "proposal"),
        ("proposal", "won"),
    ]
    row = await db.fetchrow(
        "SELECT stage, stage_changed_at, lost_reason FROM leads WHERE id = $1", UUID(lead_id)
    )
    assert row is not None
    assert (row["stage"], row["stage_changed_at"], row["lost_reason"]) == ("won", now, None)


async def test_losing_records_the_reason_and_reopening_clears_it(
    client: httpx.AsyncClient, db: asyncpg.Connection, lead_body: LeadBody
) -> None:
    lead_id = await _new_lead(client, lead_body)
    lost = await _move(client, lead_id, "lost", lost_reason="Chose a cheaper caterer.")
    assert lost.status_code == 200
    assert lost.json()["lost_reason"] == "Chose a cheaper caterer."
    assert (
        await db.fetchval("SELECT lost_reason FROM leads WHERE id = $1", UUID(lead_id))
        == "Chose a cheaper caterer."
    )

    reopened = await _move(client, lead_id, "contacted", note="They came back.")
    assert reopened.status_code == 200
    assert reopened.json()["lost_reason"] is None
    assert await _history(db, lead_id) == [
        (None, "new"),
        ("new", "lost"),
        ("lost", "contacted"),
    ]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "qualified"),
        ([], "proposal"),
        ([], "won"),
        (["contacted"], "new"),
        (["contacted"], "proposal"),
        (["contacted", "qualified"], "won"),
        (["contacted", "qualified", "proposal"], "contacted"),
        (["contacted", "qualified", "proposal", "won"], "lost"),
        (["contacted", "qualified", "proposal", "won"], "contacted"),
        (["lost"], "qualified"),
        (["lost"], "new"),
    ],
)
async def test_moves_outside_the_pipeline_are_refused_409_and_write_nothing(
    client: httpx.AsyncClient,
    db: asyncpg.Connection,
    path: list[str],
    target: str,
    counts: Counts,
    lead_body: LeadBody,
) -> None:
    lead_id = await _new_lead(client, lead_body)
    for stage in path:
        extra = {"lost_reason": "No budget."} if stage == "lost" else {}
        assert (await _move(client, lead_id, stage, **extra)).status_code == 200
    before = await counts()
    row_before = await db.fetchrow("SELECT * FROM leads WHERE id = $1", UUID(lead_id))

    extra = {"lost_reason": "Too late."} if target == "lost" else {}
    response = await _move(client, lead_id, target, **extra)
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/invalid-stage-transition")
    current = path[-1] if path else "new"
    assert body["from_stage"] == current
    assert body["to_stage"] == target
    assert target not in body["allowed"]
    assert await counts() == before
    assert await db.fetchrow("SELECT * FROM leads WHERE id = $1", UUID(lead_id)) == row_before


async def test_moving_to_the_current_stage_changes_nothing(
    client: httpx.AsyncClient, db: asyncpg.Connection, counts: Counts, lead_body: LeadBody
) -> None:
    lead_id = await _new_lead(client, lead_body)
    first = await _move(client, lead_id, "contacted", note="Called.")
    before = await counts()
    again = await _move(client, lead_id, "contacted", note="Called again.")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert await counts() == before


async def test_a_won_lead_cannot_be_lost_even_by_a_concurrent_move(
    client: httpx.AsyncClient, db: asyncpg.Connection, lead_body: LeadBody
) -> None:
    lead_id = await _new_lead(client, lead_body)
    for stage in ("contacted", "qualified", "proposal"):
        await _move(client, lead_id, stage)
    won, lost = await asyncio.gather(
        _move(client, lead_id, "won"),
        _move(client, lead_id, "lost", lost_reason="Went elsewhere."),
    )
    assert sorted([won.status_code, lost.status_code]) == [200, 409]
    history = await _history(db, lead_id)
    assert history[-1][0] == "proposal"
    assert [to for _, to in history].count("won") + [to for _, to in history].count("lost") == 1


async def test_stage_and_history_change_together_or_not_at_all(
    tolerant_client: httpx.AsyncClient, db: asyncpg.Connection, counts: Counts, lead_body: LeadBody
) -> None:
    lead_id = await _new_lead(tolerant_client, lead_body)
    # Make the history insert fail after the lead's row has been updated.
    await db.execute(
        """
        CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'history is read-only'; END $$;
        CREATE TRIGGER refuse_event BEFORE INSERT ON lead_stage_events
        FOR EACH ROW EXECUTE FUNCTION refuse_event();
        """
    )
    before = await counts()
    response = await _move(tolerant_client, lead_id, "contacted")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "read-only" not in response.text
    assert await db.fetchval("SELECT stage FROM leads WHERE id = $1", UUID(lead_id)) == "new"
    assert await counts() == before


async def test_moving_an_unknown_lead_is_404(client: httpx.AsyncClient) -> None:
    response = await _move(client, "00000000-0000-4000-8000-000000000000", "contacted")
    assert response.status_code == 404
    assert response.json()["type"].endswith("/lead-not-found")


async def test_moving_a_malformed_lead_id_is_422(client: httpx.AsyncClient) -> None:
    response = await _move(client, "1234", "contacted")
    assert response.status_code == 422


async def test_moved_since_lists_the_leads_whose_stage_changed_from_that_day(
    client: httpx.AsyncClient, db: asyncpg.Connection, now: datetime, lead_body: LeadBody
) -> None:
    moved = await _new_lead(client, lead_body)
    assert (await _move(client, moved, "contacted")).status_code == 200
    # Another lead whose last change was two days before the clock's day.
    untouched = await _new_lead(client, lead_body)
    await db.execute(
        "UPDATE leads SET stage_changed_at = $2::timestamptz - interval '2 days' WHERE id = $1",
        UUID(untouched),
        now,
    )
    today = now.date().isoformat()
    response = await client.get("/leads", params={"moved_since": today, "limit": 100})
    assert response.status_code == 200, response.text
    ids = {lead["id"] for lead in response.json()["items"]}
    assert moved in ids
    assert untouched not in ids
    assert all(lead["stage_changed_at"] >= today for lead in response.json()["items"])

    refused = await client.get("/leads", params={"moved_since": "yesterday"})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith(PROBLEM)
