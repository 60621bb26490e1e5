from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="LocationRating")


@_attrs_define
class LocationRating:
    """
    Attributes:
        average_rating (float | None): Mean stars, rounded to two decimals; null when there are no reviews.
        awaiting_reply (int): Reviews without a posted reply.
        count (int):
        location_id (str): A location's slug, such as `riverside`.
        location_name (str):
        negative_share (float): Share of this location's reviews that are negative, 0..1.
    """

    average_rating: float | None
    awaiting_reply: int
    count: int
    location_id: str
    location_name: str
    negative_share: float

    def to_dict(self) -> dict[str, Any]:
        average_rating: float | None
        average_rating = self.average_rating

        awaiting_reply = self.awaiting_reply

        count = self.count

        location_id = self.location_id

        location_name = self.location_name

        negative_share = self.negative_share

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "average_rating": average_rating,
                "awaiting_reply": awaiting_reply,
                "count": count,
                "location_id": location_id,
                "location_name": location_name,
                "negative_share": negative_share,
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

        awaiting_reply = d.pop("awaiting_reply")

        count = d.pop("count")

        location_id = d.pop("location_id")

        location_name = d.pop("location_name")

        negative_share = d.pop("negative_share")

        location_rating = cls(
            average_rating=average_rating,
            awaiting_reply=awaiting_reply,
            count=count,
            location_id=location_id,
            location_name=location_name,
            negative_share=negative_share,
        )

        return location_rating
