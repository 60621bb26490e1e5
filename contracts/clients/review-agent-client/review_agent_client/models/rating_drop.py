from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="RatingDrop")


@_attrs_define
class RatingDrop:
    """Where the average rating stepped down: the week that splits the range into the
    clearest fall from before to after, with covers per day on both sides.

        Attributes:
            change (float): Stars lost (negative) from before to after.
            covers_change_pct (float | None): Change in covers per day from before to after, in percent; null when there
                were no covers before.
            covers_per_day_after (float):
            covers_per_day_before (float):
            rating_after (float): Average rating from that week on.
            rating_before (float): Average rating of the reviews before that week.
            week (str): ISO week from which the lower rating holds.
            week_start (datetime.date):
    """

    change: float
    covers_change_pct: float | None
    covers_per_day_after: float
    covers_per_day_before: float
    rating_after: float
    rating_before: float
    week: str
    week_start: datetime.date

    def to_dict(self) -> dict[str, Any]:
        change = self.change

        covers_change_pct: float | None
        covers_change_pct = self.covers_change_pct

        covers_per_day_after = self.covers_per_day_after

        covers_per_day_before = self.covers_per_day_before

        rating_after = self.rating_after

        rating_before = self.rating_before

        week = self.week

        week_start = self.week_start.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "change": change,
                "covers_change_pct": covers_change_pct,
                "covers_per_day_after": covers_per_day_after,
                "covers_per_day_before": covers_per_day_before,
                "rating_after": rating_after,
                "rating_before": rating_before,
                "week": week,
                "week_start": week_start,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        change = d.pop("change")

        def _parse_covers_change_pct(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        covers_change_pct = _parse_covers_change_pct(d.pop("covers_change_pct"))

        covers_per_day_after = d.pop("covers_per_day_after")

        covers_per_day_before = d.pop("covers_per_day_before")

        rating_after = d.pop("rating_after")

        rating_before = d.pop("rating_before")

        week = d.pop("week")

        week_start = datetime.date.fromisoformat(d.pop("week_start"))

        rating_drop = cls(
            change=change,
            covers_change_pct=covers_change_pct,
            covers_per_day_after=covers_per_day_after,
            covers_per_day_before=covers_per_day_before,
            rating_after=rating_after,
            rating_before=rating_before,
            week=week,
            week_start=week_start,
        )

        return rating_drop
