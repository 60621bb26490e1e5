from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.change import Change
    from ..models.location_comparison import LocationComparison
    from ..models.period_totals import PeriodTotals


T = TypeVar("T", bound="PeriodComparison")


@_attrs_define
class PeriodComparison:
    """Two periods side by side, for the chain and per location, biggest movers first.

    Attributes:
        average_ticket (Change): How a figure moved from the previous period to the current one.
        by_location (list[LocationComparison]): Sorted by revenue change, the largest fall first.
        covers (Change): How a figure moved from the previous period to the current one.
        current (PeriodTotals):
        location_id (None | str):
        orders (Change): How a figure moved from the previous period to the current one.
        previous (PeriodTotals):
        revenue (Change): How a figure moved from the previous period to the current one.
    """

    average_ticket: Change
    by_location: list[LocationComparison]
    covers: Change
    current: PeriodTotals
    location_id: None | str
    orders: Change
    previous: PeriodTotals
    revenue: Change

    def to_dict(self) -> dict[str, Any]:
        average_ticket = self.average_ticket.to_dict()

        by_location = []
        for by_location_item_data in self.by_location:
            by_location_item = by_location_item_data.to_dict()
            by_location.append(by_location_item)

        covers = self.covers.to_dict()

        current = self.current.to_dict()

        location_id: None | str
        location_id = self.location_id

        orders = self.orders.to_dict()

        previous = self.previous.to_dict()

        revenue = self.revenue.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "average_ticket": average_ticket,
                "by_location": by_location,
                "covers": covers,
                "current": current,
                "location_id": location_id,
                "orders": orders,
                "previous": previous,
                "revenue": revenue,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.change import Change
        from ..models.location_comparison import LocationComparison
        from ..models.period_totals import PeriodTotals

        d = dict(src_dict)
        average_ticket = Change.from_dict(d.pop("average_ticket"))

        by_location = []
        _by_location = d.pop("by_location")
        for by_location_item_data in _by_location:
            by_location_item = LocationComparison.from_dict(by_location_item_data)

            by_location.append(by_location_item)

        covers = Change.from_dict(d.pop("covers"))

        current = PeriodTotals.from_dict(d.pop("current"))

        def _parse_location_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        location_id = _parse_location_id(d.pop("location_id"))

        orders = Change.from_dict(d.pop("orders"))

        previous = PeriodTotals.from_dict(d.pop("previous"))

        revenue = Change.from_dict(d.pop("revenue"))

        period_comparison = cls(
            average_ticket=average_ticket,
            by_location=by_location,
            covers=covers,
            current=current,
            location_id=location_id,
            orders=orders,
            previous=previous,
            revenue=revenue,
        )

        return period_comparison
