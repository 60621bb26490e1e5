from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.change import Change


T = TypeVar("T", bound="LocationComparison")


@_attrs_define
class LocationComparison:
    """
    Attributes:
        average_ticket (Change): How a figure moved from the previous period to the current one.
        covers (Change): How a figure moved from the previous period to the current one.
        location_id (str): A location's slug, such as `riverside`.
        location_name (str):
        revenue (Change): How a figure moved from the previous period to the current one.
    """

    average_ticket: Change
    covers: Change
    location_id: str
    location_name: str
    revenue: Change

    def to_dict(self) -> dict[str, Any]:
        average_ticket = self.average_ticket.to_dict()

        covers = self.covers.to_dict()

        location_id = self.location_id

        location_name = self.location_name

        revenue = self.revenue.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "average_ticket": average_ticket,
                "covers": covers,
                "location_id": location_id,
                "location_name": location_name,
                "revenue": revenue,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.change import Change

        d = dict(src_dict)
        average_ticket = Change.from_dict(d.pop("average_ticket"))

        covers = Change.from_dict(d.pop("covers"))

        location_id = d.pop("location_id")

        location_name = d.pop("location_name")

        revenue = Change.from_dict(d.pop("revenue"))

        location_comparison = cls(
            average_ticket=average_ticket,
            covers=covers,
            location_id=location_id,
            location_name=location_name,
            revenue=revenue,
        )

        return location_comparison
