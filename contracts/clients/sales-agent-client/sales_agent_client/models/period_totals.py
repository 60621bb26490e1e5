from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.sales_totals import SalesTotals


T = TypeVar("T", bound="PeriodTotals")


@_attrs_define
class PeriodTotals:
    """
    Attributes:
        end (datetime.date):
        start (datetime.date):
        totals (SalesTotals): Takings over a period. Money is in euro cents, VAT included.
    """

    end: datetime.date
    start: datetime.date
    totals: SalesTotals

    def to_dict(self) -> dict[str, Any]:
        end = self.end.isoformat()

        start = self.start.isoformat()

        totals = self.totals.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "end": end,
                "start": start,
                "totals": totals,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.sales_totals import SalesTotals

        d = dict(src_dict)
        end = datetime.date.fromisoformat(d.pop("end"))

        start = datetime.date.fromisoformat(d.pop("start"))

        totals = SalesTotals.from_dict(d.pop("totals"))

        period_totals = cls(
            end=end,
            start=start,
            totals=totals,
        )

        return period_totals
