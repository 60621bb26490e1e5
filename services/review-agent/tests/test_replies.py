from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

PROBLEM = "application/problem+json"


async def _create(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    payload = {"location_id": "riverside", "author": "Ana M.", **fields}
    response = await client.post("/reviews", json=payload)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _draft(client: httpx.AsyncClient, review_id: str, **params: Any) -> httpx.Response:
    return await client.post(f"/reviews/{review_id}/reply-draft", params=params)


async def _drafts(db: asyncpg.Connection, review_id: str) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM review_replies WHERE review_id = $1::uuid AND status = 'draft'",
        review_id,
    )
    return count


async def test_low_rating_draft_apologises_names_the_complaints_and_is_stored(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    review = await _create(
        client,
        rating=1,
        body="Service was painfully slow and my sea bass arrived cold. Never again.",
    )
    response = await _draft(client, review["id"])
    assert response.status_code == 201
    draft = response.json()
    assert draft["status"] == "draft"
    assert draft["tone"] == "apologetic"
    assert draft["review_id"] == review["id"]
    assert draft["themes"] == ["service_speed", "food_temperature"]
    text = draft["text"]
    assert text.startswith("Dear Ana,")
    assert "sorry" in text.lower()
    assert "the slow service" in text
    assert "cold" in text
    assert "Riverside" in text
    assert "welcome you back" in text or "come back" in text or "another chance" in text
    assert len(text) < 900
    # Nothing the review did not say: no refunds, vouchers or names.
    assert not any(word in text.lower() for word in ("refund", "voucher", "free", "discount"))

    row = await db.fetchrow(
        "SELECT status, tone, body, themes, posted_at FROM review_replies WHERE id = $1::uuid",
        draft["id"],
    )
    assert row is not None
    assert row["status"] == "draft"
    assert row["posted_at"] is None
    assert row["body"] == text
    assert list(row["themes"]) == draft["themes"]
    shown = (await client.get(f"/reviews/{review['id']}")).json()
    assert shown["reply_status"] == "draft"
    assert shown["reply_text"] == text
    assert shown["replied_at"] is None
    # A draft is not an answer: the review still needs one.
    waiting = (await client.get("/reviews", params={"needs_reply": "true", "limit": 5})).json()
    assert review["id"] in {item["id"] for item in waiting["items"]}


async def test_high_rating_draft_thanks_the_guest_for_what_they_praised(
    client: httpx.AsyncClient,
) -> None:
    review = await _create(
        client,
        location_id="harbour-front",
        rating=5,
        author="Kenji T.",
        body="Stunning views at sunset and the seafood rice was delicious.",
    )
    draft = (await _draft(client, review["id"])).json()
    assert draft["tone"] == "appreciative"
    assert draft["themes"] == ["food_quality", "ambience_views"]
    text = draft["text"]
    assert text.startswith("Dear Kenji,")
    assert "thank" in text.lower()
    assert "sorry" not in text.lower()
    assert "the food and the setting" in text
    assert "Harbour Front" in text


async def test_mixed_review_gets_a_balanced_draft(client: httpx.AsyncClient) -> None:
    review = await _create(
        client,
        location_id="airport",
        rating=3,
        body="The garlic prawns were tasty. Far too expensive for what you get.",
    )
    draft = (await _draft(client, review["id"])).json()
    assert draft["tone"] == "balanced"
    assert "glad you enjoyed the food" in draft["text"]
    assert "sorry about the value for money" in draft["text"]
    assert set(draft["themes"]) == {"food_quality", "price_value"}


async def test_asking_again_returns_the_same_draft_unless_regenerated(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    review = await _create(client, rating=2, body="We waited 45 minutes for our mains.")
    first = await _draft(client, review["id"])
    again = await _draft(client, review["id"])
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert await _drafts(db, review["id"]) == 1

    fresh = await _draft(client, review["id"], regenerate="true")
    assert fresh.status_code == 201
    assert fresh.json()["id"] != first.json()["id"]
    assert fresh.json()["text"] != first.json()["text"]
    assert fresh.json()["themes"] == first.json()["themes"]
    assert await _drafts(db, review["id"]) == 2
    latest = await _draft(client, review["id"])
    assert latest.status_code == 200
    assert latest.json()["id"] == fresh.json()["id"]
    shown = (await client.get(f"/reviews/{review['id']}")).json()
    assert shown["reply_text"] == fresh.json()["text"]


async def test_concurrent_requests_store_one_draft(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    review = await _create(client, rating=1, body="Rude staff and a dirty table.")
    responses = await asyncio.gather(*(_draft(client, review["id"]) for _ in range(5)))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await _drafts(db, review["id"]) == 1


async def test_review_with_a_posted_reply_is_a_conflict(
    reader: httpx.AsyncClient, read_db: asyncpg.Connection
) -> None:
    review_id = await read_db.fetchval(
        "SELECT review_id FROM review_replies WHERE status = 'posted' LIMIT 1"
    )
    before = await read_db.fetchval("SELECT count(*) FROM review_replies")
    response = await _draft(reader, str(review_id))
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/reply-already-posted")
    assert await read_db.fetchval("SELECT count(*) FROM review_replies") == before


@pytest.mark.parametrize(
    ("review_id", "params", "status", "slug"),
    [
        (str(uuid.uuid4()), {}, 404, "review-not-found"),
        ("not-a-uuid", {}, 422, "validation-failed"),
        (str(uuid.uuid4()), {"regenerate": "sometimes"}, 422, "validation-failed"),
    ],
)
async def test_bad_draft_requests_are_problems_and_write_nothing(
    reader: httpx.AsyncClient,
    read_db: asyncpg.Connection,
    review_id: str,
    params: dict[str, str],
    status: int,
    slug: str,
) -> None:
    before = await read_db.fetchval("SELECT count(*) FROM review_replies")
    response = await _draft(reader, review_id, **params)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/" + slug)
    assert await read_db.fetchval("SELECT count(*) FROM review_replies") == before


async def test_draft_greets_only_plain_names(client: httpx.AsyncClient) -> None:
    review = await _create(
        client, rating=4, author="@@ admin", body="Good food and friendly staff."
    )
    draft = (await _draft(client, review["id"])).json()
    assert draft["text"].startswith("Hello,")
    assert "admin" not in draft["text"]


async def _post(client: httpx.AsyncClient, review_id: str, **body: Any) -> httpx.Response:
    return await client.post(f"/reviews/{review_id}/reply", json=body)


async def test_posting_publishes_the_latest_draft_and_the_review_shows_it(
    client: httpx.AsyncClient,
) -> None:
    review = await _create(client, rating=2, body="Cold food and a long wait.")
    draft = (await _draft(client, review["id"])).json()
    response = await _post(client, review["id"])
    assert response.status_code == 201, response.text
    posted = response.json()
    assert (posted["status"], posted["text"], posted["tone"]) == (
        "posted",
        draft["text"],
        draft["tone"],
    )
    assert posted["posted_at"] is not None
    shown = (await client.get(f"/reviews/{review['id']}")).json()
    assert (shown["reply_status"], shown["reply_text"]) == ("posted", draft["text"])
    waiting = await client.get("/reviews", params={"needs_reply": "true", "limit": 100})
    assert review["id"] not in {item["id"] for item in waiting.json()["items"]}


async def test_posting_edited_text_publishes_that_text(client: httpx.AsyncClient) -> None:
    review = await _create(client, rating=5, body="Lovely dinner, friendly staff.")
    response = await _post(client, review["id"], text="  Thank you, see you soon!  ")
    assert response.status_code == 201, response.text
    assert response.json()["text"] == "Thank you, see you soon!"


async def test_a_review_is_answered_once_even_when_posts_race(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    review = await _create(client, rating=1, body="Rude staff and a dirty table.")
    await _draft(client, review["id"])
    responses = await asyncio.gather(*(_post(client, review["id"]) for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    assert {r.json()["type"].rsplit("/", 1)[-1] for r in responses if r.status_code == 409} == {
        "reply-already-posted"
    }
    posted = await db.fetchval(
        "SELECT count(*) FROM review_replies WHERE review_id = $1::uuid AND status = 'posted'",
        review["id"],
    )
    assert posted == 1
    # Drafting once answered is refused too.
    assert (await _draft(client, review["id"])).status_code == 409


async def test_a_repeated_post_with_its_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient,
) -> None:
    review = await _create(client, rating=3, body="Fine food, slow service.")
    await _draft(client, review["id"])
    headers = {"Idempotency-Key": "post-once-" + review["id"]}
    first = await client.post(f"/reviews/{review['id']}/reply", json={}, headers=headers)
    again = await client.post(f"/reviews/{review['id']}/reply", json={}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()


@pytest.mark.parametrize(
    ("body", "status", "slug"),
    [
        ({}, 409, "no-draft-to-post"),
        ({"text": "   "}, 422, "validation-failed"),
        ({"text": "x" * 901}, 422, "validation-failed"),
        ({"text": "Thanks!", "publish_to": "everyone"}, 422, "validation-failed"),
        ({"text": 42}, 422, "validation-failed"),
    ],
)
async def test_bad_posts_are_problems_and_publish_nothing(
    client: httpx.AsyncClient,
    db: asyncpg.Connection,
    body: dict[str, Any],
    status: int,
    slug: str,
) -> None:
    review = await _create(client, rating=2, body="Noisy room.")
    response = await _post(client, review["id"], **body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/" + slug)
    assert (
        await db.fetchval(
            "SELECT count(*) FROM review_replies WHERE status = 'posted' AND review_id = $1::uuid",
            review["id"],
        )
        == 0
    )


async def test_posting_to_an_unknown_review_is_not_found(client: httpx.AsyncClient) -> None:
    response = await _post(client, str(uuid.uuid4()), text="Thank you!")
    assert response.status_code == 404
    assert response.json()["type"].endswith("/review-not-found")
