from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.location_id import LocationId

if TYPE_CHECKING:
    from ..models.period_activity import PeriodActivity
    from ..models.stage_summary import StageSummary
    from ..models.stale_lead import StaleLead


T = TypeVar("T", bound="PipelineSummary")


@_attrs_define
class PipelineSummary:
    """Where the pipeline stands: stages, conversion, stale leads and recent activity.

    Attributes:
        as_of (datetime.datetime):
        conversion_rate (float | None): Won leads over closed (won + lost) leads, 0..1; null when none are closed.
        location_id (LocationId | None): The location the summary is limited to, or null for the whole chain.
        open_budget_cents (int): Budget of the open leads in euro cents.
        open_leads (int):
        period (None | PeriodActivity): Activity in the requested date range, or null when none was given.
        stages (list[StageSummary]): Every stage, in pipeline order.
        stale_after_days (int):
        stale_count (int): Open leads without a stage change for too long.
        stale_leads (list[StaleLead]): The stalest open leads, longest untouched first (at most 25).
    """

    as_of: datetime.datetime
    conversion_rate: float | None
    location_id: LocationId | None
    open_budget_cents: int
    open_leads: int
    period: None | PeriodActivity
    stages: list[StageSummary]
    stale_after_days: int
    stale_count: int
    stale_leads: list[StaleLead]

    def to_dict(self) -> dict[str, Any]:
        from ..models.period_activity import PeriodActivity

        as_of = self.as_of.isoformat()

        conversion_rate: float | None
        conversion_rate = self.conversion_rate

        location_id: None | str
        if isinstance(self.location_id, LocationId):
            location_id = self.location_id.value
        else:
            location_id = self.location_id

        open_budget_cents = self.open_budget_cents

        open_leads = self.open_leads

        period: dict[str, Any] | None
        if isinstance(self.period, PeriodActivity):
            period = self.period.to_dict()
        else:
            period = self.period

        stages = []
        for stages_item_data in self.stages:
            stages_item = stages_item_data.to_dict()
            stages.append(stages_item)

        stale_after_days = self.stale_after_days

        stale_count = self.stale_count

        stale_leads = []
        for stale_leads_item_data in self.stale_leads:
            stale_leads_item = stale_leads_item_data.to_dict()
            stale_leads.append(stale_leads_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "as_of": as_of,
                "conversion_rate": conversion_rate,
                "location_id": location_id,
                "open_budget_cents": open_budget_cents,
                "open_leads": open_leads,
                "period": period,
                "stages": stages,
                "stale_after_days": stale_after_days,
                "stale_count": stale_count,
                "stale_leads": stale_leads,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.period_activity import PeriodActivity
        from ..models.stage_summary import StageSummary
        from ..models.stale_lead import StaleLead

        d = dict(src_dict)
        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        def _parse_conversion_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        conversion_rate = _parse_conversion_rate(d.pop("conversion_rate"))

        def _parse_location_id(data: object) -> LocationId | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                location_id_type_0 = LocationId(data)

                return location_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LocationId | None, data)

        location_id = _parse_location_id(d.pop("location_id"))

        open_budget_cents = d.pop("open_budget_cents")

        open_leads = d.pop("open_leads")

        def _parse_period(data: object) -> None | PeriodActivity:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                period_type_0 = PeriodActivity.from_dict(data)

                return period_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PeriodActivity, data)

        period = _parse_period(d.pop("period"))

        stages = []
        _stages = d.pop("stages")
        for stages_item_data in _stages:
            stages_item = StageSummary.from_dict(stages_item_data)

            stages.append(stages_item)

        stale_after_days = d.pop("stale_after_days")

        stale_count = d.pop("stale_count")

        stale_leads = []
        _stale_leads = d.pop("stale_leads")
        for stale_leads_item_data in _stale_leads:
            stale_leads_item = StaleLead.from_dict(stale_leads_item_data)

            stale_leads.append(stale_leads_item)

        pipeline_summary = cls(
            as_of=as_of,
            conversion_rate=conversion_rate,
            location_id=location_id,
            open_budget_cents=open_budget_cents,
            open_leads=open_leads,
            period=period,
            stages=stages,
            stale_after_days=stale_after_days,
            stale_count=stale_count,
            stale_leads=stale_leads,
        )

        return pipeline_summary
