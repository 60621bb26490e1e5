"""All of review-agent's SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias
from uuid import UUID

import asyncpg

from meshkit.db import Executor

# `pool.acquire()` hands out a PoolConnectionProxy, which asyncpg's stubs do not count as a
# Connection; repositories must accept it to run inside a service's transaction.
Db: TypeAlias = "Executor | asyncpg.pool.PoolConnectionProxy[asyncpg.Record]"
Conn: TypeAlias = "asyncpg.Connection | asyncpg.pool.PoolConnectionProxy[asyncpg.Record]"

#: Review dates are local restaurant days; every location of the chain is in Lisbon.
CHAIN_TIMEZONE = "Europe/Lisbon"

_REVIEW = """
    SELECT r.id, r.location_id, l.name AS location_name, r.source, r.rating, r.title, r.body,
           r.author, r.created_at, r.sentiment, r.themes,
           coalesce(rep.status, 'none') AS reply_status, rep.body AS reply_text,
           rep.posted_at AS replied_at
    FROM reviews r
    JOIN locations l ON l.id = r.location_id
    LEFT JOIN LATERAL (
        SELECT p.status, p.body, p.posted_at
        FROM review_replies p
        WHERE p.review_id = r.id
        ORDER BY p.status = 'posted' DESC, p.created_at DESC, p.id DESC
        LIMIT 1
    ) rep ON true
"""

#: Reviews published on local days $1..$2, at location $3 (or anywhere), time zone $4.
_IN_RANGE = """
    r.created_at >= ($1::date::timestamp AT TIME ZONE $4::text)
    AND r.created_at < (($2::date + 1)::timestamp AT TIME ZONE $4::text)
    AND ($3::text IS NULL OR r.location_id = $3)
