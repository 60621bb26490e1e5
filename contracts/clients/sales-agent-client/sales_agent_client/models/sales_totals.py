from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SalesTotals")


@_attrs_define
class SalesTotals:
    """Takings over a period. Money is in euro cents, VAT included.

    Attributes:
        average_ticket_cents (int): Revenue per order, rounded.
        covers (int): Guests served.
        days (int): Days in the period that have sales.
        orders (int): Tickets rung up.
        revenue_cents (int):
    """

    average_ticket_cents: int
    covers: int
    days: int
    orders: int
    revenue_cents: int

    def to_dict(self) -> dict[str, Any]:
        average_ticket_cents = self.average_ticket_cents

        covers = self.covers

        days = self.days

        orders = self.orders

        revenue_cents = self.revenue_cents

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "average_ticket_cents": average_ticket_cents,
                "covers": covers,
                "days": days,
                "orders": orders,
                "revenue_cents": revenue_cents,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        average_ticket_cents = d.pop("average_ticket_cents")

        covers = d.pop("covers")

        days = d.pop("days")

        orders = d.pop("orders")

        revenue_cents = d.pop("revenue_cents")

        sales_totals = cls(
            average_ticket_cents=average_ticket_cents,
            covers=covers,
            days=days,
            orders=orders,
            revenue_cents=revenue_cents,
        )

        return sales_totals
