from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RatingCount")


@_attrs_define
class RatingCount:
    """
    Attributes:
        count (int):
        rating (int): Stars, 1 (worst) to 5 (best).
        share (float): Share of the period's reviews, 0..1.
    """

    count: int
    rating: int
    share: float

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        rating = self.rating

        share = self.share

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "rating": rating,
                "share": share,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        count = d.pop("count")

        rating = d.pop("rating")

        share = d.pop("share")

        rating_count = cls(
            count=count,
            rating=rating,
            share=share,
        )

        return rating_count
