from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool
from sales_agent.deps import PoolDep
from sales_agent.models import MenuFilter, MenuItemList
from sales_agent.services import sales

router = APIRouter(tags=["menu"])


@router.get(
    "/menu-items",
    summary="List the menu",
    openapi_extra=agent_tool("read", cache_ttl_s=3600),
    responses=problem_responses(401, 403),
)
async def list_menu_items(pool: PoolDep, query: Annotated[MenuFilter, Query()]) -> MenuItemList:
    """Every dish and drink on the menu with its category and current price in euro cents.
    Catering items are the trays and boxes sold to businesses and events."""
    return await sales.list_menu_items(pool, query)
