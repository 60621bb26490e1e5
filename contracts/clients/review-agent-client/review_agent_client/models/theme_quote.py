from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

T = TypeVar("T", bound="ThemeQuote")


@_attrs_define
class ThemeQuote:
    """A sentence from a review that mentions the theme.

    Attributes:
        created_at (datetime.datetime):
        location_id (str): A location's slug, such as `riverside`.
        quote (str):
        rating (int): Stars, 1 (worst) to 5 (best).
        review_id (UUID):
    """

    created_at: datetime.datetime
    location_id: str
    quote: str
    rating: int
    review_id: UUID

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        location_id = self.location_id

        quote = self.quote

        rating = self.rating

        review_id = str(self.review_id)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "created_at": created_at,
                "location_id": location_id,
                "quote": quote,
                "rating": rating,
                "review_id": review_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        location_id = d.pop("location_id")

        quote = d.pop("quote")

        rating = d.pop("rating")

        review_id = UUID(d.pop("review_id"))

        theme_quote = cls(
            created_at=created_at,
            location_id=location_id,
            quote=quote,
            rating=rating,
            review_id=review_id,
        )

        return theme_quote
