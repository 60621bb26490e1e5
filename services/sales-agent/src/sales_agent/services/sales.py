"""Sales logic. Functions take the pool as a plain parameter so workers, the CLI, tools and
tests call them without FastAPI."""

from __future__ import annotations

import asyncpg

from meshkit.dates import check_range, days_between
from meshkit.db import Executor
from sales_agent import repository
from sales_agent.errors import LocationNotFound
from sales_agent.models import (
    Category,
    Change,
    DailySales,
    DailySalesSeries,
    DayFigure,
    Location,
    LocationComparison,
    LocationList,
    LocationSales,
    MenuFilter,
    MenuItem,
    MenuItemList,
    PeriodComparison,
    PeriodsToCompare,
    PeriodTotals,
    SalesPeriod,
    SalesSummary,
    SalesTotals,
    TopItem,
    TopItemList,
    TopItemsQuery,
)

MAX_RANGE_DAYS = 366


async def list_locations(db: Executor) -> LocationList:
    return LocationList(items=[Location(**row) for row in await repository.list_locations(db)])


async def get_location(db: Executor, location_id: str) -> Location:
    row = await repository.get_location(db, location_id)
    if row is None:
        raise LocationNotFound(location_id)
    return Location(**row)


async def list_menu_items(db: Executor, query: MenuFilter) -> MenuItemList:
    category = query.category
    rows = await repository.list_menu_items(db, category.value if category else None)
    return MenuItemList(items=[MenuItem(**row) for row in rows])


async def _require_location(db: Executor, location_id: str | None) -> None:
    if location_id is not None and not await repository.location_exists(db, location_id):
        raise LocationNotFound(location_id)


def _totals(revenue: int, orders: int, covers: int, days: int) -> SalesTotals:
    return SalesTotals(
        revenue_cents=revenue,
        orders=orders,
        covers=covers,
        average_ticket_cents=round(revenue / orders) if orders else 0,
        days=days,
    )


async def get_sales_summary(db: Executor, query: SalesPeriod) -> SalesSummary:
    start, end, location_id = query.start, query.end, query.location_id
    check_range(start, end, max_days=MAX_RANGE_DAYS)
    await _require_location(db, location_id)
    per_location = await repository.totals_by_location(db, start, end, location_id)
    days = await repository.daily_totals(db, start, end, location_id)
    revenue = sum(int(r["revenue_cents"]) for r in per_location)
    orders = sum(int(r["orders"]) for r in per_location)
    covers = sum(int(r["covers"]) for r in per_location)
    by_location = sorted(
        (
            LocationSales(
                location_id=r["location_id"],
                location_name=r["location_name"],
                totals=_totals(
                    int(r["revenue_cents"]), int(r["orders"]), int(r["covers"]), int(r["days"])
                ),
                share_of_revenue=round(int(r["revenue_cents"]) / revenue, 4) if revenue else 0.0,
            )
            for r in per_location
        ),
        key=lambda item: (-item.totals.revenue_cents, item.location_id),
    )
    trading = [d for d in days if int(d["orders"]) > 0]
    best = max(trading, key=lambda d: (int(d["revenue_cents"]), d["day"]), default=None)
    worst = min(trading, key=lambda d: (int(d["revenue_cents"]), d["day"]), default=None)
    return SalesSummary(
        start=start,
        end=end,
        location_id=location_id,
        totals=_totals(revenue, orders, covers, len(trading)),
        by_location=by_location,
        best_day=DayFigure(day=best["day"], revenue_cents=int(best["revenue_cents"]))
        if best
        else None,
        worst_day=DayFigure(day=worst["day"], revenue_cents=int(worst["revenue_cents"]))
        if worst
        else None,
    )


