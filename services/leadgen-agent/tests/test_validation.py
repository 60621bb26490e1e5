from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

PROBLEM = "application/problem+json"
HUGE = "x" * 5000
LeadBody = Callable[..., dict[str, object]]
Counts = Callable[[], Awaitable[tuple[int, int]]]


@pytest.fixture(scope="module")
def database_url(shared_database_url: str) -> str:
    """Every request here is refused: one database for the module."""
    return shared_database_url


async def _seeded_new_lead(db: asyncpg.Connection) -> UUID:
    lead_id: UUID = await db.fetchval(
        "SELECT id FROM leads WHERE stage = 'new' ORDER BY created_at LIMIT 1"
    )
    return lead_id


#: Changes to a valid body (`...` leaves the field out) and the problem they cause.
BAD_LEADS: dict[str, tuple[dict[str, object], str]] = {
    "headcount-zero": ({"headcount": 0}, "validation-failed"),
    "headcount-too-big": ({"headcount": 5001}, "validation-failed"),
    "headcount-text": ({"headcount": "forty"}, "validation-failed"),
    "headcount-fraction": ({"headcount": 4.5}, "validation-failed"),
    "headcount-missing": ({"headcount": ...}, "validation-failed"),
    "email-no-at": ({"email": "marta.tejo-analytics.pt"}, "validation-failed"),
    "email-no-domain-dot": ({"email": "marta@localhost"}, "validation-failed"),
    "email-space": ({"email": "marta figueiredo@tejo.pt"}, "validation-failed"),
    "email-two-ats": ({"email": "marta@@tejo.pt"}, "validation-failed"),
    "email-oversized": ({"email": "m" * 60 + "@" + "t" * 200 + ".pt"}, "validation-failed"),
    "email-number": ({"email": 42}, "validation-failed"),
    "unknown-location": ({"preferred_location_id": "atlantis"}, "validation-failed"),
    "location-missing": ({"preferred_location_id": ...}, "validation-failed"),
    "unknown-kind": ({"kind": "wedding"}, "validation-failed"),
    "unknown-source": ({"source": "billboard"}, "validation-failed"),
    "company-empty": ({"company": ""}, "validation-failed"),
    "company-blank": ({"company": "    "}, "validation-failed"),
    "company-oversized": ({"company": HUGE}, "validation-failed"),
    "company-missing": ({"company": ...}, "validation-failed"),
    "contact-oversized": ({"contact_name": "y" * 121}, "validation-failed"),
    "notes-oversized": ({"notes": "n" * 2001}, "validation-failed"),
    "phone-words": ({"phone": "call me maybe"}, "validation-failed"),
    "budget-negative": ({"budget_cents": -1}, "validation-failed"),
    "budget-absurd": ({"budget_cents": 10**12}, "validation-failed"),
    "budget-text": ({"budget_cents": "lots"}, "validation-failed"),
    "event-date-yesterday": ({"event_date": "2026-11-22"}, "invalid-event-date"),
    "event-date-far-future": ({"event_date": "2030-01-01"}, "invalid-event-date"),
    "event-date-impossible": ({"event_date": "2026-02-30"}, "validation-failed"),
    "event-date-words": ({"event_date": "next friday"}, "validation-failed"),
    "extra-field-stage": ({"stage": "won"}, "validation-failed"),
    "extra-field-score": ({"score": 100}, "validation-failed"),
}


@pytest.mark.parametrize(("changes", "slug"), BAD_LEADS.values(), ids=BAD_LEADS.keys())
async def test_bad_leads_are_problems_422_and_write_nothing(
    client: httpx.AsyncClient,
    lead_body: LeadBody,
    counts: Counts,
    changes: dict[str, object],
    slug: str,
) -> None:
    omitted = [field for field, value in changes.items() if value is ...]
    body = lead_body(*omitted, **{k: v for k, v in changes.items() if v is not ...})
    before = await counts()
    response = await client.post("/leads", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert problem["type"].endswith("/" + slug)
    # The rejected value is never echoed back.
    assert HUGE[:100] not in response.text
    assert await counts() == before


@pytest.mark.parametrize("body", [["company", "Tejo"], None, "lead", 42], ids=repr)
async def test_a_body_that_is_not_an_object_is_422(
    client: httpx.AsyncClient, counts: Counts, body: object
) -> None:
    before = await counts()
    response = await client.post("/leads", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert await counts() == before


@pytest.mark.parametrize(
    "body",
    [
        {"stage": "lost"},
        {"stage": "lost", "lost_reason": "   "},
        {"stage": "contacted", "lost_reason": "Why?"},
        {"stage": "closed"},
        {"stage": "contacted", "note": "x" * 1001},
        {"stage": "contacted", "owner": "rui"},
        {},
        {"stage": 3},
    ],
    ids=[
        "lost-without-reason",
        "blank-reason",
        "reason-when-not-lost",
        "unknown-stage",
        "oversized-note",
        "extra-field",
        "empty",
        "stage-number",
    ],
)
async def test_bad_stage_updates_are_problems_and_write_nothing(
    client: httpx.AsyncClient, db: asyncpg.Connection, body: dict[str, object], counts: Counts
) -> None:
    lead_id = await _seeded_new_lead(db)
    before = await counts()
    response = await client.post(f"/leads/{lead_id}/stage", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/validation-failed")
    assert await counts() == before
    assert await db.fetchval("SELECT stage FROM leads WHERE id = $1", lead_id) == "new"


async def test_a_body_that_is_not_json_is_422(
    client: httpx.AsyncClient, db: asyncpg.Connection, counts: Counts
) -> None:
    before = await counts()
    response = await client.post(
        "/leads", content=b"company=Tejo", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert await counts() == before


async def test_an_oversized_body_is_413(
    client: httpx.AsyncClient, db: asyncpg.Connection, lead_body: LeadBody, counts: Counts
) -> None:
    before = await counts()
    response = await client.post("/leads", json=lead_body(notes="n" * 100_000))
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")
    assert await counts() == before


async def test_validation_problems_name_every_bad_field(
    client: httpx.AsyncClient, lead_body: LeadBody
) -> None:
    response = await client.post(
        "/leads", json=lead_body(headcount=0, email="nope", preferred_location_id="atlantis")
    )
    fields = {tuple(error["loc"]) for error in response.json()["errors"]}
    assert fields == {
        ("body", "headcount"),
        ("body", "email"),
        ("body", "preferred_location_id"),
    }


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "all"},
        {"min_score": 101},
        {"min_score": -1},
        {"stage": "closed"},
        {"stage": ["new", "bogus"]},
        {"kind": "wedding"},
        {"location": "atlantis"},
        {"stale": "sometimes"},
        {"q": ""},
        {"q": "q" * 101},
    ],
)
async def test_bad_list_queries_are_problems_422(
    client: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    response = await client.get("/leads", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/validation-failed")


async def test_unknown_routes_and_methods_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/prospects")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    wrong = await client.delete("/leads")
    assert wrong.status_code == 405
    assert wrong.json()["type"].endswith("/method-not-allowed")
