from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from leadgen_agent.deps import NowDep, PoolDep, SettingsDep
from leadgen_agent.models import LocationId, PipelineSummary
from leadgen_agent.services import leads
from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool

router = APIRouter(prefix="/leads", tags=["pipeline"])


@router.get(
    "/pipeline",
    summary="Pipeline summary",
    openapi_extra=agent_tool("read"),
    responses=problem_responses(401, 403, 422),
)
async def get_pipeline_summary(
    pool: PoolDep,
    settings: SettingsDep,
    now: NowDep,
    location: Annotated[
        LocationId | None,
        Query(description="Limit to leads preferring this restaurant; omit for the chain."),
    ] = None,
    start: Annotated[
        date | None,
        Query(
            description="First day (inclusive) of a period to report leads created, won and "
            "lost in.",
            examples=["2026-11-01"],
        ),
    ] = None,
    end: Annotated[
        date | None,
        Query(
            description="Last day (inclusive) of that period; today when omitted. Needs `start`.",
            examples=["2026-11-22"],
        ),
    ] = None,
) -> PipelineSummary:
    """Where the lead pipeline stands: leads and budget per stage, how long leads sit in
    each stage, the conversion rate (won out of closed), the stale open leads nobody has
    moved for over 14 days, and, for an optional period of at most 366 days, how many
    leads were created, won and lost. Use it for "how is the pipeline doing?"."""
    return await leads.get_pipeline_summary(
        pool, location_id=location, start=start, end=end, now=now, tz=settings.timezone
    )
