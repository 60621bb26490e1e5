from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DayFigure")


@_attrs_define
class DayFigure:
    """
    Attributes:
        day (datetime.date):
        revenue_cents (int):
    """

    day: datetime.date
    revenue_cents: int

    def to_dict(self) -> dict[str, Any]:
        day = self.day.isoformat()

        revenue_cents = self.revenue_cents

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "day": day,
                "revenue_cents": revenue_cents,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        day = datetime.date.fromisoformat(d.pop("day"))

        revenue_cents = d.pop("revenue_cents")

        day_figure = cls(
            day=day,
            revenue_cents=revenue_cents,
        )

        return day_figure
