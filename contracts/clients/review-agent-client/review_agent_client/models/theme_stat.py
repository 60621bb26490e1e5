from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.theme import Theme

if TYPE_CHECKING:
    from ..models.theme_quote import ThemeQuote


T = TypeVar("T", bound="ThemeStat")


@_attrs_define
class ThemeStat:
    """
    Attributes:
        average_rating (float | None): Mean stars, rounded to two decimals; null when there are no reviews.
        count (int): Reviews in the range that mention the theme.
        examples (list[ThemeQuote]): Up to three recent quotes, in the tone most reviews of the theme take.
        label (str):
        negative_share (float): Share of those reviews that are negative, 0..1.
        share (float): Share of the range's reviews that mention it, 0..1.
        theme (Theme):
    """

    average_rating: float | None
    count: int
    examples: list[ThemeQuote]
    label: str
    negative_share: float
    share: float
    theme: Theme

    def to_dict(self) -> dict[str, Any]:
        average_rating: float | None
        average_rating = self.average_rating

        count = self.count

        examples = []
        for examples_item_data in self.examples:
            examples_item = examples_item_data.to_dict()
            examples.append(examples_item)

        label = self.label

        negative_share = self.negative_share

        share = self.share

        theme = self.theme.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "average_rating": average_rating,
                "count": count,
                "examples": examples,
                "label": label,
                "negative_share": negative_share,
                "share": share,
                "theme": theme,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.theme_quote import ThemeQuote

        d = dict(src_dict)

        def _parse_average_rating(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        average_rating = _parse_average_rating(d.pop("average_rating"))

        count = d.pop("count")

        examples = []
        _examples = d.pop("examples")
        for examples_item_data in _examples:
            examples_item = ThemeQuote.from_dict(examples_item_data)

            examples.append(examples_item)

        label = d.pop("label")

        negative_share = d.pop("negative_share")

        share = d.pop("share")

        theme = Theme(d.pop("theme"))

        theme_stat = cls(
            average_rating=average_rating,
            count=count,
            examples=examples,
            label=label,
            negative_share=negative_share,
            share=share,
            theme=theme,
        )

        return theme_stat
