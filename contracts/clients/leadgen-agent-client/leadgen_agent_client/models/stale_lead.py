from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..models.lead_stage import LeadStage
from ..models.location_id import LocationId

T = TypeVar("T", bound="StaleLead")


@_attrs_define
class StaleLead:
    """
    Attributes:
        company (str):
        days_since_change (int):
        id (UUID):
        preferred_location_id (LocationId): The chain's restaurants, by the ids sales-agent uses.
        stage (LeadStage): Pipeline stages in order; `won` and `lost` close a lead.
    """

    company: str
    days_since_change: int
    id: UUID
    preferred_location_id: LocationId
    stage: LeadStage

    def to_dict(self) -> dict[str, Any]:
        company = self.company

        days_since_change = self.days_since_change

        id = str(self.id)

        preferred_location_id = self.preferred_location_id.value

        stage = self.stage.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "company": company,
                "days_since_change": days_since_change,
                "id": id,
                "preferred_location_id": preferred_location_id,
                "stage": stage,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        company = d.pop("company")

        days_since_change = d.pop("days_since_change")

        id = UUID(d.pop("id"))

        preferred_location_id = LocationId(d.pop("preferred_location_id"))

        stage = LeadStage(d.pop("stage"))

        stale_lead = cls(
            company=company,
            days_since_change=days_since_change,
            id=id,
            preferred_location_id=preferred_location_id,
            stage=stage,
        )

        return stale_lead
