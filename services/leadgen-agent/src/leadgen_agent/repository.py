"""All of leadgen-agent's SQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from meshkit.db import Executor

_LEAD = """
    SELECT id, company, contact_name, email, phone, kind, headcount, budget_cents, event_date,
           preferred_location_id, source, notes, stage, stage_changed_at, lost_reason,
           score, score_partial, score_rationale, scored_at, created_at, updated_at
    FROM leads
"""
_RETURNING = """
    RETURNING id, company, contact_name, email, phone, kind, headcount, budget_cents, event_date,
              preferred_location_id, source, notes, stage, stage_changed_at, lost_reason,
              score, score_partial, score_rationale, scored_at, created_at, updated_at
"""


async def insert_lead(
    db: Executor,
    *,
    lead_id: UUID,
    company: str,
    contact_name: str,
    email: str,
    phone: str | None,
    kind: str,
    headcount: int,
    budget_cents: int | None,
    event_date: date | None,
    preferred_location_id: str,
    source: str,
    notes: str,
    at: datetime,
) -> asyncpg.Record:
    row = await db.fetchrow(
        """
        INSERT INTO leads (id, company, contact_name, email, phone, kind, headcount,
                           budget_cents, event_date, preferred_location_id, source, notes,
                           stage, stage_changed_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'new', $13, $13, $13)
        """  # noqa: S608 - constant fragments
        + _RETURNING,
        lead_id,
        company,
        contact_name,
        email,
        phone,
        kind,
        headcount,
        budget_cents,
        event_date,
        preferred_location_id,
        source,
        notes,
        at,
    )
    assert row is not None
    return row


async def insert_stage_event(
    db: Executor,
    lead_id: UUID,
    from_stage: str | None,
    to_stage: str,
    at: datetime,
    note: str | None,
) -> None:
    await db.execute(
        "INSERT INTO lead_stage_events (lead_id, from_stage, to_stage, at, note) "
        "VALUES ($1, $2, $3, $4, $5)",
        lead_id,
        from_stage,
        to_stage,
        at,
        note,
    )


async def get_lead(
    db: Executor, lead_id: UUID, *, for_update: bool = False
) -> asyncpg.Record | None:
    sql = _LEAD + " WHERE id = $1" + (" FOR UPDATE" if for_update else "")
    return await db.fetchrow(sql, lead_id)


async def list_stage_events(db: Executor, lead_id: UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT from_stage, to_stage, at, note FROM lead_stage_events "
        "WHERE lead_id = $1 ORDER BY at, id",
        lead_id,
    )


async def list_leads(
    db: Executor,
    *,
    stages: list[str] | None,
    kind: str | None,
    location_id: str | None,
    min_score: int | None,
    stale: bool | None,
    stale_before: datetime,
    search: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
    moved_after: datetime | None = None,
) -> list[asyncpg.Record]:
    """Leads newest first; `search` is an ILIKE pattern already escaped by the caller."""
    return await db.fetch(
        _LEAD
        + """
        WHERE ($1::text[] IS NULL OR stage = ANY($1))
          AND ($2::text IS NULL OR kind = $2)
          AND ($3::text IS NULL OR preferred_location_id = $3)
          AND ($4::integer IS NULL OR score >= $4)
          AND ($5::boolean IS NULL
               OR (stage IN ('new', 'contacted', 'qualified', 'proposal')
                   AND stage_changed_at < $6) = $5)
          AND ($7::text IS NULL
               OR company ILIKE $7 ESCAPE '\\' OR contact_name ILIKE $7 ESCAPE '\\')
          AND ($8::timestamptz IS NULL OR (created_at, id) < ($8, $9::uuid))
          AND ($11::timestamptz IS NULL OR stage_changed_at >= $11)
        ORDER BY created_at DESC, id DESC
        LIMIT $10
        """,
        stages,
        kind,
        location_id,
        min_score,
        stale,
        stale_before,
        search,
        after[0] if after else None,
        after[1] if after else None,
        limit,
        moved_after,
    )


async def set_stage(
    db: Executor, lead_id: UUID, stage: str, lost_reason: str | None, at: datetime
) -> asyncpg.Record:
    row = await db.fetchrow(
        """
        UPDATE leads SET stage = $2, lost_reason = $3, stage_changed_at = $4, updated_at = $4
        WHERE id = $1
        """  # noqa: S608 - constant fragments
        + _RETURNING,
        lead_id,
        stage,
        lost_reason,
        at,
    )
    assert row is not None
    return row


async def store_score(
    db: Executor,
    lead_id: UUID,
    *,
    score: int,
    partial: bool,
    rationale: list[dict[str, Any]],
    at: datetime,
) -> asyncpg.Record | None:
    return await db.fetchrow(
        """
        UPDATE leads SET score = $2, score_partial = $3, score_rationale = $4::jsonb,
                         scored_at = $5, updated_at = $5
        WHERE id = $1
        """  # noqa: S608 - constant fragments
        + _RETURNING,
        lead_id,
        score,
        partial,
        rationale,
        at,
    )


async def stage_totals(db: Executor, location_id: str | None) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT stage, count(*) AS leads, coalesce(sum(budget_cents), 0)::bigint AS budget_cents
        FROM leads
        WHERE $1::text IS NULL OR preferred_location_id = $1
        GROUP BY stage
        """,
        location_id,
    )


