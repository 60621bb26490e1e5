from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from meshkit.pagination import encode_cursor
from review_agent import seed

PROBLEM = "application/problem+json"


async def walk(client: httpx.AsyncClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every review a filter matches, following cursors to the last page."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(100):
        response = await client.get(
            "/reviews", params={**params, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= params.get("limit", 20)
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


async def test_seed_has_half_a_year_of_reviews_at_every_location(
    read_db: asyncpg.Connection, end_day: date
) -> None:
    total = await read_db.fetchval("SELECT count(*) FROM reviews")
    assert 900 <= total <= 1400
    per_location = {
        row["location_id"]: row["count"]
        for row in await read_db.fetch(
            "SELECT location_id, count(*) FROM reviews GROUP BY location_id"
        )
    }
    assert set(per_location) == {loc.id for loc in seed.LOCATIONS}
    assert min(per_location.values()) >= 80
    span = await read_db.fetchrow(
        "SELECT min((created_at AT TIME ZONE 'Europe/Lisbon')::date), "
        "max((created_at AT TIME ZONE 'Europe/Lisbon')::date) FROM reviews"
    )
    assert span is not None
    first, last = span
    assert first == end_day - timedelta(days=seed.HISTORY_DAYS - 1)
    assert last == end_day
    sources = {row["source"] for row in await read_db.fetch("SELECT DISTINCT source FROM reviews")}
    assert sources == {"google", "tripadvisor", "thefork", "in_app"}
    posted = await read_db.fetchval("SELECT count(*) FROM review_replies WHERE status = 'posted'")
    assert 0.2 * total < posted < 0.5 * total
    # No markup anywhere in the demo text.
    assert not await read_db.fetchval("SELECT count(*) FROM reviews WHERE body ~ '[<>]'")


async def test_seed_runs_once(db: asyncpg.Connection, end_day: date) -> None:
    before = await db.fetchval("SELECT count(*) FROM reviews")
    async with db.transaction():
        assert await seed.seed(db, end_day) is False
    assert await db.fetchval("SELECT count(*) FROM reviews") == before


async def test_pages_walk_every_review_newest_first_without_gaps_or_duplicates(
    reader: httpx.AsyncClient, read_db: asyncpg.Connection
) -> None:
    items = await walk(reader, {"limit": 100})
    ids = [item["id"] for item in items]
    expected = await read_db.fetch("SELECT id FROM reviews ORDER BY created_at DESC, id DESC")
    assert ids == [str(row["id"]) for row in expected]
    assert len(set(ids)) == len(ids)
    stamps = [item["created_at"] for item in items]
    assert stamps == sorted(stamps, reverse=True)


async def test_small_pages_over_one_location_agree_with_one_big_page(
    reader: httpx.AsyncClient,
) -> None:
    small = await walk(reader, {"location_id": "midtown", "limit": 7})
    big = await walk(reader, {"location_id": "midtown", "limit": 100})
    assert [item["id"] for item in small] == [item["id"] for item in big]
    assert {item["location_id"] for item in small} == {"midtown"}


async def test_a_review_written_between_pages_does_not_shift_the_next_page(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.get("/reviews", params={"limit": 5})).json()
    created = await client.post(
        "/reviews",
        json={
            "location_id": "old-town",
            "rating": 5,
            "body": "Lovely caldo verde.",
            "author": "Rita P.",
        },
    )
    assert created.status_code == 201
    second = (
        await client.get("/reviews", params={"limit": 5, "cursor": first["next_cursor"]})
    ).json()
    seen = {item["id"] for item in first["items"]}
    assert not seen & {item["id"] for item in second["items"]}
    assert created.json()["id"] not in {item["id"] for item in second["items"]}


@pytest.mark.parametrize(
    ("params", "where", "args"),
    [
        ({"location_id": "airport"}, "location_id = $1", ["airport"]),
        ({"min_rating": 4}, "rating >= $1", [4]),
        ({"max_rating": 2}, "rating <= $1", [2]),
        ({"min_rating": 3, "max_rating": 3}, "rating = $1", [3]),
        ({"source": "thefork"}, "source = $1", ["thefork"]),
        ({"sentiment": "negative"}, "sentiment = $1", ["negative"]),
        ({"theme": "price_value"}, "$1 = ANY (themes)", ["price_value"]),
        (
            {"start": "2026-10-01", "end": "2026-10-31"},
            "(created_at AT TIME ZONE 'Europe/Lisbon')::date BETWEEN $1 AND $2",
            [date(2026, 10, 1), date(2026, 10, 31)],
        ),
        (
            {"start": "2026-11-20"},
            "(created_at AT TIME ZONE 'Europe/Lisbon')::date >= $1",
            [date(2026, 11, 20)],
        ),
        (
            {"needs_reply": "true"},
            "NOT EXISTS (SELECT 1 FROM review_replies p WHERE p.review_id = reviews.id "
            "AND p.status = 'posted')",
            [],
        ),
        (
            {"needs_reply": "false"},
            "EXISTS (SELECT 1 FROM review_replies p WHERE p.review_id = reviews.id "
            "AND p.status = 'posted')",
            [],
        ),
        (
            {"location_id": "riverside", "sentiment": "negative", "theme": "management"},
            "location_id = $1 AND sentiment = $2 AND $3 = ANY (themes)",
            ["riverside", "negative", "management"],
        ),
        ({"q": "COLD"}, "(title || ' ' || body) ILIKE $1", ["%cold%"]),
    ],
)
async def test_filters_return_exactly_the_matching_rows(
    reader: httpx.AsyncClient,
    read_db: asyncpg.Connection,
    params: dict[str, Any],
    where: str,
    args: list[Any],
) -> None:
    items = await walk(reader, {**params, "limit": 100})
    expected = await read_db.fetch(f"SELECT id FROM reviews WHERE {where}", *args)
    assert expected, "the filter should match something in the demo data"
    assert sorted(item["id"] for item in items) == sorted(str(row["id"]) for row in expected)


async def test_needs_reply_lists_reviews_without_a_posted_reply(
    reader: httpx.AsyncClient,
) -> None:
    waiting = (await reader.get("/reviews", params={"needs_reply": "true", "limit": 50})).json()
    assert {item["reply_status"] for item in waiting["items"]} <= {"none", "draft"}
    answered = (await reader.get("/reviews", params={"needs_reply": "false", "limit": 50})).json()
    assert {item["reply_status"] for item in answered["items"]} == {"posted"}
    assert all(item["reply_text"] and item["replied_at"] for item in answered["items"])


async def test_text_search_takes_percent_and_underscore_literally(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    bodies = {
        "percent": "Honestly 100% worth it, the sea bass was superb.",
        "underscore": "The wifi network is called copper_pot_guest, handy.",
        "backslash": "Someone wrote C:\\menu on the board.",
        "plain": "One hundred percent lovely evening.",
    }
    for body in bodies.values():
        response = await client.post(
            "/reviews",
            json={"location_id": "midtown", "rating": 5, "body": body, "author": "Sam K."},
        )
        assert response.status_code == 201
    assert await db.fetchval("SELECT count(*) FROM reviews WHERE body LIKE '%\\%%'") == 1

    async def found(q: str) -> list[str]:
        return [item["body"] for item in await walk(client, {"q": q, "limit": 100})]

    assert await found("%") == [bodies["percent"]]
    assert await found("0% w") == [bodies["percent"]]
    assert await found("_") == [bodies["underscore"]]
    assert await found("copper_pot") == [bodies["underscore"]]
    assert await found("\\") == [bodies["backslash"]]
    assert await found("100%25") == []
    assert set(await found("PERCENT")) == {bodies["plain"]}


async def test_get_review_shows_its_posted_reply(
    reader: httpx.AsyncClient, read_db: asyncpg.Connection
) -> None:
    row = await read_db.fetchrow(
        "SELECT r.id, r.rating, r.body, p.body AS reply, p.posted_at FROM reviews r "
        "JOIN review_replies p ON p.review_id = r.id AND p.status = 'posted' "
        "ORDER BY r.created_at LIMIT 1"
    )
    assert row is not None
    response = await reader.get(f"/reviews/{row['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(row["id"])
    assert body["rating"] == row["rating"]
    assert body["body"] == row["body"]
    assert body["reply_status"] == "posted"
    assert body["reply_text"] == row["reply"]
    assert datetime.fromisoformat(body["replied_at"]) == row["posted_at"]


async def test_unknown_review_is_a_problem_404(reader: httpx.AsyncClient) -> None:
    review_id = uuid.uuid4()
    response = await reader.get(f"/reviews/{review_id}")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/review-not-found")
    assert body["review_id"] == str(review_id)


@pytest.mark.parametrize("review_id", ["not-a-uuid", "1234", "' OR 1=1 --"])
async def test_malformed_review_id_is_a_problem_422(
    reader: httpx.AsyncClient, review_id: str
) -> None:
    response = await reader.get(f"/reviews/{review_id}")
    assert response.status_code == 422
    assert response.json()["type"].endswith("/validation-failed")


async def test_create_review_stores_it_with_sentiment_and_themes(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    written = datetime(2026, 11, 21, 20, 15, tzinfo=UTC)
    payload = {
        "location_id": "riverside",
        "rating": 2,
        "title": "Slow night",
        "body": "We waited 50 minutes for our mains and the bacalhau arrived lukewarm. "
        "The waiter was friendly though.",
        "author": "Marta S.",
        "source": "in_app",
        "created_at": written.isoformat(),
    }
    response = await client.post("/reviews", json=payload)
    assert response.status_code == 201
    body = response.json()
    assert body["sentiment"] == "negative"
    assert body["themes"] == [
        "service_speed",  # "Slow night": the title is read too
        "waiting_time",
        "food_temperature",
        "staff_friendliness",
    ]
    assert body["location_name"] == "Riverside"
    assert body["reply_status"] == "none"
    row = await db.fetchrow("SELECT * FROM reviews WHERE id = $1", uuid.UUID(body["id"]))
    assert row is not None
    assert row["rating"] == 2
    assert row["title"] == "Slow night"
    assert row["created_at"] == written
    assert row["sentiment"] == "negative"
    assert list(row["themes"]) == body["themes"]
    assert (await client.get(f"/reviews/{body['id']}")).json() == body


async def test_create_review_defaults_to_now_and_trims_text(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    before = datetime.now(UTC)
    response = await client.post(
        "/reviews",
        json={
            "location_id": "harbour-front",
            "rating": 5,
            "author": "  Léa B. ",
            "body": "  Stunning views and the freshest prawns.  ",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["author"] == "Léa B."
    assert body["body"] == "Stunning views and the freshest prawns."
    assert body["source"] == "in_app"
    assert body["title"] == ""
    assert body["sentiment"] == "positive"
    assert body["themes"] == ["food_quality", "ambience_views"]
    created = datetime.fromisoformat(body["created_at"])
    assert before - timedelta(seconds=5) <= created <= datetime.now(UTC) + timedelta(seconds=5)


async def test_paragraphs_survive_in_the_body(client: httpx.AsyncClient) -> None:
    body = "Lovely lunch.\r\n\r\nThe octopus salad was fresh.\n\tWe will be back."
    response = await client.post(
        "/reviews", json={"location_id": "old-town", "rating": 5, "body": body, "author": "Ines"}
    )
    assert response.status_code == 201
    assert response.json()["body"] == body


def _future() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).isoformat()


_VALID = {"location_id": "midtown", "rating": 4, "body": "Good lunch.", "author": "Tom R."}


@pytest.mark.parametrize(
    ("payload", "slug"),
    [
        ({**_VALID, "rating": "five"}, "validation-failed"),
        ({**_VALID, "rating": 0}, "validation-failed"),
        ({**_VALID, "rating": 6}, "validation-failed"),
        ({**_VALID, "rating": 4.5}, "validation-failed"),
        ({**_VALID, "rating": None}, "validation-failed"),
        ({**_VALID, "location_id": "atlantis"}, "unknown-location"),
        ({**_VALID, "location_id": "Midtown; DROP TABLE reviews"}, "validation-failed"),
        ({**_VALID, "location_id": 7}, "validation-failed"),
        ({**_VALID, "title": "t" * 121}, "validation-failed"),
        ({**_VALID, "body": "b" * 4001}, "validation-failed"),
        ({**_VALID, "author": "a" * 61}, "validation-failed"),
        ({**_VALID, "body": ""}, "validation-failed"),
        ({**_VALID, "body": "   "}, "validation-failed"),
        ({**_VALID, "author": ""}, "validation-failed"),
        ({**_VALID, "body": "Nice <script>alert(1)</script>"}, "validation-failed"),
        ({**_VALID, "author": "Tom\nR."}, "validation-failed"),
        ({**_VALID, "title": "Good\r\nlunch"}, "validation-failed"),
        ({**_VALID, "body": "Nice\x00food"}, "validation-failed"),
        ({**_VALID, "source": "yelp"}, "validation-failed"),
        ({**_VALID, "created_at": _future()}, "validation-failed"),
        ({**_VALID, "created_at": "2026-11-01T12:00:00"}, "validation-failed"),
        ({**_VALID, "created_at": "1999-12-31T12:00:00Z"}, "validation-failed"),
        ({**_VALID, "created_at": "yesterday"}, "validation-failed"),
        ({**_VALID, "sentiment": "positive"}, "validation-failed"),
        ({**_VALID, "id": str(uuid.uuid4())}, "validation-failed"),
        ({key: value for key, value in _VALID.items() if key != "body"}, "validation-failed"),
        ([_VALID], "validation-failed"),
    ],
)
async def test_bad_review_is_refused_and_nothing_is_written(
    reader: httpx.AsyncClient, read_db: asyncpg.Connection, payload: object, slug: str
) -> None:
    before = await read_db.fetchval("SELECT count(*) FROM reviews")
    response = await reader.post("/reviews", json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/" + slug)
    # The rejected value is never echoed back.
    assert "b" * 100 not in response.text
    assert "<script>" not in response.text
    assert await read_db.fetchval("SELECT count(*) FROM reviews") == before


async def test_non_json_and_oversized_bodies_are_refused(
    reader: httpx.AsyncClient, read_db: asyncpg.Connection
) -> None:
    before = await read_db.fetchval("SELECT count(*) FROM reviews")
    garbled = await reader.post(
        "/reviews", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert garbled.status_code == 422
    assert garbled.headers["content-type"] == PROBLEM
    huge = await reader.post("/reviews", json={**_VALID, "body": "x" * 200_000})
    assert huge.status_code == 413
    assert huge.json()["type"].endswith("/payload-too-large")
    assert await read_db.fetchval("SELECT count(*) FROM reviews") == before


def _cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "slug"),
    [
        ({"cursor": "not a cursor!"}, "invalid-cursor"),
        ({"cursor": _cursor(b"[1]")}, "invalid-cursor"),
        ({"cursor": _cursor(b"{}")}, "invalid-cursor"),
        ({"cursor": encode_cursor("yesterday", str(uuid.uuid4()))}, "invalid-cursor"),
        ({"cursor": encode_cursor("2026-11-01T12:00:00+00:00", "nope")}, "invalid-cursor"),
        ({"cursor": encode_cursor("2026-11-01T12:00:00", str(uuid.uuid4()))}, "invalid-cursor"),
        ({"cursor": encode_cursor(1, 2)}, "invalid-cursor"),
        ({"cursor": "x" * 301}, "validation-failed"),
        ({"min_rating": 0}, "validation-failed"),
        ({"max_rating": 6}, "validation-failed"),
        ({"min_rating": 4, "max_rating": 2}, "invalid-rating-range"),
        ({"limit": 0}, "validation-failed"),
        ({"limit": 101}, "validation-failed"),
        ({"limit": "all"}, "validation-failed"),
        ({"start": "2026-11-22", "end": "2026-11-01"}, "invalid-date-range"),
        ({"start": "1900-01-01"}, "invalid-date-range"),
        ({"start": "2026-02-30"}, "validation-failed"),
        ({"q": ""}, "validation-failed"),
        ({"q": "x" * 201}, "validation-failed"),
        ({"theme": "parking"}, "validation-failed"),
        ({"sentiment": "angry"}, "validation-failed"),
        ({"source": "yelp"}, "validation-failed"),
        ({"needs_reply": "perhaps"}, "validation-failed"),
        ({"location_id": "A;DROP"}, "validation-failed"),
        ({"colour": "blue"}, "validation-failed"),
    ],
)
async def test_bad_list_parameters_are_a_problem_422(
    reader: httpx.AsyncClient, params: dict[str, Any], slug: str
) -> None:
    response = await reader.get("/reviews", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/" + slug)
    assert "x" * 100 not in response.text


async def test_unknown_location_filter_is_404_not_empty(reader: httpx.AsyncClient) -> None:
    response = await reader.get("/reviews", params={"location_id": "atlantis"})
    assert response.status_code == 404
    assert response.json()["type"].endswith("/location-not-found")


async def test_unknown_route_and_method_are_problems(reader: httpx.AsyncClient) -> None:
    missing = await reader.get("/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    wrong = await reader.delete("/reviews")
    assert wrong.status_code == 405
    assert wrong.json()["type"].endswith("/method-not-allowed")
