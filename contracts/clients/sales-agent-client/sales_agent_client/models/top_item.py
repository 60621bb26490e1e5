from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.category import Category

T = TypeVar("T", bound="TopItem")


@_attrs_define
class TopItem:
    """
    Attributes:
        category (Category):
        item_id (str):
        name (str):
        quantity (int):
        rank (int):
        revenue_cents (int):
        share_of_revenue (float): Share of the period's revenue over all items, 0..1.
    """

    category: Category
    item_id: str
    name: str
    quantity: int
    rank: int
    revenue_cents: int
    share_of_revenue: float

    def to_dict(self) -> dict[str, Any]:
        category = self.category.value

        item_id = self.item_id

        name = self.name

        quantity = self.quantity

        rank = self.rank

        revenue_cents = self.revenue_cents

        share_of_revenue = self.share_of_revenue

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "category": category,
                "item_id": item_id,
                "name": name,
                "quantity": quantity,
                "rank": rank,
                "revenue_cents": revenue_cents,
                "share_of_revenue": share_of_revenue,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        category = Category(d.pop("category"))

        item_id = d.pop("item_id")

        name = d.pop("name")

        quantity = d.pop("quantity")

        rank = d.pop("rank")

        revenue_cents = d.pop("revenue_cents")

        share_of_revenue = d.pop("share_of_revenue")

        top_item = cls(
            category=category,
            item_id=item_id,
            name=name,
            quantity=quantity,
            rank=rank,
            revenue_cents=revenue_cents,
            share_of_revenue=share_of_revenue,
        )

        return top_item
