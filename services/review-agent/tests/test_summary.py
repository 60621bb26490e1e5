from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from review_agent import seed

PROBLEM = "application/problem+json"
LOCAL_DAY = "(created_at AT TIME ZONE 'Europe/Lisbon')::date"


def _dip(end_day: date) -> date:
    return end_day - timedelta(days=seed.RIVERSIDE_DIP_DAYS_BEFORE_END)


async def _summary(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/reviews/summary", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _themes(client: httpx.AsyncClient, **params: Any) -> dict[str, dict[str, Any]]:
    response = await client.get("/reviews/themes", params=params)
    assert response.status_code == 200, response.text
    return {item["theme"]: item for item in response.json()["items"]}


async def test_summary_matches_the_rows_in_the_database(
    reader: httpx.AsyncClient, read_db: asyncpg.Connection, end_day: date
) -> None:
    start = end_day - timedelta(days=29)
    body = await _summary(reader, start=start, end=end_day)
    where = f"{LOCAL_DAY} BETWEEN $1 AND $2"
    totals = await read_db.fetchrow(
        f"SELECT count(*), round(avg(rating), 2)::float8 FROM reviews WHERE {where}", start, end_day
    )
    assert totals is not None
    count, average = totals
    assert body["count"] == count
    assert body["average_rating"] == average
    by_rating = {
        row["rating"]: row["count"]
        for row in await read_db.fetch(
            f"SELECT rating, count(*) FROM reviews WHERE {where} GROUP BY rating", start, end_day
        )
    }
    assert [(d["rating"], d["count"]) for d in body["distribution"]] == [
        (rating, by_rating.get(rating, 0)) for rating in range(1, 6)
    ]
    assert sum(d["share"] for d in body["distribution"]) == pytest.approx(1.0, abs=0.001)
    by_sentiment = {
        row["sentiment"]: row["count"]
        for row in await read_db.fetch(
            f"SELECT sentiment, count(*) FROM reviews WHERE {where} GROUP BY sentiment",
            start,
            end_day,
        )
    }
    assert body["sentiment"] == {
        "positive": by_sentiment.get("positive", 0),
        "neutral": by_sentiment.get("neutral", 0),
        "negative": by_sentiment.get("negative", 0),
    }
    awaiting = await read_db.fetchval(
        f"SELECT count(*) FROM reviews r WHERE {where} AND NOT EXISTS "
        "(SELECT 1 FROM review_replies p WHERE p.review_id = r.id AND p.status = 'posted')",
        start,
        end_day,
    )
    assert body["awaiting_reply"] == awaiting
    assert sum(loc["count"] for loc in body["by_location"]) == count
    assert sum(week["count"] for week in body["weekly"]) == count


async def test_weekly_trend_uses_iso_weeks_clipped_to_the_range(
    reader: httpx.AsyncClient, end_day: date
) -> None:
    start = date(2026, 10, 28)  # a Wednesday
    body = await _summary(reader, start=start, end=end_day)
    weeks = body["weekly"]
    assert weeks[0]["week"] == "2026-W44"
    assert weeks[0]["week_start"] == "2026-10-28"
    assert weeks[0]["week_end"] == "2026-11-01"
    assert weeks[1]["week_start"] == "2026-11-02"
    assert weeks[-1]["week"] == "2026-W47"
    assert weeks[-1]["week_end"] == end_day.isoformat()
    assert len(weeks) == 4


async def test_riverside_rating_falls_in_the_weekly_trend_from_the_dip(
    reader: httpx.AsyncClient, end_day: date
) -> None:
    dip = _dip(end_day)
    body = await _summary(
        reader, start=end_day - timedelta(days=181), end=end_day, location_id="riverside"
    )
    assert [loc["location_id"] for loc in body["by_location"]] == ["riverside"]
    before = [w for w in body["weekly"] if date.fromisoformat(w["week_end"]) < dip]
    after = [
        w for w in body["weekly"] if date.fromisoformat(w["week_start"]) >= dip + timedelta(days=7)
    ]
    assert len(before) >= 18
    assert len(after) >= 4

    def average(weeks: list[dict[str, Any]]) -> float:
        stars = sum(float(w["average_rating"]) * int(w["count"]) for w in weeks)
        return stars / sum(int(w["count"]) for w in weeks)

    assert average(before) > 4.1
    assert average(after) < 3.3
    assert all(w["average_rating"] < 3.8 for w in after)
    assert sum(w["negative_share"] for w in after) / len(after) > 0.3


async def test_riverside_is_the_lowest_rated_location_since_the_dip(
    reader: httpx.AsyncClient, end_day: date
) -> None:
    since = _dip(end_day) + timedelta(days=7)
    recent = await _summary(reader, start=since, end=end_day)
    ranking = [loc["location_id"] for loc in recent["by_location"]]
    assert len(ranking) == 6
    assert ranking[0] == "riverside"
    averages = [loc["average_rating"] for loc in recent["by_location"]]
    assert averages == sorted(averages)
    assert recent["by_location"][1]["average_rating"] - averages[0] > 0.5
    earlier = await _summary(reader, start=since - timedelta(days=90), end=_dip(end_day))
    riverside = next(loc for loc in earlier["by_location"] if loc["location_id"] == "riverside")
    assert riverside["average_rating"] > 4.0


async def test_harbour_front_rates_best_and_airport_lowest_before_the_dip(
    reader: httpx.AsyncClient, end_day: date
) -> None:
    body = await _summary(reader, start=end_day - timedelta(days=181), end=_dip(end_day))
    ranking = [loc["location_id"] for loc in body["by_location"]]
    assert ranking[0] == "airport"
    assert ranking[-1] == "harbour-front"
    assert body["average_rating"] > 4.0


async def test_a_period_without_reviews_summarises_to_zero(
    reader: httpx.AsyncClient,
) -> None:
    body = await _summary(reader, start="2025-01-01", end="2025-01-31", location_id="midtown")
    assert body["count"] == 0
    assert body["average_rating"] is None
    assert [d["count"] for d in body["distribution"]] == [0] * 5
    assert body["by_location"][0]["average_rating"] is None
    assert all(w["average_rating"] is None for w in body["weekly"])


async def test_theme_counts_match_the_stored_themes(
    reader: httpx.AsyncClient, read_db: asyncpg.Connection, end_day: date
) -> None:
    start = end_day - timedelta(days=89)
    themes = await _themes(reader, start=start, end=end_day)
    rows = await read_db.fetch(
        f"""
        SELECT theme, count(*) AS n, round(avg(rating), 2)::float8 AS average
        FROM reviews, unnest(themes) AS theme
        WHERE {LOCAL_DAY} BETWEEN $1 AND $2 GROUP BY theme
        """,
        start,
        end_day,
    )
    total = await read_db.fetchval(
        f"SELECT count(*) FROM reviews WHERE {LOCAL_DAY} BETWEEN $1 AND $2", start, end_day
    )
    assert {row["theme"]: row["n"] for row in rows} == {t: i["count"] for t, i in themes.items()}
    for row in rows:
        item = themes[row["theme"]]
        assert item["average_rating"] == row["average"]
        assert item["share"] == pytest.approx(row["n"] / total, abs=0.0001)
        assert 1 <= len(item["examples"]) <= 3
        for example in item["examples"]:
            assert example["quote"]
            review = await read_db.fetchrow(
                "SELECT title, body, themes FROM reviews WHERE id = $1::uuid",
                example["review_id"],
            )
            assert review is not None
            assert row["theme"] in review["themes"]
            assert example["quote"].rstrip("…") in f"{review['title']} {review['body']}"
    counts = [item["count"] for item in themes.values()]
    assert counts == sorted(counts, reverse=True)


async def test_slow_service_waits_cold_food_and_management_surge_at_riverside_after_the_dip(
    reader: httpx.AsyncClient, end_day: date
) -> None:
    dip = _dip(end_day)
    before = await _themes(
        reader,
        start=dip - timedelta(days=90),
        end=dip - timedelta(days=1),
        location_id="riverside",
    )
    after = await _themes(
        reader, start=dip + timedelta(days=7), end=end_day, location_id="riverside"
    )
    for theme in ("service_speed", "waiting_time", "food_temperature", "management"):
        share_before = before[theme]["share"] if theme in before else 0.0
        assert after[theme]["share"] > 1.5 * share_before, theme
        assert after[theme]["share"] > 0.2, theme
        assert after[theme]["average_rating"] < 3.0, theme
        assert after[theme]["negative_share"] >= 0.4, theme
    quotes = " ".join(example["quote"].lower() for example in after["service_speed"]["examples"])
    assert any(word in quotes for word in ("slow", "forever", "ages", "forgotten"))
    assert {example["location_id"] for example in after["service_speed"]["examples"]} == {
        "riverside"
    }


async def test_riverside_complaints_stand_out_against_the_rest_of_the_chain(
    reader: httpx.AsyncClient, end_day: date
) -> None:
    start = _dip(end_day) + timedelta(days=7)
    riverside = await _themes(reader, start=start, end=end_day, location_id="riverside")
    for other in ("old-town", "midtown", "university"):
        themes = await _themes(reader, start=start, end=end_day, location_id=other)
        for theme in ("waiting_time", "management"):
            share = themes[theme]["share"] if theme in themes else 0.0
            assert riverside[theme]["share"] > 2 * share, (other, theme)


async def test_harbour_front_is_praised_for_views_and_airport_criticised_for_prices(
    reader: httpx.AsyncClient, end_day: date
) -> None:
    start = end_day - timedelta(days=181)
    harbour = await _themes(reader, start=start, end=end_day, location_id="harbour-front")
    chain = await _themes(reader, start=start, end=end_day)
    assert harbour["ambience_views"]["share"] > 0.5
    assert harbour["ambience_views"]["share"] > 1.5 * chain["ambience_views"]["share"]
    assert harbour["ambience_views"]["average_rating"] > 4.3
    assert any("view" in e["quote"].lower() for e in harbour["ambience_views"]["examples"])
    airport = await _themes(reader, start=start, end=end_day, location_id="airport")
    assert airport["price_value"]["negative_share"] > 0.4
    assert airport["price_value"]["negative_share"] > chain["price_value"]["negative_share"]
    assert airport["price_value"]["average_rating"] < chain["price_value"]["average_rating"]


@pytest.mark.parametrize("path", ["/reviews/summary", "/reviews/themes"])
@pytest.mark.parametrize(
    ("params", "status", "slug"),
    [
        ({"start": "2026-11-22", "end": "2026-11-01"}, 422, "invalid-date-range"),
        ({"start": "2024-01-01", "end": "2026-01-01"}, 422, "invalid-date-range"),
        ({"start": "1900-01-01", "end": "1900-01-02"}, 422, "invalid-date-range"),
        ({"start": "yesterday", "end": "2026-11-01"}, 422, "validation-failed"),
        ({"end": "2026-11-01"}, 422, "validation-failed"),
        (
            {"start": "2026-11-01", "end": "2026-11-02", "location_id": "x" * 500},
            422,
            "validation-failed",
        ),
        (
            {"start": "2026-11-01", "end": "2026-11-02", "location_id": "atlantis"},
            404,
            "location-not-found",
        ),
        ({"start": "2026-11-01", "end": "2026-11-02", "extra": "1"}, 422, "validation-failed"),
    ],
)
async def test_bad_periods_are_problems(
    reader: httpx.AsyncClient, path: str, params: dict[str, str], status: int, slug: str
) -> None:
    response = await reader.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/" + slug)
    assert "x" * 100 not in response.text
