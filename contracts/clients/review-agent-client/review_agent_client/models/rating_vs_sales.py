from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rating_sales_finding import RatingSalesFinding
    from ..models.weekly_rating_sales import WeeklyRatingSales


T = TypeVar("T", bound="RatingVsSales")


@_attrs_define
class RatingVsSales:
    """Weekly ratings next to weekly takings for one location, and what they suggest.

    Attributes:
        end (datetime.date):
        finding (RatingSalesFinding): What the weekly figures suggest, computed, not guessed.
        location_id (str): A location's slug, such as `riverside`.
        location_name (str):
        start (datetime.date):
        weeks (list[WeeklyRatingSales]): Oldest first.
        currency (str | Unset):  Default: 'EUR'.
    """

    end: datetime.date
    finding: RatingSalesFinding
    location_id: str
    location_name: str
    start: datetime.date
    weeks: list[WeeklyRatingSales]
    currency: str | Unset = "EUR"

    def to_dict(self) -> dict[str, Any]:
        end = self.end.isoformat()

        finding = self.finding.to_dict()

        location_id = self.location_id

        location_name = self.location_name

        start = self.start.isoformat()

        weeks = []
        for weeks_item_data in self.weeks:
            weeks_item = weeks_item_data.to_dict()
            weeks.append(weeks_item)

        currency = self.currency

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "end": end,
                "finding": finding,
                "location_id": location_id,
                "location_name": location_name,
                "start": start,
                "weeks": weeks,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rating_sales_finding import RatingSalesFinding
        from ..models.weekly_rating_sales import WeeklyRatingSales

        d = dict(src_dict)
        end = datetime.date.fromisoformat(d.pop("end"))

        finding = RatingSalesFinding.from_dict(d.pop("finding"))

        location_id = d.pop("location_id")

        location_name = d.pop("location_name")

        start = datetime.date.fromisoformat(d.pop("start"))

        weeks = []
        _weeks = d.pop("weeks")
        for weeks_item_data in _weeks:
            weeks_item = WeeklyRatingSales.from_dict(weeks_item_data)

            weeks.append(weeks_item)

        currency = d.pop("currency", UNSET)

        rating_vs_sales = cls(
            end=end,
            finding=finding,
            location_id=location_id,
            location_name=location_name,
            start=start,
            weeks=weeks,
            currency=currency,
        )

        return rating_vs_sales
