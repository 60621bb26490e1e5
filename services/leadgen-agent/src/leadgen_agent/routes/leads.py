from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from leadgen_agent.deps import NowDep, PoolDep, SettingsDep
from leadgen_agent.models import (
    Lead,
    LeadCreate,
    LeadDetail,
    LeadKind,
    LeadPage,
    LeadStage,
    LeadStageUpdate,
    LocationId,
)
from leadgen_agent.services import leads
from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool

router = APIRouter(prefix="/leads", tags=["leads"])

LeadIdPath = Annotated[
    UUID,
    Path(description="The lead's id.", examples=["0b7f4f7e-3c1a-4d8e-9a51-6f0e2c9d4b10"]),
]


@router.post(
    "",
    status_code=201,
    summary="Capture a new lead",
    openapi_extra=agent_tool("write"),
    responses=problem_responses(401, 403, 422),
)
async def create_lead(pool: PoolDep, settings: SettingsDep, now: NowDep, body: LeadCreate) -> Lead:
    """Record a new B2B lead (a catering order, a corporate account for recurring office
    lunches, or a private event) with the contact, headcount, budget, date and preferred
    restaurant. The lead starts in stage `new`. Each call creates another lead, so check
    `list_leads` for the company first."""
    return await leads.create_lead(pool, body, now=now, tz=settings.timezone)


@router.get(
    "",
    summary="List and search leads",
    openapi_extra=agent_tool("read"),
    responses=problem_responses(401, 403, 422),
)
async def list_leads(
    pool: PoolDep,
    now: NowDep,
    settings: SettingsDep,
    stage: Annotated[
        list[LeadStage] | None,
        Query(description="Only leads in these stages; repeat for several."),
    ] = None,
    kind: Annotated[LeadKind | None, Query(description="Only leads of this kind.")] = None,
    location: Annotated[
        LocationId | None, Query(description="Only leads preferring this restaurant.")
    ] = None,
    min_score: Annotated[
        int | None,
        Query(ge=0, le=100, description="Only scored leads with at least this score."),
    ] = None,
    stale: Annotated[
        bool | None,
        Query(
            description="True: only open leads without a stage change for more than 14 days; "
            "false: only the others."
        ),
    ] = None,
    moved_since: Annotated[
        date | None,
        Query(
            description="Only leads whose stage changed on or after this day (restaurant "
            'time), newest first: use it for "which leads moved yesterday?".'
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Text to find in the company or contact name (case-insensitive).",
            examples=["tejo"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Leads per page.")] = 20,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="`next_cursor` of the previous page."),
    ] = None,
) -> LeadPage:
    """Leads newest first, filtered by stage, kind, preferred location, minimum score,
    staleness, recent stage changes or a name search, one page at a time. Use it for "which
    leads are waiting on us?" (`stale=true`), "which leads moved since Monday?"
    (`moved_since`) or "show the Midtown catering leads"."""
    return await leads.list_leads(
        pool,
        stages=stage,
        kind=kind,
        location_id=location,
        min_score=min_score,
        stale=stale,
        moved_since=moved_since,
        tz=settings.timezone,
        q=q,
        limit=limit,
        cursor=cursor,
        now=now,
    )


@router.get(
    "/{lead_id}",
    summary="Get one lead with its history",
    openapi_extra=agent_tool("read"),
    responses=problem_responses(401, 403, 404, 422),
)
async def get_lead(pool: PoolDep, now: NowDep, lead_id: LeadIdPath) -> LeadDetail:
    """One lead with every detail, its latest score and the full history of its stage
    changes with notes, oldest first."""
    return await leads.get_lead(pool, lead_id, now=now)


@router.post(
    "/{lead_id}/stage",
    summary="Move a lead to another stage",
    openapi_extra=agent_tool("write", idempotent=True),
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_lead_stage(
    pool: PoolDep, now: NowDep, lead_id: LeadIdPath, body: LeadStageUpdate
) -> LeadDetail:
    """Move a lead along the pipeline: new → contacted → qualified → proposal → won, or to
    lost from any open stage (with a `lost_reason`); a lost lead can be reopened as
    contacted. Won is final. Other moves are refused with 409. Asking for the stage the
    lead is already in changes nothing. Returns the lead with its history."""
    return await leads.update_lead_stage(pool, lead_id, body, now=now)
