from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.location_rating import LocationRating
    from ..models.rating_count import RatingCount
    from ..models.sentiment_split import SentimentSplit
    from ..models.weekly_rating import WeeklyRating


T = TypeVar("T", bound="RatingSummary")


@_attrs_define
class RatingSummary:
    """Ratings over a date range, for the whole chain or one location.

    Attributes:
        average_rating (float | None): Mean stars, rounded to two decimals; null when there are no reviews.
        awaiting_reply (int): Reviews in the range without a posted reply.
        by_location (list[LocationRating]): Sorted by average rating, lowest first; locations without reviews last.
        count (int): Reviews published in the range.
        distribution (list[RatingCount]): One entry per star rating, 1 to 5.
        end (datetime.date):
        location_id (None | str): The location the summary is limited to, or null for the whole chain.
        sentiment (SentimentSplit): How many reviews read positive, neutral and negative.
        start (datetime.date):
        weekly (list[WeeklyRating]): The trend, one entry per ISO week, oldest first.
    """

    average_rating: float | None
    awaiting_reply: int
    by_location: list[LocationRating]
    count: int
    distribution: list[RatingCount]
    end: datetime.date
    location_id: None | str
    sentiment: SentimentSplit
    start: datetime.date
    weekly: list[WeeklyRating]

    def to_dict(self) -> dict[str, Any]:
        average_rating: float | None
        average_rating = self.average_rating

        awaiting_reply = self.awaiting_reply

        by_location = []
        for by_location_item_data in self.by_location:
            by_location_item = by_location_item_data.to_dict()
            by_location.append(by_location_item)

        count = self.count

        distribution = []
        for distribution_item_data in self.distribution:
            distribution_item = distribution_item_data.to_dict()
            distribution.append(distribution_item)

        end = self.end.isoformat()

        location_id: None | str
        location_id = self.location_id

        sentiment = self.sentiment.to_dict()

        start = self.start.isoformat()

        weekly = []
        for weekly_item_data in self.weekly:
            weekly_item = weekly_item_data.to_dict()
            weekly.append(weekly_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "average_rating": average_rating,
                "awaiting_reply": awaiting_reply,
                "by_location": by_location,
                "count": count,
                "distribution": distribution,
                "end": end,
                "location_id": location_id,
                "sentiment": sentiment,
                "start": start,
                "weekly": weekly,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.location_rating import LocationRating
        from ..models.rating_count import RatingCount
        from ..models.sentiment_split import SentimentSplit
        from ..models.weekly_rating import WeeklyRating

        d = dict(src_dict)

        def _parse_average_rating(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        average_rating = _parse_average_rating(d.pop("average_rating"))

        awaiting_reply = d.pop("awaiting_reply")

        by_location = []
        _by_location = d.pop("by_location")
        for by_location_item_data in _by_location:
            by_location_item = LocationRating.from_dict(by_location_item_data)

            by_location.append(by_location_item)

        count = d.pop("count")

        distribution = []
        _distribution = d.pop("distribution")
        for distribution_item_data in _distribution:
            distribution_item = RatingCount.from_dict(distribution_item_data)

            distribution.append(distribution_item)

        end = datetime.date.fromisoformat(d.pop("end"))

        def _parse_location_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        location_id = _parse_location_id(d.pop("location_id"))

        sentiment = SentimentSplit.from_dict(d.pop("sentiment"))

        start = datetime.date.fromisoformat(d.pop("start"))

        weekly = []
        _weekly = d.pop("weekly")
        for weekly_item_data in _weekly:
            weekly_item = WeeklyRating.from_dict(weekly_item_data)

            weekly.append(weekly_item)

        rating_summary = cls(
            average_rating=average_rating,
            awaiting_reply=awaiting_reply,
            by_location=by_location,
            count=count,
            distribution=distribution,
            end=end,
            location_id=location_id,
            sentiment=sentiment,
            start=start,
            weekly=weekly,
        )

        return rating_summary
