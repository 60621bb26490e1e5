from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="WeeklyRating")


@_attrs_define
class WeeklyRating:
    """One ISO week (Monday to Sunday), clipped to the requested range.

    Attributes:
        average_rating (float | None): Mean stars, rounded to two decimals; null when there are no reviews.
        count (int):
        negative_share (float): Share of the week's reviews that are negative, 0..1.
        week (str): ISO week, such as `2026-W47`.
        week_end (datetime.date): Last day of the week inside the range.
        week_start (datetime.date): First day of the week inside the range.
    """

    average_rating: float | None
    count: int
    negative_share: float
    week: str
    week_end: datetime.date
    week_start: datetime.date

    def to_dict(self) -> dict[str, Any]:
        average_rating: float | None
        average_rating = self.average_rating

        count = self.count

        negative_share = self.negative_share

        week = self.week

        week_end = self.week_end.isoformat()

        week_start = self.week_start.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "average_rating": average_rating,
                "count": count,
                "negative_share": negative_share,
                "week": week,
                "week_end": week_end,
                "week_start": week_start,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_average_rating(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        average_rating = _parse_average_rating(d.pop("average_rating"))

        count = d.pop("count")

        negative_share = d.pop("negative_share")

        week = d.pop("week")

        week_end = datetime.date.fromisoformat(d.pop("week_end"))

        week_start = datetime.date.fromisoformat(d.pop("week_start"))

        weekly_rating = cls(
            average_rating=average_rating,
            count=count,
            negative_share=negative_share,
            week=week,
            week_end=week_end,
            week_start=week_start,
        )

        return weekly_rating
