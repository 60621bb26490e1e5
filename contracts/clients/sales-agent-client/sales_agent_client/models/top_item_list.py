from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.category import Category
from ..models.rank_by import RankBy

if TYPE_CHECKING:
    from ..models.top_item import TopItem


T = TypeVar("T", bound="TopItemList")


@_attrs_define
class TopItemList:
    """
    Attributes:
        category (Category | None):
        end (datetime.date):
        items (list[TopItem]):
        location_id (None | str):
        rank_by (RankBy):
        start (datetime.date):
    """

    category: Category | None
    end: datetime.date
    items: list[TopItem]
    location_id: None | str
    rank_by: RankBy
    start: datetime.date

    def to_dict(self) -> dict[str, Any]:
        category: None | str
        if isinstance(self.category, Category):
            category = self.category.value
        else:
            category = self.category

        end = self.end.isoformat()

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        location_id: None | str
        location_id = self.location_id

        rank_by = self.rank_by.value

        start = self.start.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "category": category,
                "end": end,
                "items": items,
                "location_id": location_id,
                "rank_by": rank_by,
                "start": start,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.top_item import TopItem

        d = dict(src_dict)

        def _parse_category(data: object) -> Category | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                category_type_0 = Category(data)

                return category_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Category | None, data)

        category = _parse_category(d.pop("category"))

        end = datetime.date.fromisoformat(d.pop("end"))

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = TopItem.from_dict(items_item_data)

            items.append(items_item)

        def _parse_location_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        location_id = _parse_location_id(d.pop("location_id"))

        rank_by = RankBy(d.pop("rank_by"))

        start = datetime.date.fromisoformat(d.pop("start"))

        top_item_list = cls(
            category=category,
            end=end,
            items=items,
            location_id=location_id,
            rank_by=rank_by,
            start=start,
        )

        return top_item_list
