from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

LocationId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^[a-z0-9-]+$",
        description="A location's slug, such as `riverside`.",
        examples=["riverside"],
    ),
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(StrEnum):
    STARTER = "starter"
    MAIN = "main"
    DESSERT = "dessert"
    DRINK = "drink"
    CATERING = "catering"


class RankBy(StrEnum):
    REVENUE = "revenue"
    QUANTITY = "quantity"


class SalesPeriod(Model):
    """A date range, for the whole chain or one location."""

    start: date = Field(description="First day of the period (inclusive).", examples=["2026-11-16"])
    end: date = Field(description="Last day of the period (inclusive).", examples=["2026-11-22"])
    location_id: LocationId | None = Field(
        default=None, description="Limit to one location; omit for the whole chain."
    )


class TopItemsQuery(SalesPeriod):
    category: Category | None = Field(default=None, description="Only this menu category.")
    rank_by: RankBy = Field(default=RankBy.REVENUE, description="Rank by revenue or by units sold.")
    limit: int = Field(default=10, ge=1, le=50, description="How many items to return.")


class PeriodsToCompare(Model):
    """Two date ranges to compare, for the whole chain or one location."""

    current_start: date = Field(description="First day of the current period.")
    current_end: date = Field(description="Last day of the current period.")
    previous_start: date = Field(description="First day of the period to compare with.")
    previous_end: date = Field(description="Last day of the period to compare with.")
    location_id: LocationId | None = Field(
        default=None, description="Limit to one location; omit for the whole chain."
    )


class MenuFilter(Model):
    category: Category | None = Field(default=None, description="Only items of this category.")


class LocationRef(Model):
    location_id: LocationId


class Location(Model):
    """One restaurant of the chain."""

    id: LocationId
    name: str = Field(examples=["Riverside"])
    address: str
    city: str
    timezone: str = Field(description="IANA time zone of the restaurant.")
    seats: int = Field(description="Seats in the dining room.")
    opened_on: date


class LocationList(Model):
    items: list[Location]


class MenuItem(Model):
    """A dish or drink on the menu, with its current price."""

    id: str = Field(examples=["piri-piri-chicken"])
    name: str
    category: Category
    price_cents: int = Field(description="Price in euro cents, VAT included.")


class MenuItemList(Model):
    items: list[MenuItem]


class SalesTotals(Model):
    """Takings over a period. Money is in euro cents, VAT included."""

    revenue_cents: int
    orders: int = Field(description="Tickets rung up.")
    covers: int = Field(description="Guests served.")
    average_ticket_cents: int = Field(description="Revenue per order, rounded.")
    days: int = Field(description="Days in the period that have sales.")


class LocationSales(Model):
    location_id: LocationId
    location_name: str
    totals: SalesTotals
    share_of_revenue: float = Field(
        description="This location's share of the chain's revenue, 0..1."
    )


class DayFigure(Model):
    day: date
    revenue_cents: int


class SalesSummary(Model):
    """Totals for a date range, for the whole chain or one location, with a per-location split."""

    start: date
    end: date
    location_id: LocationId | None = Field(
        description="The location the summary is limited to, or null for the whole chain."
    )
    currency: str = Field(default="EUR")
    totals: SalesTotals
    by_location: list[LocationSales] = Field(description="Sorted by revenue, highest first.")
    best_day: DayFigure | None
    worst_day: DayFigure | None


class DailySales(Model):
    day: date
    weekday: str = Field(examples=["Friday"])
    revenue_cents: int
    orders: int
    covers: int
    average_ticket_cents: int


class DailySalesSeries(Model):
    """One point per day in the range; days without trading have zero figures."""

    start: date
    end: date
    location_id: LocationId | None
    currency: str = Field(default="EUR")
    points: list[DailySales]


class TopItem(Model):
    rank: int
    item_id: str
    name: str
    category: Category
    quantity: int
    revenue_cents: int
    share_of_revenue: float = Field(
        description="Share of the period's revenue over all items, 0..1."
    )


class TopItemList(Model):
    start: date
    end: date
    location_id: LocationId | None
    category: Category | None
    rank_by: RankBy
    items: list[TopItem]


class PeriodTotals(Model):
    start: date
    end: date
    totals: SalesTotals


class Change(Model):
    """How a figure moved from the previous period to the current one."""

    previous: int
    current: int
    change_pct: float | None = Field(
        description="Percentage change, or null when the previous value is zero."
    )


class LocationComparison(Model):
    location_id: LocationId
    location_name: str
    revenue: Change
    covers: Change
    average_ticket: Change


class PeriodComparison(Model):
    """Two periods side by side, for the chain and per location, biggest movers first."""

    current: PeriodTotals
    previous: PeriodTotals
    location_id: LocationId | None
    revenue: Change
    orders: Change
    covers: Change
    average_ticket: Change
    by_location: list[LocationComparison] = Field(
        description="Sorted by revenue change, the largest fall first."
    )
