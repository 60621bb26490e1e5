from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from leadgen_agent.deps import NowDep, SalesClientDep, SettingsDep
from leadgen_agent.models import CateringCapacity, LocationId
from leadgen_agent.services import capacity
from leadgen_agent.services.leads import local_today
from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool

router = APIRouter(tags=["qualification"])


@router.get(
    "/locations/{location_id}/catering-capacity",
    summary="Catering a restaurant already sells",
    openapi_extra=agent_tool("read", cache_ttl_s=600),
    responses=problem_responses(401, 403, 422, 502),
)
async def get_catering_capacity(
    sales: SalesClientDep,
    settings: SettingsDep,
    now: NowDep,
    location_id: Annotated[LocationId, Path(description="The restaurant.")],
) -> CateringCapacity:
    """How much catering a restaurant sold over the last 90 days, its share of the chain's
    catering against an even share, and what guests spend per head, as sales-agent reports
    them. Use it to judge whether a restaurant can take on a catering or corporate lead."""
    return await capacity.get_catering_capacity(
        sales,
        location_id,
        today=local_today(now, settings.timezone),
        timeout_s=settings.sales_agent_timeout_s,
    )