async def stage_durations(db: Executor, location_id: str | None) -> list[asyncpg.Record]:
    """Average days per stage over completed stays: from entering a stage to leaving it."""
    return await db.fetch(
        """
        SELECT to_stage AS stage,
               avg(extract(epoch FROM next_at - at)) / 86400.0 AS average_days
        FROM (
            SELECT e.to_stage, e.at,
                   lead(e.at) OVER (PARTITION BY e.lead_id ORDER BY e.at, e.id) AS next_at
            FROM lead_stage_events e
            JOIN leads l ON l.id = e.lead_id
            WHERE $1::text IS NULL OR l.preferred_location_id = $1
        ) stays
        WHERE next_at IS NOT NULL
        GROUP BY to_stage
        """,
        location_id,
    )


async def stale_leads(
    db: Executor, stale_before: datetime, location_id: str | None, limit: int
) -> tuple[list[asyncpg.Record], int]:
    rows = await db.fetch(
        """
        SELECT id, company, stage, preferred_location_id, stage_changed_at,
               count(*) OVER () AS total
        FROM leads
        WHERE stage IN ('new', 'contacted', 'qualified', 'proposal')
          AND stage_changed_at < $1
          AND ($2::text IS NULL OR preferred_location_id = $2)
        ORDER BY stage_changed_at, id
        LIMIT $3
        """,
        stale_before,
        location_id,
        limit,
    )
    return rows, int(rows[0]["total"]) if rows else 0


async def period_activity(
    db: Executor, start: date, end: date, timezone: str, location_id: str | None
) -> asyncpg.Record:
    row = await db.fetchrow(
        """
        SELECT
          (SELECT count(*) FROM leads
           WHERE (created_at AT TIME ZONE $3)::date BETWEEN $1 AND $2
             AND ($4::text IS NULL OR preferred_location_id = $4)) AS created,
          count(DISTINCT e.lead_id) FILTER (WHERE e.to_stage = 'won') AS won,
          count(DISTINCT e.lead_id) FILTER (WHERE e.to_stage = 'lost') AS lost
        FROM lead_stage_events e
        JOIN leads l ON l.id = e.lead_id
        WHERE (e.at AT TIME ZONE $3)::date BETWEEN $1 AND $2
          AND ($4::text IS NULL OR l.preferred_location_id = $4)
        """,
        start,
        end,
        timezone,
        location_id,
    )
    assert row is not None
    return row


async def seeded_end_day(db: Executor) -> date | None:
    value: date | None = await db.fetchval("SELECT end_day FROM seed_state")
    return value
