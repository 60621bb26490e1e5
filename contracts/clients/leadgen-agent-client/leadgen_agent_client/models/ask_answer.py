from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.token_usage import TokenUsage
    from ..models.tool_call_record import ToolCallRecord


T = TypeVar("T", bound="AskAnswer")


@_attrs_define
class AskAnswer:
    """The agent's answer with the tool calls it made and the tokens it used.

    Attributes:
        answer (str):
        model (str):
        rounds (int): Model calls made.
        stop_reason (str): end_turn when the model finished; max_rounds, token_budget or max_tokens when a limit cut the
            turn short.
        tool_calls (list[ToolCallRecord]):
        usage (TokenUsage):
    """

    answer: str
    model: str
    rounds: int
    stop_reason: str
    tool_calls: list[ToolCallRecord]
    usage: TokenUsage
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        answer = self.answer

        model = self.model

        rounds = self.rounds

        stop_reason = self.stop_reason

        tool_calls = []
        for tool_calls_item_data in self.tool_calls:
            tool_calls_item = tool_calls_item_data.to_dict()
            tool_calls.append(tool_calls_item)

        usage = self.usage.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "answer": answer,
                "model": model,
                "rounds": rounds,
                "stop_reason": stop_reason,
                "tool_calls": tool_calls,
                "usage": usage,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.token_usage import TokenUsage
        from ..models.tool_call_record import ToolCallRecord

        d = dict(src_dict)
        answer = d.pop("answer")

        model = d.pop("model")

        rounds = d.pop("rounds")

        stop_reason = d.pop("stop_reason")

        tool_calls = []
        _tool_calls = d.pop("tool_calls")
        for tool_calls_item_data in _tool_calls:
            tool_calls_item = ToolCallRecord.from_dict(tool_calls_item_data)

            tool_calls.append(tool_calls_item)

        usage = TokenUsage.from_dict(d.pop("usage"))

        ask_answer = cls(
            answer=answer,
            model=model,
            rounds=rounds,
            stop_reason=stop_reason,
            tool_calls=tool_calls,
            usage=usage,
        )

        ask_answer.additional_properties = d
        return ask_answer

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
