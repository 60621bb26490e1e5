from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.lead_stage import LeadStage

T = TypeVar("T", bound="StageSummary")


@_attrs_define
class StageSummary:
    """
    Attributes:
        average_days_in_stage (float | None): Average days leads spent in this stage before moving on, over completed
            stays; null when no lead has left it yet.
        budget_cents (int): Sum of their budgets in euro cents (unknown counts 0).
        leads (int): Leads currently in this stage.
        stage (LeadStage): Pipeline stages in order; `won` and `lost` close a lead.
    """

    average_days_in_stage: float | None
    budget_cents: int
    leads: int
    stage: LeadStage

    def to_dict(self) -> dict[str, Any]:
        average_days_in_stage: float | None
        average_days_in_stage = self.average_days_in_stage

        budget_cents = self.budget_cents

        leads = self.leads

        stage = self.stage.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "average_days_in_stage": average_days_in_stage,
                "budget_cents": budget_cents,
                "leads": leads,
                "stage": stage,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_average_days_in_stage(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        average_days_in_stage = _parse_average_days_in_stage(
            d.pop("average_days_in_stage")
        )

        budget_cents = d.pop("budget_cents")

        leads = d.pop("leads")

        stage = LeadStage(d.pop("stage"))

        stage_summary = cls(
            average_days_in_stage=average_days_in_stage,
            budget_cents=budget_cents,
            leads=leads,
            stage=stage,
        )

        return stage_summary
