from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.score_factor import ScoreFactor


T = TypeVar("T", bound="LeadScore")


@_attrs_define
class LeadScore:
    """How promising a lead is, 0..100, with the factors that add up to it.

    Attributes:
        partial (bool): True when some factor was unavailable (sales-agent did not answer); qualify again later for a
            complete score.
        rationale (list[ScoreFactor]):
        score (int): The sum of the factors' points.
        scored_at (datetime.datetime):
    """

    partial: bool
    rationale: list[ScoreFactor]
    score: int
    scored_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        partial = self.partial

        rationale = []
        for rationale_item_data in self.rationale:
            rationale_item = rationale_item_data.to_dict()
            rationale.append(rationale_item)

        score = self.score

        scored_at = self.scored_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "partial": partial,
                "rationale": rationale,
                "score": score,
                "scored_at": scored_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.score_factor import ScoreFactor

        d = dict(src_dict)
        partial = d.pop("partial")

        rationale = []
        _rationale = d.pop("rationale")
        for rationale_item_data in _rationale:
            rationale_item = ScoreFactor.from_dict(rationale_item_data)

            rationale.append(rationale_item)

        score = d.pop("score")

        scored_at = datetime.datetime.fromisoformat(d.pop("scored_at"))

        lead_score = cls(
            partial=partial,
            rationale=rationale,
            score=score,
            scored_at=scored_at,
        )

        return lead_score