async def get_daily_sales(db: Executor, query: SalesPeriod) -> DailySalesSeries:
    start, end, location_id = query.start, query.end, query.location_id
    check_range(start, end, max_days=MAX_RANGE_DAYS)
    await _require_location(db, location_id)
    rows = {row["day"]: row for row in await repository.daily_totals(db, start, end, location_id)}
    points = []
    for day in days_between(start, end):
        row = rows.get(day)
        revenue = int(row["revenue_cents"]) if row else 0
        orders = int(row["orders"]) if row else 0
        points.append(
            DailySales(
                day=day,
                weekday=day.strftime("%A"),
                revenue_cents=revenue,
                orders=orders,
                covers=int(row["covers"]) if row else 0,
                average_ticket_cents=round(revenue / orders) if orders else 0,
            )
        )
    return DailySalesSeries(start=start, end=end, location_id=location_id, points=points)


async def list_top_items(db: Executor, query: TopItemsQuery) -> TopItemList:
    start, end, location_id = query.start, query.end, query.location_id
    category, rank_by, limit = query.category, query.rank_by, query.limit
    check_range(start, end, max_days=MAX_RANGE_DAYS)
    await _require_location(db, location_id)
    rows, total = await repository.item_totals(
        db, start, end, location_id, category.value if category else None, rank_by.value, limit
    )
    return TopItemList(
        start=start,
        end=end,
        location_id=location_id,
        category=category,
        rank_by=rank_by,
        items=[
            TopItem(
                rank=rank,
                item_id=row["item_id"],
                name=row["name"],
                category=Category(row["category"]),
                quantity=int(row["quantity"]),
                revenue_cents=int(row["revenue_cents"]),
                share_of_revenue=round(int(row["revenue_cents"]) / total, 4) if total else 0.0,
            )
            for rank, row in enumerate(rows, start=1)
        ],
    )


def _change(previous: int, current: int) -> Change:
    pct = round((current - previous) / previous * 100, 1) if previous else None
    return Change(previous=previous, current=current, change_pct=pct)


async def compare_periods(db: Executor, query: PeriodsToCompare) -> PeriodComparison:
    current_start, current_end = query.current_start, query.current_end
    previous_start, previous_end = query.previous_start, query.previous_end
    location_id = query.location_id
    check_range(current_start, current_end, max_days=MAX_RANGE_DAYS, label="current period")
    check_range(previous_start, previous_end, max_days=MAX_RANGE_DAYS, label="previous period")
    await _require_location(db, location_id)
    current_rows = await repository.totals_by_location(db, current_start, current_end, location_id)
    previous_rows = {
        r["location_id"]: r
        for r in await repository.totals_by_location(db, previous_start, previous_end, location_id)
    }

    def ticket(row: asyncpg.Record) -> int:
        return round(int(row["revenue_cents"]) / int(row["orders"])) if row["orders"] else 0

    by_location = []
    for row in current_rows:
        before = previous_rows[row["location_id"]]
        by_location.append(
            LocationComparison(
                location_id=row["location_id"],
                location_name=row["location_name"],
                revenue=_change(int(before["revenue_cents"]), int(row["revenue_cents"])),
                covers=_change(int(before["covers"]), int(row["covers"])),
                average_ticket=_change(ticket(before), ticket(row)),
            )
        )
    by_location.sort(
        key=lambda c: (
            c.revenue.change_pct if c.revenue.change_pct is not None else 0.0,
            c.location_id,
        )
    )

    def totals(rows: list[asyncpg.Record]) -> SalesTotals:
        return _totals(
            sum(int(r["revenue_cents"]) for r in rows),
            sum(int(r["orders"]) for r in rows),
            sum(int(r["covers"]) for r in rows),
            max((int(r["days"]) for r in rows), default=0),
        )

    now = totals(current_rows)
    then = totals(list(previous_rows.values()))
    return PeriodComparison(
        current=PeriodTotals(start=current_start, end=current_end, totals=now),
        previous=PeriodTotals(start=previous_start, end=previous_end, totals=then),
        location_id=location_id,
        revenue=_change(then.revenue_cents, now.revenue_cents),
        orders=_change(then.orders, now.orders),
        covers=_change(then.covers, now.covers),
        average_ticket=_change(then.average_ticket_cents, now.average_ticket_cents),
        by_location=by_location,
    )
