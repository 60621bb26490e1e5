from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.daily_sales import DailySales


T = TypeVar("T", bound="DailySalesSeries")


@_attrs_define
class DailySalesSeries:
    """One point per day in the range; days without trading have zero figures.

    Attributes:
        end (datetime.date):
        location_id (None | str):
        points (list[DailySales]):
        start (datetime.date):
        currency (str | Unset):  Default: 'EUR'.
    """

    end: datetime.date
    location_id: None | str
    points: list[DailySales]
    start: datetime.date
    currency: str | Unset = "EUR"

    def to_dict(self) -> dict[str, Any]:
        end = self.end.isoformat()

        location_id: None | str
        location_id = self.location_id

        points = []
        for points_item_data in self.points:
            points_item = points_item_data.to_dict()
            points.append(points_item)

        start = self.start.isoformat()

        currency = self.currency

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "end": end,
                "location_id": location_id,
                "points": points,
                "start": start,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.daily_sales import DailySales

        d = dict(src_dict)
        end = datetime.date.fromisoformat(d.pop("end"))

        def _parse_location_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        location_id = _parse_location_id(d.pop("location_id"))

        points = []
        _points = d.pop("points")
        for points_item_data in _points:
            points_item = DailySales.from_dict(points_item_data)

            points.append(points_item)

        start = datetime.date.fromisoformat(d.pop("start"))

        currency = d.pop("currency", UNSET)

        daily_sales_series = cls(
            end=end,
            location_id=location_id,
            points=points,
            start=start,
            currency=currency,
        )

        return daily_sales_series
