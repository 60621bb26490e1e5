from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.theme_stat import ThemeStat


T = TypeVar("T", bound="ThemeList")


@_attrs_define
class ThemeList:
    """What reviews talk about over a date range, most mentioned first.

    Attributes:
        end (datetime.date):
        items (list[ThemeStat]):
        location_id (None | str):
        review_count (int): Reviews in the range, with or without a theme.
        start (datetime.date):
    """

    end: datetime.date
    items: list[ThemeStat]
    location_id: None | str
    review_count: int
    start: datetime.date

    def to_dict(self) -> dict[str, Any]:
        end = self.end.isoformat()

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        location_id: None | str
        location_id = self.location_id

        review_count = self.review_count

        start = self.start.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "end": end,
                "items": items,
                "location_id": location_id,
                "review_count": review_count,
                "start": start,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.theme_stat import ThemeStat

        d = dict(src_dict)
        end = datetime.date.fromisoformat(d.pop("end"))

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = ThemeStat.from_dict(items_item_data)

            items.append(items_item)

        def _parse_location_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        location_id = _parse_location_id(d.pop("location_id"))

        review_count = d.pop("review_count")

        start = datetime.date.fromisoformat(d.pop("start"))

        theme_list = cls(
            end=end,
            items=items,
            location_id=location_id,
            review_count=review_count,
            start=start,
        )

        return theme_list
