from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool
from sales_agent.deps import PoolDep
from sales_agent.models import (
    Category,
    DailySalesSeries,
    LocationId,
    PeriodComparison,
    RankBy,
    SalesSummary,
    TopItemList,
)
from sales_agent.services import sales

router = APIRouter(prefix="/sales", tags=["sales"])

Start = Annotated[
    date, Query(description="First day of the period (inclusive).", examples=["2026-11-16"])
]
End = Annotated[
    date, Query(description="Last day of the period (inclusive).", examples=["2026-11-22"])
]
OptionalLocation = Annotated[
    LocationId | None,
    Query(description="Limit to one location; omit for the whole chain."),
]
_PROBLEMS = problem_responses(401, 403, 404, 422)


@router.get(
    "/summary",
    summary="Sales summary for a period",
    openapi_extra=agent_tool("read", cache_ttl_s=300),
    responses=_PROBLEMS,
)
async def get_sales_summary(
    pool: PoolDep, start: Start, end: End, location_id: OptionalLocation = None
) -> SalesSummary:
    """Revenue, orders, covers and average ticket for a date range (at most 366 days), for
    the whole chain or one location, with each location's share and the best and worst
    day. Use it for questions like "how were sales last week?"."""
    return await sales.get_sales_summary(pool, start, end, location_id)


@router.get(
    "/daily",
    summary="Daily sales series",
    openapi_extra=agent_tool("read", cache_ttl_s=300),
    responses=_PROBLEMS,
)
async def get_daily_sales(
    pool: PoolDep, start: Start, end: End, location_id: OptionalLocation = None
) -> DailySalesSeries:
    """Revenue, orders, covers and average ticket for every day of a range (at most 366
    days), with the weekday, for the chain or one location. Use it to spot dips, weekday
    patterns and trends."""
    return await sales.get_daily_sales(pool, start, end, location_id)


@router.get(
    "/top-items",
    summary="Best-selling menu items",
    openapi_extra=agent_tool("read", cache_ttl_s=300),
    responses=_PROBLEMS,
)
async def list_top_items(
    pool: PoolDep,
    start: Start,
    end: End,
    location_id: OptionalLocation = None,
    category: Annotated[Category | None, Query(description="Only this menu category.")] = None,
    rank_by: Annotated[RankBy, Query(description="Rank by revenue or by units sold.")] = (
        RankBy.REVENUE
    ),
    limit: Annotated[int, Query(ge=1, le=50, description="How many items to return.")] = 10,
) -> TopItemList:
    """The menu items that sold best in a period, by revenue or units, optionally for one
    location or one category (for example `catering` to see catering volume)."""
    return await sales.list_top_items(pool, start, end, location_id, category, rank_by, limit)


@router.get(
    "/compare",
    summary="Compare two periods",
    openapi_extra=agent_tool("read", cache_ttl_s=300),
    responses=_PROBLEMS,
)
async def compare_periods(
    pool: PoolDep,
    current_start: Annotated[date, Query(description="First day of the current period.")],
    current_end: Annotated[date, Query(description="Last day of the current period.")],
    previous_start: Annotated[date, Query(description="First day of the period to compare with.")],
    previous_end: Annotated[date, Query(description="Last day of the period to compare with.")],
    location_id: OptionalLocation = None,
) -> PeriodComparison:
    """Revenue, orders, covers and average ticket of two periods side by side, with
    percentage changes for the chain and per location, the biggest fall first. Use it for
    "this week against last week" or "this month against the same month last year"."""
    return await sales.compare_periods(
        pool, current_start, current_end, previous_start, previous_end, location_id
    )
