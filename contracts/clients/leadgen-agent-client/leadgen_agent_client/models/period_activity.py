from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PeriodActivity")


@_attrs_define
class PeriodActivity:
    """Pipeline movement over a date range (local days, inclusive).

    Attributes:
        created (int): Leads captured in the range.
        end (datetime.date):
        lost (int): Leads lost in the range.
        start (datetime.date):
        won (int): Leads won in the range.
    """

    created: int
    end: datetime.date
    lost: int
    start: datetime.date
    won: int

    def to_dict(self) -> dict[str, Any]:
        created = self.created

        end = self.end.isoformat()

        lost = self.lost

        start = self.start.isoformat()

        won = self.won

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "created": created,
                "end": end,
                "lost": lost,
                "start": start,
                "won": won,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created = d.pop("created")

        end = datetime.date.fromisoformat(d.pop("end"))

        lost = d.pop("lost")

        start = datetime.date.fromisoformat(d.pop("start"))

        won = d.pop("won")

        period_activity = cls(
            created=created,
            end=end,
            lost=lost,
            start=start,
            won=won,
        )

        return period_activity
