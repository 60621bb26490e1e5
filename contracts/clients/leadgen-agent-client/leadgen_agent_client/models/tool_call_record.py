from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.tool_call_record_input import ToolCallRecordInput


T = TypeVar("T", bound="ToolCallRecord")


@_attrs_define
class ToolCallRecord:
    """One tool the agent called while answering.

    Attributes:
        duration_ms (float):
        id (str):
        input_ (ToolCallRecordInput):
        is_error (bool):
        name (str):
        error_type (None | str | Unset):
    """

    duration_ms: float
    id: str
    input_: ToolCallRecordInput
    is_error: bool
    name: str
    error_type: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        duration_ms = self.duration_ms

        id = self.id

        input_ = self.input_.to_dict()

        is_error = self.is_error

        name = self.name

        error_type: None | str | Unset
        if isinstance(self.error_type, Unset):
            error_type = UNSET
        else:
            error_type = self.error_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "duration_ms": duration_ms,
                "id": id,
                "input": input_,
                "is_error": is_error,
                "name": name,
            }
        )
        if error_type is not UNSET:
            field_dict["error_type"] = error_type

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.tool_call_record_input import ToolCallRecordInput

        d = dict(src_dict)
        duration_ms = d.pop("duration_ms")

        id = d.pop("id")

        input_ = ToolCallRecordInput.from_dict(d.pop("input"))

        is_error = d.pop("is_error")

        name = d.pop("name")

        def _parse_error_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_type = _parse_error_type(d.pop("error_type", UNSET))

        tool_call_record = cls(
            duration_ms=duration_ms,
            id=id,
            input_=input_,
            is_error=is_error,
            name=name,
            error_type=error_type,
        )

        tool_call_record.additional_properties = d
        return tool_call_record

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
