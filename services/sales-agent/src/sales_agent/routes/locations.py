from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool
from sales_agent.deps import PoolDep
from sales_agent.models import Location, LocationId, LocationList
from sales_agent.services import sales

router = APIRouter(tags=["locations"])


@router.get(
    "/locations",
    summary="List the chain's locations",
    openapi_extra=agent_tool("read", cache_ttl_s=3600),
    responses=problem_responses(401, 403),
)
async def list_locations(pool: PoolDep) -> LocationList:
    """All restaurants of the chain with their address, size and opening date. Use the `id`
    of a location (such as `riverside`) wherever another operation asks for `location_id`."""
    return await sales.list_locations(pool)


@router.get(
    "/locations/{location_id}",
    summary="Get one location",
    openapi_extra=agent_tool("read", cache_ttl_s=3600),
    responses=problem_responses(401, 403, 404),
)
async def get_location(pool: PoolDep, location_id: Annotated[LocationId, Path()]) -> Location:
    """One restaurant by its id: name, address, time zone, seats and opening date. Use
    `list_locations` to find the id from a name."""
    return await sales.get_location(pool, location_id)
