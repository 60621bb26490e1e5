from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.sales_totals import SalesTotals


T = TypeVar("T", bound="LocationSales")


@_attrs_define
class LocationSales:
    """
    Attributes:
        location_id (str): A location's slug, such as `riverside`.
        location_name (str):
        share_of_revenue (float): This location's share of the chain's revenue, 0..1.
        totals (SalesTotals): Takings over a period. Money is in euro cents, VAT included.
    """

    location_id: str
    location_name: str
    share_of_revenue: float
    totals: SalesTotals

    def to_dict(self) -> dict[str, Any]:
        location_id = self.location_id

        location_name = self.location_name

        share_of_revenue = self.share_of_revenue

        totals = self.totals.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "location_id": location_id,
                "location_name": location_name,
                "share_of_revenue": share_of_revenue,
                "totals": totals,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.sales_totals import SalesTotals

        d = dict(src_dict)
        location_id = d.pop("location_id")

        location_name = d.pop("location_name")

        share_of_revenue = d.pop("share_of_revenue")

        totals = SalesTotals.from_dict(d.pop("totals"))

        location_sales = cls(
            location_id=location_id,
            location_name=location_name,
            share_of_revenue=share_of_revenue,
            totals=totals,
        )

        return location_sales
