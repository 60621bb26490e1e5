from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DailySales")


@_attrs_define
class DailySales:
    """
    Attributes:
        average_ticket_cents (int):
        covers (int):
        day (datetime.date):
        orders (int):
        revenue_cents (int):
        weekday (str):
    """

    average_ticket_cents: int
    covers: int
    day: datetime.date
    orders: int
    revenue_cents: int
    weekday: str

    def to_dict(self) -> dict[str, Any]:
        average_ticket_cents = self.average_ticket_cents

        covers = self.covers

        day = self.day.isoformat()

        orders = self.orders

        revenue_cents = self.revenue_cents

        weekday = self.weekday

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "average_ticket_cents": average_ticket_cents,
                "covers": covers,
                "day": day,
                "orders": orders,
                "revenue_cents": revenue_cents,
                "weekday": weekday,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        average_ticket_cents = d.pop("average_ticket_cents")

        covers = d.pop("covers")

        day = datetime.date.fromisoformat(d.pop("day"))

        orders = d.pop("orders")

        revenue_cents = d.pop("revenue_cents")

        weekday = d.pop("weekday")

        daily_sales = cls(
            average_ticket_cents=average_ticket_cents,
            covers=covers,
            day=day,
            orders=orders,
            revenue_cents=revenue_cents,
            weekday=weekday,
        )

        return daily_sales
