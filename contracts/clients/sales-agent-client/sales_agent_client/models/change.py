from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="Change")


@_attrs_define
class Change:
    """How a figure moved from the previous period to the current one.

    Attributes:
        change_pct (float | None): Percentage change, or null when the previous value is zero.
        current (int):
        previous (int):
    """

    change_pct: float | None
    current: int
    previous: int

    def to_dict(self) -> dict[str, Any]:
        change_pct: float | None
        change_pct = self.change_pct

        current = self.current

        previous = self.previous

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "change_pct": change_pct,
                "current": current,
                "previous": previous,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_change_pct(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        change_pct = _parse_change_pct(d.pop("change_pct"))

        current = d.pop("current")

        previous = d.pop("previous")

        change = cls(
            change_pct=change_pct,
            current=current,
            previous=previous,
        )

        return change
