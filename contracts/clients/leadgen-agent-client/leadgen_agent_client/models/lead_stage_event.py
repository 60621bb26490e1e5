from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.lead_stage import LeadStage

T = TypeVar("T", bound="LeadStageEvent")


@_attrs_define
class LeadStageEvent:
    """One move in a lead's history; the first has no `from_stage` (the lead was captured).

    Attributes:
        at (datetime.datetime):
        from_stage (LeadStage | None):
        note (None | str):
        to_stage (LeadStage): Pipeline stages in order; `won` and `lost` close a lead.
    """

    at: datetime.datetime
    from_stage: LeadStage | None
    note: None | str
    to_stage: LeadStage

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        from_stage: None | str
        if isinstance(self.from_stage, LeadStage):
            from_stage = self.from_stage.value
        else:
            from_stage = self.from_stage

        note: None | str
        note = self.note

        to_stage = self.to_stage.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "at": at,
                "from_stage": from_stage,
                "note": note,
                "to_stage": to_stage,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        def _parse_from_stage(data: object) -> LeadStage | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                from_stage_type_0 = LeadStage(data)

                return from_stage_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LeadStage | None, data)

        from_stage = _parse_from_stage(d.pop("from_stage"))

        def _parse_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        note = _parse_note(d.pop("note"))

        to_stage = LeadStage(d.pop("to_stage"))

        lead_stage_event = cls(
            at=at,
            from_stage=from_stage,
            note=note,
            to_stage=to_stage,
        )

        return lead_stage_event
