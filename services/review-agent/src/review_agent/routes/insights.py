from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool
from review_agent.deps import PoolDep, SalesClientDep
from review_agent.models import LocationId, Period, RatingVsSales
from review_agent.services import insights

router = APIRouter(tags=["insights"])


@router.get(
    "/locations/{location_id}/rating-vs-sales",
    summary="Ratings against sales for a location",
    openapi_extra=agent_tool("read", cache_ttl_s=300),
    responses=problem_responses(401, 403, 404, 422, 502),
)
async def get_rating_vs_sales(
    pool: PoolDep,
    sales: SalesClientDep,
    location_id: Annotated[LocationId, Path()],
    period: Annotated[Period, Query()],
) -> RatingVsSales:
    """Week by week for one location over at most 184 days: review count and average stars
    next to revenue and covers from the point-of-sale data, with the correlation between
    rating and covers and the week from which the rating stepped down, if it did. Use it
    for "did the bad reviews cost us guests?" or "when did things go wrong at Riverside?".
    A 502 means the sales data could not be fetched; try again later."""
    return await insights.get_rating_vs_sales(pool, sales, location_id, period)
