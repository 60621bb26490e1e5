from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.score_factor_name import ScoreFactorName

T = TypeVar("T", bound="ScoreFactor")


@_attrs_define
class ScoreFactor:
    """One reason behind a score.

    Attributes:
        available (bool): False when the data behind the factor could not be fetched.
        explanation (str):
        factor (ScoreFactorName):
        max_points (int): The most this factor can earn.
        points (int): Points this factor earned (0 when unavailable).
    """

    available: bool
    explanation: str
    factor: ScoreFactorName
    max_points: int
    points: int

    def to_dict(self) -> dict[str, Any]:
        available = self.available

        explanation = self.explanation

        factor = self.factor.value

        max_points = self.max_points

        points = self.points

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "available": available,
                "explanation": explanation,
                "factor": factor,
                "max_points": max_points,
                "points": points,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        available = d.pop("available")

        explanation = d.pop("explanation")

        factor = ScoreFactorName(d.pop("factor"))

        max_points = d.pop("max_points")

        points = d.pop("points")

        score_factor = cls(
            available=available,
            explanation=explanation,
            factor=factor,
            max_points=max_points,
            points=points,
        )

        return score_factor
