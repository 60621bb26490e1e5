from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from leadgen_agent.deps import NowDep, PoolDep, SalesClientDep, SettingsDep
from leadgen_agent.models import Lead
from leadgen_agent.services import leads
from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool

router = APIRouter(prefix="/leads", tags=["qualification"])


@router.post(
    "/{lead_id}/qualification",
    summary="Score a lead",
    openapi_extra=agent_tool("write", idempotent=True),
    responses=problem_responses(401, 403, 404, 422),
)
async def qualify_lead(
    pool: PoolDep,
    sales: SalesClientDep,
    settings: SettingsDep,
    now: NowDep,
    lead_id: Annotated[UUID, Path(description="The lead's id.")],
) -> Lead:
    """Score a lead from 0 to 100 and store the score with its reasons: headcount, budget
    per head against what guests spend in our restaurants, time until the event, kind of
    lead, where it came from, and how much catering the preferred restaurant already
    sells (asked of sales-agent). If sales-agent cannot answer, the score is computed
    from the other factors and marked `partial`; qualify again later to complete it."""
    return await leads.qualify_lead(
        pool,
        sales,
        lead_id,
        now=now,
        tz=settings.timezone,
        sales_timeout_s=settings.sales_agent_timeout_s,
    )
