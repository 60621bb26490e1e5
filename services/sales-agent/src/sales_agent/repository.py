"""All of sales-agent's SQL."""

from __future__ import annotations

from datetime import date

import asyncpg

from meshkit.db import Executor


async def list_locations(db: Executor) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT id, name, address, city, timezone, seats, opened_on FROM locations ORDER BY name"
    )


async def get_location(db: Executor, location_id: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        "SELECT id, name, address, city, timezone, seats, opened_on FROM locations WHERE id = $1",
        location_id,
    )


async def list_menu_items(db: Executor, category: str | None) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT id, name, category, price_cents FROM menu_items "
        "WHERE ($1::text IS NULL OR category = $1) ORDER BY category, name",
        category,
    )


async def totals_by_location(
    db: Executor, start: date, end: date, location_id: str | None
) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT l.id AS location_id, l.name AS location_name,
               coalesce(sum(s.revenue_cents), 0)::bigint AS revenue_cents,
               coalesce(sum(s.orders), 0)::bigint AS orders,
               coalesce(sum(s.covers), 0)::bigint AS covers,
               count(s.day) FILTER (WHERE s.orders > 0) AS days
        FROM locations l
        LEFT JOIN daily_sales s
               ON s.location_id = l.id AND s.day BETWEEN $1 AND $2
        WHERE $3::text IS NULL OR l.id = $3
        GROUP BY l.id, l.name
        """,
        start,
        end,
        location_id,
    )


async def daily_totals(
    db: Executor, start: date, end: date, location_id: str | None
) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT day,
               sum(revenue_cents)::bigint AS revenue_cents,
               sum(orders)::bigint AS orders,
               sum(covers)::bigint AS covers
        FROM daily_sales
        WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR location_id = $3)
        GROUP BY day
        ORDER BY day
        """,
        start,
        end,
        location_id,
    )


async def item_totals(
    db: Executor,
    start: date,
    end: date,
    location_id: str | None,
    category: str | None,
    rank_by: str,
    limit: int,
) -> tuple[list[asyncpg.Record], int]:
    order = "revenue_cents" if rank_by == "revenue" else "quantity"
    rows = await db.fetch(
        f"""
        SELECT m.id AS item_id, m.name, m.category,
               sum(d.quantity)::bigint AS quantity,
               sum(d.revenue_cents)::bigint AS revenue_cents
        FROM daily_item_sales d
        JOIN menu_items m ON m.id = d.item_id
        WHERE d.day BETWEEN $1 AND $2
          AND ($3::text IS NULL OR d.location_id = $3)
          AND ($4::text IS NULL OR m.category = $4)
        GROUP BY m.id, m.name, m.category
        ORDER BY {order} DESC, m.id
        LIMIT $5
        """,  # noqa: S608 - `order` is one of two literals above
        start,
        end,
        location_id,
        category,
        limit,
    )
    total = await db.fetchval(
        """
        SELECT coalesce(sum(revenue_cents), 0)::bigint FROM daily_item_sales
        WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR location_id = $3)
        """,
        start,
        end,
        location_id,
    )
    return rows, int(total)


async def location_exists(db: Executor, location_id: str) -> bool:
    return bool(await db.fetchval("SELECT 1 FROM locations WHERE id = $1", location_id))


async def seeded_end_day(db: Executor) -> date | None:
    value: date | None = await db.fetchval("SELECT end_day FROM seed_state")
    return value
