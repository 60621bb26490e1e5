from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SentimentSplit")


@_attrs_define
class SentimentSplit:
    """How many reviews read positive, neutral and negative.

    Attributes:
        negative (int):
        neutral (int):
        positive (int):
    """

    negative: int
    neutral: int
    positive: int

    def to_dict(self) -> dict[str, Any]:
        negative = self.negative

        neutral = self.neutral

        positive = self.positive

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "negative": negative,
                "neutral": neutral,
                "positive": positive,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        negative = d.pop("negative")

        neutral = d.pop("neutral")

        positive = d.pop("positive")

        sentiment_split = cls(
            negative=negative,
            neutral=neutral,
            positive=positive,
        )

        return sentiment_split
