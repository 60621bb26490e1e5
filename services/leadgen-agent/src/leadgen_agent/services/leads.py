"""Lead logic. Functions take the pool, the sales client and the current time as plain
parameters so workers, the CLI, tools and tests call them without FastAPI."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import asyncpg
from sales_agent_client import AuthenticatedClient

from leadgen_agent import repository
from leadgen_agent.errors import InvalidEventDate, InvalidStageTransition, LeadNotFound
from leadgen_agent.models import (
    OPEN_STAGES,
    Lead,
    LeadCreate,
    LeadDetail,
    LeadKind,
    LeadPage,
    LeadScore,
    LeadSource,
    LeadStage,
    LeadStageEvent,
    LeadStageUpdate,
    LocationId,
    PeriodActivity,
    PipelineSummary,
    ScoreFactor,
    StageSummary,
    StaleLead,
)
from leadgen_agent.services import scoring
from meshkit.dates import InvalidDateRange, check_range
from meshkit.db import Executor
from meshkit.pagination import InvalidCursor, decode_cursor, encode_cursor

STALE_AFTER_DAYS = 14
#: Event dates further ahead than this are typos, not leads.
MAX_EVENT_LEAD_DAYS = 730
MAX_RANGE_DAYS = 366
STALE_LIST_LIMIT = 25

#: The pipeline's allowed moves. Won and lost close a lead; a lost lead may be reopened.
TRANSITIONS: dict[LeadStage, frozenset[LeadStage]] = {
    LeadStage.NEW: frozenset({LeadStage.CONTACTED, LeadStage.LOST}),
    LeadStage.CONTACTED: frozenset({LeadStage.QUALIFIED, LeadStage.LOST}),
    LeadStage.QUALIFIED: frozenset({LeadStage.PROPOSAL, LeadStage.LOST}),
    LeadStage.PROPOSAL: frozenset({LeadStage.WON, LeadStage.LOST}),
    LeadStage.WON: frozenset(),
    LeadStage.LOST: frozenset({LeadStage.CONTACTED}),
}


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(days=STALE_AFTER_DAYS)


def _lead(row: asyncpg.Record, now: datetime) -> Lead:
    stage = LeadStage(row["stage"])
    changed: datetime = row["stage_changed_at"]
    score = None
    if row["scored_at"] is not None:
        score = LeadScore(
            score=row["score"],
            partial=row["score_partial"],
            rationale=[ScoreFactor(**factor) for factor in row["score_rationale"]],
            scored_at=row["scored_at"],
        )
    return Lead(
        id=row["id"],
        company=row["company"],
        contact_name=row["contact_name"],
        email=row["email"],
        phone=row["phone"],
        kind=LeadKind(row["kind"]),
        headcount=row["headcount"],
        budget_cents=row["budget_cents"],
        event_date=row["event_date"],
        preferred_location_id=LocationId(row["preferred_location_id"]),
        source=LeadSource(row["source"]),
        notes=row["notes"],
        stage=stage,
        stage_changed_at=changed,
        days_in_stage=max(0, (now - changed).days),
        stale=stage in OPEN_STAGES and changed < _stale_before(now),
        lost_reason=row["lost_reason"],
        score=score,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _detail(row: asyncpg.Record, events: list[asyncpg.Record], now: datetime) -> LeadDetail:
    history = [
        LeadStageEvent(
            from_stage=LeadStage(e["from_stage"]) if e["from_stage"] else None,
            to_stage=LeadStage(e["to_stage"]),
            at=e["at"],
            note=e["note"],
        )
        for e in events
    ]
    return LeadDetail(**dict(_lead(row, now)), history=history)


async def _require(db: Executor, lead_id: UUID, *, for_update: bool = False) -> asyncpg.Record:
    row = await repository.get_lead(db, lead_id, for_update=for_update)
    if row is None:
        raise LeadNotFound(lead_id)
    return row


async def create_lead(pool: asyncpg.Pool, body: LeadCreate, *, now: datetime, tz: ZoneInfo) -> Lead:
    if body.event_date is not None:
        today = local_today(now, tz)
        if body.event_date < today:
            raise InvalidEventDate(
                f"The event date {body.event_date.isoformat()} is in the past "
                f"(today is {today.isoformat()}).",
                body.event_date,
                today,
            )
        if body.event_date > today + timedelta(days=MAX_EVENT_LEAD_DAYS):
            raise InvalidEventDate(
                f"The event date must be within {MAX_EVENT_LEAD_DAYS} days of today.",
                body.event_date,
                today,
            )
    lead_id = uuid4()
    async with pool.acquire() as conn, conn.transaction():
        row = await repository.insert_lead(
            conn,
            lead_id=lead_id,
            company=body.company,
            contact_name=body.contact_name,
            email=body.email,
            phone=body.phone,
            kind=body.kind.value,
            headcount=body.headcount,
            budget_cents=body.budget_cents,
            event_date=body.event_date,
            preferred_location_id=body.preferred_location_id.value,
            source=body.source.value,
            notes=body.notes,
            at=now,
        )
        await repository.insert_stage_event(
            conn, lead_id, None, LeadStage.NEW.value, now, f"Captured via {body.source.value}."
        )
    return _lead(row, now)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _decode_after(cursor: str) -> tuple[datetime, UUID]:
    created, lead_id = decode_cursor(cursor, 2)
    try:
        after = (datetime.fromisoformat(created), UUID(lead_id))
    except (TypeError, ValueError, AttributeError):
        raise InvalidCursor("The cursor is not one this service issued.") from None
    if after[0].tzinfo is None:
        raise InvalidCursor("The cursor is not one this service issued.")
    return after


async def list_leads(
    db: Executor,
    *,
    stages: list[LeadStage] | None,
    kind: LeadKind | None,
    location_id: LocationId | None,
    min_score: int | None,
    stale: bool | None,
    q: str | None,
    limit: int,
    cursor: str | None,
    now: datetime,
    moved_since: date | None = None,
    tz: tzinfo = UTC,
) -> LeadPage:
    after = _decode_after(cursor) if cursor else None
    search = f"%{_escape_like(q.strip())}%" if q and q.strip() else None
    rows = await repository.list_leads(
        db,
        stages=sorted({s.value for s in stages}) if stages else None,
        kind=kind.value if kind else None,
        location_id=location_id.value if location_id else None,
        min_score=min_score,
        stale=stale,
        stale_before=_stale_before(now),
        moved_after=datetime.combine(moved_since, time(), tzinfo=tz) if moved_since else None,
        search=search,
        after=after,
        limit=limit + 1,
    )
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_cursor(last["created_at"].isoformat(), str(last["id"]))
    return LeadPage(items=[_lead(row, now) for row in page], next_cursor=next_cursor)


async def get_lead(pool: asyncpg.Pool, lead_id: UUID, *, now: datetime) -> LeadDetail:
    # One snapshot: the lead's stage and its history agree even while it is being moved.
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        row = await _require(conn, lead_id)
        events = await repository.list_stage_events(conn, lead_id)
    return _detail(row, events, now)


async def update_lead_stage(
    pool: asyncpg.Pool, lead_id: UUID, body: LeadStageUpdate, *, now: datetime
) -> LeadDetail:
    async with pool.acquire() as conn, conn.transaction():
        # The row lock serialises concurrent moves of one lead, so the check below holds.
        row = await _require(conn, lead_id, for_update=True)
        current = LeadStage(row["stage"])
        if body.stage is not current:
            allowed = TRANSITIONS[current]
            if body.stage not in allowed:
                raise InvalidStageTransition(
                    lead_id, current.value, body.stage.value, (s.value for s in allowed)
                )
            row = await repository.set_stage(conn, lead_id, body.stage.value, body.lost_reason, now)
            await repository.insert_stage_event(
                conn, lead_id, current.value, body.stage.value, now, body.note
            )
        events = await repository.list_stage_events(conn, lead_id)
    return _detail(row, events, now)


async def qualify_lead(
    pool: asyncpg.Pool,
    sales: AuthenticatedClient,
    lead_id: UUID,
    *,
    now: datetime,
    tz: ZoneInfo,
    sales_timeout_s: float,
) -> Lead:
    row = await _require(pool, lead_id)
    today = local_today(now, tz)
    location = LocationId(row["preferred_location_id"])
    # No connection or transaction is held while sales-agent is asked: a slow upstream
    # must not pin the pool.
    signals = await scoring.fetch_sales_signals(sales, location, today, sales_timeout_s)
    scored = scoring.score_lead(
        kind=LeadKind(row["kind"]),
        headcount=row["headcount"],
        budget_cents=row["budget_cents"],
        event_date=row["event_date"],
        source=LeadSource(row["source"]),
        location_id=location,
        today=today,
        signals=signals,
    )
    updated = await repository.store_score(
        pool,
        lead_id,
        score=scored.score,
        partial=scored.partial,
        rationale=[factor.model_dump(mode="json") for factor in scored.rationale],
        at=now,
    )
    if updated is None:
        raise LeadNotFound(lead_id)
    return _lead(updated, now)


async def get_pipeline_summary(
    pool: asyncpg.Pool,
    *,
    location_id: LocationId | None,
    start: date | None,
    end: date | None,
    now: datetime,
    tz: ZoneInfo,
) -> PipelineSummary:
    period: PeriodActivity | None = None
    location = location_id.value if location_id else None
    if end is not None and start is None:
        raise InvalidDateRange("Give `start` with `end`.", end=end)
    last = end or local_today(now, tz)
    if start is not None:
        check_range(start, last, max_days=MAX_RANGE_DAYS)
    # One snapshot, so stage counts, durations and stale leads add up.
    async with pool.acquire() as db, db.transaction(isolation="repeatable_read", readonly=True):
        if start is not None:
            activity = await repository.period_activity(db, start, last, tz.key, location)
            period = PeriodActivity(
                start=start,
                end=last,
                created=activity["created"],
                won=activity["won"],
                lost=activity["lost"],
            )
        totals = {row["stage"]: row for row in await repository.stage_totals(db, location)}
        durations = {
            row["stage"]: float(row["average_days"])
            for row in await repository.stage_durations(db, location)
        }
        stages = []
        for stage in LeadStage:
            row = totals.get(stage.value)
            average = durations.get(stage.value)
            stages.append(
                StageSummary(
                    stage=stage,
                    leads=int(row["leads"]) if row else 0,
                    budget_cents=int(row["budget_cents"]) if row else 0,
                    average_days_in_stage=round(average, 1) if average is not None else None,
                )
            )
        stale_rows, stale_count = await repository.stale_leads(
            db, _stale_before(now), location, STALE_LIST_LIMIT
        )
    by_stage = {s.stage: s for s in stages}
    won, lost = by_stage[LeadStage.WON].leads, by_stage[LeadStage.LOST].leads
    return PipelineSummary(
        as_of=now,
        location_id=location_id,
        stages=stages,
        open_leads=sum(s.leads for s in stages if s.stage in OPEN_STAGES),
        open_budget_cents=sum(s.budget_cents for s in stages if s.stage in OPEN_STAGES),
        conversion_rate=round(won / (won + lost), 4) if won + lost else None,
        stale_after_days=STALE_AFTER_DAYS,
        stale_count=stale_count,
        stale_leads=[
            StaleLead(
                id=row["id"],
                company=row["company"],
                stage=LeadStage(row["stage"]),
                preferred_location_id=LocationId(row["preferred_location_id"]),
                days_since_change=(now - row["stage_changed_at"]).days,
            )
            for row in stale_rows
        ],
        period=period,
    )
