from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool
from sales_agent.deps import PoolDep
from sales_agent.models import (
    DailySalesSeries,
    PeriodComparison,
    PeriodsToCompare,
    SalesPeriod,
    SalesSummary,
    TopItemList,
    TopItemsQuery,
)
from sales_agent.services import sales

router = APIRouter(prefix="/sales", tags=["sales"])

_PROBLEMS = problem_responses(401, 403, 404, 422)


@router.get(
    "/summary",
    summary="Sales summary for a period",
    openapi_extra=agent_tool("read", cache_ttl_s=300),
    responses=_PROBLEMS,
)
async def get_sales_summary(pool: PoolDep, query: Annotated[SalesPeriod, Query()]) -> SalesSummary:
    """Revenue, orders, covers and average ticket for a date range (at most 366 days), for
    the whole chain or one location, with each location's share and the best and worst
    day. Use it for questions like "how were sales last week?"."""
    return await sales.get_sales_summary(pool, query)


@router.get(
    "/daily",
    summary="Daily sales series",
    openapi_extra=agent_tool("read", cache_ttl_s=300),
    responses=_PROBLEMS,
)
async def get_daily_sales(
    pool: PoolDep, query: Annotated[SalesPeriod, Query()]
) -> DailySalesSeries:
    """Revenue, orders, covers and average ticket for every day of a range (at most 366
    days), with the weekday, for the chain or one location. Use it to spot dips, weekday
    patterns and trends."""
    return await sales.get_daily_sales(pool, query)


@router.get(
    "/top-items",
    summary="Best-selling menu items",
    openapi_extra=agent_tool("read", cache_ttl_s=300),
    responses=_PROBLEMS,
)
async def list_top_items(pool: PoolDep, query: Annotated[TopItemsQuery, Query()]) -> TopItemList:
    """The menu items that sold best in a period, by revenue or units, optionally for one
    location or one category (for example `catering` to see catering volume)."""
    return await sales.list_top_items(pool, query)


@router.get(
    "/compare",
    summary="Compare two periods",
    openapi_extra=agent_tool("read", cache_ttl_s=300),
    responses=_PROBLEMS,
)
async def compare_periods(
    pool: PoolDep, query: Annotated[PeriodsToCompare, Query()]
) -> PeriodComparison:
    """Revenue, orders, covers and average ticket of two periods side by side, with
    percentage changes for the chain and per location, the biggest fall first. Use it for
    "this week against last week" or "this month against the same month last year"."""
    return await sales.compare_periods(pool, query)
