from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="WeeklyRatingSales")


@_attrs_define
class WeeklyRatingSales:
    """One ISO week, clipped to the range: ratings from reviews, takings from sales-agent.

    Attributes:
        average_rating (float | None): Mean stars, rounded to two decimals; null when there are no reviews.
        covers (int): Guests served.
        covers_per_day (float): Covers divided by the days in the range.
        days (int): Days of the week inside the range.
        revenue_cents (int): Takings in euro cents, VAT included.
        review_count (int):
        week (str):
        week_end (datetime.date):
        week_start (datetime.date):
    """

    average_rating: float | None
    covers: int
    covers_per_day: float
    days: int
    revenue_cents: int
    review_count: int
    week: str
    week_end: datetime.date
    week_start: datetime.date

    def to_dict(self) -> dict[str, Any]:
        average_rating: float | None
        average_rating = self.average_rating

        covers = self.covers

        covers_per_day = self.covers_per_day

        days = self.days

        revenue_cents = self.revenue_cents

        review_count = self.review_count

        week = self.week

        week_end = self.week_end.isoformat()

        week_start = self.week_start.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "average_rating": average_rating,
                "covers": covers,
                "covers_per_day": covers_per_day,
                "days": days,
                "revenue_cents": revenue_cents,
                "review_count": review_count,
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

        covers = d.pop("covers")

        covers_per_day = d.pop("covers_per_day")

        days = d.pop("days")

        revenue_cents = d.pop("revenue_cents")

        review_count = d.pop("review_count")

        week = d.pop("week")

        week_end = datetime.date.fromisoformat(d.pop("week_end"))

        week_start = datetime.date.fromisoformat(d.pop("week_start"))

        weekly_rating_sales = cls(
            average_rating=average_rating,
            covers=covers,
            covers_per_day=covers_per_day,
            days=days,
            revenue_cents=revenue_cents,
            review_count=review_count,
            week=week,
            week_end=week_end,
            week_start=week_start,
        )

        return weekly_rating_sales