"""
_UNANSWERED = (
    "NOT EXISTS (SELECT 1 FROM review_replies p WHERE p.review_id = r.id AND p.status = 'posted')"
)


@dataclass(frozen=True, slots=True)
class ReviewQuery:
    """Filters of `list_reviews`; None means no filter."""

    location_id: str | None = None
    min_rating: int | None = None
    max_rating: int | None = None
    start: date | None = None
    end: date | None = None
    source: str | None = None
    sentiment: str | None = None
    theme: str | None = None
    #: An ILIKE pattern whose wildcards in user text are already escaped with `\`.
    pattern: str | None = None
    needs_reply: bool | None = None


async def list_locations(db: Db) -> list[asyncpg.Record]:
    return await db.fetch("SELECT id, name FROM locations ORDER BY name")


async def location_name(db: Db, location_id: str) -> str | None:
    name: str | None = await db.fetchval("SELECT name FROM locations WHERE id = $1", location_id)
    return name


async def list_reviews(
    db: Db, query: ReviewQuery, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(
        _REVIEW
        + r"""
        WHERE ($1::text IS NULL OR r.location_id = $1)
          AND ($2::int IS NULL OR r.rating >= $2)
          AND ($3::int IS NULL OR r.rating <= $3)
          AND ($4::date IS NULL OR r.created_at >= ($4::date::timestamp AT TIME ZONE $13::text))
          AND ($5::date IS NULL
               OR r.created_at < (($5::date + 1)::timestamp AT TIME ZONE $13::text))
          AND ($6::text IS NULL OR r.source = $6)
          AND ($7::text IS NULL OR r.sentiment = $7)
          AND ($8::text IS NULL OR r.themes @> ARRAY[$8::text])
          AND ($9::text IS NULL OR (r.title || ' ' || r.body) ILIKE $9 ESCAPE '\')
          AND ($10::bool IS NULL OR $10 = """
        + _UNANSWERED
        + """)
          AND ($11::timestamptz IS NULL OR (r.created_at, r.id) < ($11, $12::uuid))
        ORDER BY r.created_at DESC, r.id DESC
        LIMIT $14
        """,
        query.location_id,
        query.min_rating,
        query.max_rating,
        query.start,
        query.end,
        query.source,
        query.sentiment,
        query.theme,
        query.pattern,
        query.needs_reply,
        after[0] if after else None,
        after[1] if after else None,
        CHAIN_TIMEZONE,
        limit,
    )


async def get_review(db: Db, review_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(_REVIEW + " WHERE r.id = $1", review_id)


async def insert_review(
    db: Db,
    *,
    review_id: UUID,
    location_id: str,
    source: str,
    rating: int,
    title: str,
    body: str,
    author: str,
    created_at: datetime | None,
    sentiment: str,
    themes: list[str],
) -> None:
    await db.execute(
        """
        INSERT INTO reviews (id, location_id, source, rating, title, body, author, created_at,
                             sentiment, themes)
        VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8, now()), $9, $10)
        """,
        review_id,
        location_id,
        source,
        rating,
        title,
        body,
        author,
        created_at,
        sentiment,
        themes,
    )


async def rating_groups(
    db: Db, start: date, end: date, location_id: str | None
) -> list[asyncpg.Record]:
    """Review counts per location, ISO week (its Monday), rating and sentiment."""
    return await db.fetch(
        f"""
        SELECT r.location_id,
               date_trunc('week', r.created_at AT TIME ZONE $4::text)::date AS week_start,
               r.rating, r.sentiment,
               count(*) AS reviews,
               count(*) FILTER (WHERE {_UNANSWERED}) AS awaiting_reply
        FROM reviews r
        WHERE {_IN_RANGE}
        GROUP BY 1, 2, 3, 4
        """,  # noqa: S608 - only constant fragments are interpolated
        start,
        end,
        location_id,
        CHAIN_TIMEZONE,
    )


async def count_reviews(db: Db, start: date, end: date, location_id: str | None) -> int:
    count: int = await db.fetchval(
        f"SELECT count(*) FROM reviews r WHERE {_IN_RANGE}",  # noqa: S608 - constant fragment
        start,
        end,
        location_id,
        CHAIN_TIMEZONE,
    )
    return count


async def theme_totals(
    db: Db, start: date, end: date, location_id: str | None
) -> list[asyncpg.Record]:
    return await db.fetch(
        f"""
        SELECT t.theme, count(*) AS reviews, avg(r.rating)::float8 AS average_rating,
               count(*) FILTER (WHERE r.sentiment = 'negative') AS negative
        FROM reviews r
        CROSS JOIN LATERAL unnest(r.themes) AS t(theme)
        WHERE {_IN_RANGE}
        GROUP BY t.theme
        """,  # noqa: S608 - only constant fragments are interpolated
        start,
        end,
        location_id,
        CHAIN_TIMEZONE,
    )


async def theme_examples(
    db: Db, start: date, end: date, location_id: str | None, per_group: int
) -> list[asyncpg.Record]:
    """The newest reviews per theme and sentiment, at most `per_group` of each."""
    return await db.fetch(
        f"""
        SELECT theme, id, location_id, rating, created_at, title, body, sentiment
        FROM (
            SELECT t.theme, r.id, r.location_id, r.rating, r.created_at, r.title, r.body,
                   r.sentiment,
                   row_number() OVER (
                       PARTITION BY t.theme, r.sentiment ORDER BY r.created_at DESC, r.id DESC
                   ) AS n
            FROM reviews r
            CROSS JOIN LATERAL unnest(r.themes) AS t(theme)
            WHERE {_IN_RANGE}
        ) ranked
        WHERE n <= $5
        ORDER BY theme, sentiment, created_at DESC, id DESC
        """,  # noqa: S608 - only constant fragments are interpolated
        start,
        end,
        location_id,
        CHAIN_TIMEZONE,
        per_group,
    )


async def weekly_ratings(db: Db, start: date, end: date, location_id: str) -> list[asyncpg.Record]:
    return await db.fetch(
        f"""
        SELECT date_trunc('week', r.created_at AT TIME ZONE $4::text)::date AS week_start,
               count(*) AS reviews, sum(r.rating)::bigint AS stars,
               sum(r.rating * r.rating)::bigint AS stars_squared
        FROM reviews r
        WHERE {_IN_RANGE}
        GROUP BY 1
        ORDER BY 1
        """,  # noqa: S608 - only constant fragments are interpolated
        start,
        end,
        location_id,
        CHAIN_TIMEZONE,
    )


async def lock_review_for_reply(conn: Conn, review_id: UUID) -> asyncpg.Record | None:
    """The review with what a reply needs, locked so concurrent drafts queue up."""
    return await conn.fetchrow(
        """
        SELECT r.id, r.rating, r.title, r.body, r.author, r.sentiment, r.themes,
               l.name AS location_name
        FROM reviews r
        JOIN locations l ON l.id = r.location_id
        WHERE r.id = $1
        FOR UPDATE OF r
        """,
        review_id,
    )


async def reply_counts(conn: Conn, review_id: UUID) -> asyncpg.Record:
    row = await conn.fetchrow(
        """
        SELECT count(*) FILTER (WHERE status = 'draft') AS drafts,
               count(*) FILTER (WHERE status = 'posted') AS posted
        FROM review_replies
        WHERE review_id = $1
        """,
        review_id,
    )
    assert row is not None
    return row


_REPLY_COLUMNS = "id, review_id, status, tone, body, themes, created_at, posted_at"


async def latest_draft(conn: Conn, review_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""
        SELECT {_REPLY_COLUMNS} FROM review_replies
        WHERE review_id = $1 AND status = 'draft'
        ORDER BY created_at DESC, id DESC
        LIMIT 1
        """,  # noqa: S608 - constant column list
        review_id,
    )


async def insert_reply(
    conn: Conn,
    *,
    reply_id: UUID,
    review_id: UUID,
    tone: str,
    body: str,
    themes: list[str],
    posted: bool = False,
) -> asyncpg.Record:
    """A draft, or the reply as posted: its own row, so the drafts before it stay on record."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO review_replies (id, review_id, status, tone, body, themes, created_at,
                                    posted_at)
        VALUES ($1, $2, $6, $3, $4, $5, clock_timestamp(),
                CASE WHEN $6 = 'posted' THEN clock_timestamp() END)
        RETURNING {_REPLY_COLUMNS}
        """,  # noqa: S608 - constant column list
        reply_id,
        review_id,
        tone,
        body,
        themes,
        "posted" if posted else "draft",
    )
    assert row is not None
    return row
