from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.rating_drop import RatingDrop


T = TypeVar("T", bound="RatingSalesFinding")


@_attrs_define
class RatingSalesFinding:
    """What the weekly figures suggest, computed, not guessed.

    Attributes:
        correlation (float | None): Pearson correlation of weekly average rating with weekly covers per day, -1..1; null
            with fewer than three weeks that have reviews or no variation.
        rating_drop (None | RatingDrop): Null unless the rating stepped down by at least 0.3 stars, clearly beyond week-
            to-week noise.
        summary (str): The finding in one or two sentences.
        weeks_compared (int): Weeks with at least one review.
    """

    correlation: float | None
    rating_drop: None | RatingDrop
    summary: str
    weeks_compared: int

    def to_dict(self) -> dict[str, Any]:
        from ..models.rating_drop import RatingDrop

        correlation: float | None
        correlation = self.correlation

        rating_drop: dict[str, Any] | None
        if isinstance(self.rating_drop, RatingDrop):
            rating_drop = self.rating_drop.to_dict()
        else:
            rating_drop = self.rating_drop

        summary = self.summary

        weeks_compared = self.weeks_compared

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "correlation": correlation,
                "rating_drop": rating_drop,
                "summary": summary,
                "weeks_compared": weeks_compared,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rating_drop import RatingDrop

        d = dict(src_dict)

        def _parse_correlation(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        correlation = _parse_correlation(d.pop("correlation"))

        def _parse_rating_drop(data: object) -> None | RatingDrop:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rating_drop_type_0 = RatingDrop.from_dict(data)

                return rating_drop_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RatingDrop, data)

        rating_drop = _parse_rating_drop(d.pop("rating_drop"))

        summary = d.pop("summary")

        weeks_compared = d.pop("weeks_compared")

        rating_sales_finding = cls(
            correlation=correlation,
            rating_drop=rating_drop,
            summary=summary,
            weeks_compared=weeks_compared,
        )

        return rating_sales_finding
