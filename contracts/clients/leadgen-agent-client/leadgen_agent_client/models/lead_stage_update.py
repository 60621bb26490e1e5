from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.lead_stage import LeadStage
from ..types import UNSET, Unset

T = TypeVar("T", bound="LeadStageUpdate")


@_attrs_define
class LeadStageUpdate:
    """Move a lead to another pipeline stage.

    Attributes:
        stage (LeadStage): Pipeline stages in order; `won` and `lost` close a lead.
        lost_reason (None | str | Unset): Why the lead was lost; required when `stage` is `lost`.
        note (None | str | Unset):
    """

    stage: LeadStage
    lost_reason: None | str | Unset = UNSET
    note: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        stage = self.stage.value

        lost_reason: None | str | Unset
        if isinstance(self.lost_reason, Unset):
            lost_reason = UNSET
        else:
            lost_reason = self.lost_reason

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "stage": stage,
            }
        )
        if lost_reason is not UNSET:
            field_dict["lost_reason"] = lost_reason
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        stage = LeadStage(d.pop("stage"))

        def _parse_lost_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        lost_reason = _parse_lost_reason(d.pop("lost_reason", UNSET))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        lead_stage_update = cls(
            stage=stage,
            lost_reason=lost_reason,
            note=note,
        )

        return lead_stage_update
