"""Review logic. Functions take the pool as a plain parameter so workers, the CLI, tools and
tests call them without FastAPI."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime
from uuid import UUID

import asyncpg

from meshkit.dates import EARLIEST, LATEST, check_range
from meshkit.db import Executor
from meshkit.pagination import InvalidCursor, decode_cursor, encode_cursor
from review_agent import repository
from review_agent.classify import quote_for, read_review
from review_agent.errors import (
    InvalidRatingRange,
    LocationNotFound,
    ReviewNotFound,
    UnknownLocation,
)
from review_agent.models import (
    THEME_LABELS,
    LocationRating,
    RatingCount,
    RatingPeriod,
    RatingSummary,
    Review,
    ReviewCreate,
    ReviewFilter,
    ReviewPage,
    Sentiment,
    SentimentSplit,
    Theme,
    ThemeList,
    ThemeQuote,
    ThemeStat,
    WeeklyRating,
)
from review_agent.repository import ReviewQuery
from review_agent.weeks import weeks_between

MAX_RANGE_DAYS = 366
EXAMPLES_PER_THEME = 3
_ANY_RANGE_DAYS = (LATEST - EARLIEST).days + 1


def review_from_row(row: asyncpg.Record) -> Review:
    return Review(**row)


def like_pattern(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, its `%`, `_` and `\\` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _decode_review_cursor(cursor: str) -> tuple[datetime, UUID]:
    created_at, review_id = decode_cursor(cursor, 2)
    try:
        key = (datetime.fromisoformat(created_at), UUID(review_id))
    except (TypeError, ValueError):
        raise InvalidCursor("The cursor is not one this service issued.") from None
    if key[0].tzinfo is None:
        raise InvalidCursor("The cursor is not one this service issued.")
    return key


async def _require_location(db: Executor, location_id: str | None) -> None:
    if location_id is not None and await repository.location_name(db, location_id) is None:
        raise LocationNotFound(location_id)


def _average(stars: int, count: int) -> float | None:
    return round(stars / count, 2) if count else None


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


async def list_reviews(db: Executor, query: ReviewFilter) -> ReviewPage:
    min_rating, max_rating, start, end = query.min_rating, query.max_rating, query.start, query.end
    if min_rating is not None and max_rating is not None and min_rating > max_rating:
        raise InvalidRatingRange(min_rating, max_rating)
    if start is not None or end is not None:
        check_range(start or EARLIEST, end or LATEST, max_days=_ANY_RANGE_DAYS)
    after = _decode_review_cursor(query.cursor) if query.cursor else None
    await _require_location(db, query.location_id)
    filters = ReviewQuery(
        location_id=query.location_id,
        min_rating=min_rating,
        max_rating=max_rating,
        start=start,
        end=end,
        source=query.source.value if query.source else None,
        sentiment=query.sentiment.value if query.sentiment else None,
        theme=query.theme.value if query.theme else None,
        pattern=like_pattern(query.q) if query.q else None,
        needs_reply=query.needs_reply,
    )
    limit = query.limit
    rows = await repository.list_reviews(db, filters, after, limit + 1)
    items = [review_from_row(row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(last.created_at.isoformat(), str(last.id))
    return ReviewPage(items=items, next_cursor=next_cursor)


async def get_review(db: Executor, review_id: UUID) -> Review:
    row = await repository.get_review(db, review_id)
    if row is None:
        raise ReviewNotFound(review_id)
    return review_from_row(row)


async def create_review(pool: asyncpg.Pool, data: ReviewCreate) -> Review:
    """Record a review, reading its sentiment and themes on the way in."""
    reading = read_review(data.rating, data.title, data.body)
    review_id = uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        if await repository.location_name(conn, data.location_id) is None:
            raise UnknownLocation(data.location_id)
        await repository.insert_review(
            conn,
            review_id=review_id,
            location_id=data.location_id,
            source=data.source.value,
            rating=data.rating,
            title=data.title,
            body=data.body,
            author=data.author,
            created_at=data.created_at,
            sentiment=reading.sentiment.value,
            themes=[theme.value for theme in reading.themes],
        )
        row = await repository.get_review(conn, review_id)
    assert row is not None
    return review_from_row(row)


async def get_rating_summary(db: Executor, query: RatingPeriod) -> RatingSummary:
    start, end, location_id = query.start, query.end, query.location_id
    check_range(start, end, max_days=MAX_RANGE_DAYS)
    await _require_location(db, location_id)
    groups = await repository.rating_groups(db, start, end, location_id)
    locations = [
        row
        for row in await repository.list_locations(db)
        if location_id is None or row["id"] == location_id
    ]

    by_rating: dict[int, int] = defaultdict(int)
    by_sentiment: dict[str, int] = defaultdict(int)
    # [reviews, stars, negative, awaiting reply] per location and per week.
    per_location: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_week: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in groups:
        count, rating = int(row["reviews"]), int(row["rating"])
        by_rating[rating] += count
        by_sentiment[row["sentiment"]] += count
        negative = count if row["sentiment"] == Sentiment.NEGATIVE else 0
        for bucket in (per_location[row["location_id"]], per_week[row["week_start"]]):
            bucket[0] += count
            bucket[1] += count * rating
            bucket[2] += negative
            bucket[3] += int(row["awaiting_reply"])

    total = sum(by_rating.values())
    stars = sum(rating * count for rating, count in by_rating.items())
    by_location = [
        LocationRating(
            location_id=row["id"],
            location_name=row["name"],
            count=per_location[row["id"]][0],
            average_rating=_average(per_location[row["id"]][1], per_location[row["id"]][0]),
            negative_share=_share(per_location[row["id"]][2], per_location[row["id"]][0]),
            awaiting_reply=per_location[row["id"]][3],
        )
        for row in locations
    ]
    by_location.sort(
        key=lambda item: (
            item.average_rating is None,
            item.average_rating or 0.0,
            item.location_id,
        )
    )
    weekly = []
    for week in weeks_between(start, end):
        count, week_stars, negative, _ = per_week[week.monday]
        weekly.append(
            WeeklyRating(
                week=week.label,
                week_start=week.start,
                week_end=week.end,
                count=count,
                average_rating=_average(week_stars, count),
                negative_share=_share(negative, count),
            )
        )
    return RatingSummary(
        start=start,
        end=end,
        location_id=location_id,
        count=total,
        average_rating=_average(stars, total),
        distribution=[
            RatingCount(
                rating=rating, count=by_rating[rating], share=_share(by_rating[rating], total)
            )
            for rating in range(1, 6)
        ],
        sentiment=SentimentSplit(
            positive=by_sentiment[Sentiment.POSITIVE],
            neutral=by_sentiment[Sentiment.NEUTRAL],
            negative=by_sentiment[Sentiment.NEGATIVE],
        ),
        awaiting_reply=sum(bucket[3] for bucket in per_location.values()),
        by_location=by_location,
        weekly=weekly,
    )


async def list_themes(db: Executor, query: RatingPeriod) -> ThemeList:
    start, end, location_id = query.start, query.end, query.location_id
    check_range(start, end, max_days=MAX_RANGE_DAYS)
    await _require_location(db, location_id)
    review_count = await repository.count_reviews(db, start, end, location_id)
    totals = await repository.theme_totals(db, start, end, location_id)
    examples: dict[tuple[str, str], list[asyncpg.Record]] = defaultdict(list)
    for row in await repository.theme_examples(db, start, end, location_id, EXAMPLES_PER_THEME):
        examples[(row["theme"], row["sentiment"])].append(row)

    items = []
    for row in totals:
        theme = Theme(row["theme"])
        count, negative = int(row["reviews"]), int(row["negative"])
        # Quote the tone most guests take about this theme, then fill up with the others.
        if negative * 2 >= count:
            order = (Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE)
        else:
            order = (Sentiment.POSITIVE, Sentiment.NEUTRAL, Sentiment.NEGATIVE)
        chosen = [ex for tone in order for ex in examples[(theme.value, tone.value)]]
        items.append(
            ThemeStat(
                theme=theme,
                label=THEME_LABELS[theme],
                count=count,
                share=_share(count, review_count),
                average_rating=round(float(row["average_rating"]), 2),
                negative_share=_share(negative, count),
                examples=[
                    ThemeQuote(
                        review_id=ex["id"],
                        location_id=ex["location_id"],
                        rating=ex["rating"],
                        created_at=ex["created_at"],
                        quote=quote_for(theme, ex["title"], ex["body"]),
                    )
                    for ex in chosen[:EXAMPLES_PER_THEME]
                ],
            )
        )
    items.sort(key=lambda item: (-item.count, item.theme.value))
    return ThemeList(
        start=start, end=end, location_id=location_id, review_count=review_count, items=items
    )
