"""sales-agent's own operations as tools for its `ask` loop (service calls, not HTTP)."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import FastAPI

from meshkit.agent import Tool
from meshkit.tools import NoInput, local_tools
from sales_agent.models import (
    LocationRef,
    MenuFilter,
    PeriodsToCompare,
    SalesPeriod,
    TopItemsQuery,
)
from sales_agent.services import sales

SYSTEM_PROMPT = """\
You are the sales analyst of Copper Pot Kitchen, a chain of six restaurants in Lisbon.
Answer questions about locations, the menu and sales with the tools; every figure you give
must come from a tool result. Money in tool results is in euro cents: present it in euros
(€12,345). Dates are restaurant days; weeks run Monday to Sunday. Name locations by name.
When a question is ambiguous, state the period you chose. Be brief and specific: lead with
the answer, then the two or three figures that support it."""


def sales_tools(app: FastAPI, pool: asyncpg.Pool) -> list[Tool[Any]]:
    return local_tools(
        app,
        {
            "list_locations": (NoInput, lambda _: sales.list_locations(pool)),
            "get_location": (LocationRef, lambda q: sales.get_location(pool, q.location_id)),
            "list_menu_items": (MenuFilter, lambda q: sales.list_menu_items(pool, q)),
            "get_sales_summary": (SalesPeriod, lambda q: sales.get_sales_summary(pool, q)),
            "get_daily_sales": (SalesPeriod, lambda q: sales.get_daily_sales(pool, q)),
            "list_top_items": (TopItemsQuery, lambda q: sales.list_top_items(pool, q)),
            "compare_periods": (PeriodsToCompare, lambda q: sales.compare_periods(pool, q)),
        },
    )
