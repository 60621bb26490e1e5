from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="AskRequest")


@_attrs_define
class AskRequest:
    """A question in plain language.

    Attributes:
        question (str): The question, as a person would ask it.
        context (None | str | Unset): Anything the caller already knows that helps: earlier turns, the user's role,
            figures from other agents.
    """

    question: str
    context: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        question = self.question

        context: None | str | Unset
        if isinstance(self.context, Unset):
            context = UNSET
        else:
            context = self.context

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "question": question,
            }
        )
        if context is not UNSET:
            field_dict["context"] = context

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        question = d.pop("question")

        def _parse_context(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        context = _parse_context(d.pop("context", UNSET))

        ask_request = cls(
            question=question,
            context=context,
        )

        return ask_request
