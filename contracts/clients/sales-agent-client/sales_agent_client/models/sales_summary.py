from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.day_figure import DayFigure
    from ..models.location_sales import LocationSales
    from ..models.sales_totals import SalesTotals


T = TypeVar("T", bound="SalesSummary")


@_attrs_define
class SalesSummary:
    """Totals for a date range, for the whole chain or one location, with a per-location split.

    Attributes:
        best_day (DayFigure | None):
        by_location (list[LocationSales]): Sorted by revenue, highest first.
        end (datetime.date):
        location_id (None | str): The location the summary is limited to, or null for the whole chain.
        start (datetime.date):
        totals (SalesTotals): Takings over a period. Money is in euro cents, VAT included.
        worst_day (DayFigure | None):
        currency (str | Unset):  Default: 'EUR'.
    """

    best_day: DayFigure | None
    by_location: list[LocationSales]
    end: datetime.date
    location_id: None | str
    start: datetime.date
    totals: SalesTotals
    worst_day: DayFigure | None
    currency: str | Unset = "EUR"

    def to_dict(self) -> dict[str, Any]:
        from ..models.day_figure import DayFigure

        best_day: dict[str, Any] | None
        if isinstance(self.best_day, DayFigure):
            best_day = self.best_day.to_dict()
        else:
            best_day = self.best_day

        by_location = []
        for by_location_item_data in self.by_location:
            by_location_item = by_location_item_data.to_dict()
            by_location.append(by_location_item)

        end = self.end.isoformat()

        location_id: None | str
        location_id = self.location_id

        start = self.start.isoformat()

        totals = self.totals.to_dict()

        worst_day: dict[str, Any] | None
        if isinstance(self.worst_day, DayFigure):
            worst_day = self.worst_day.to_dict()
        else:
            worst_day = self.worst_day

        currency = self.currency

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "best_day": best_day,
                "by_location": by_location,
                "end": end,
                "location_id": location_id,
                "start": start,
                "totals": totals,
                "worst_day": worst_day,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.day_figure import DayFigure
        from ..models.location_sales import LocationSales
        from ..models.sales_totals import SalesTotals

        d = dict(src_dict)

        def _parse_best_day(data: object) -> DayFigure | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                best_day_type_0 = DayFigure.from_dict(data)

                return best_day_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DayFigure | None, data)

        best_day = _parse_best_day(d.pop("best_day"))

        by_location = []
        _by_location = d.pop("by_location")
        for by_location_item_data in _by_location:
            by_location_item = LocationSales.from_dict(by_location_item_data)

            by_location.append(by_location_item)

        end = datetime.date.fromisoformat(d.pop("end"))

        def _parse_location_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        location_id = _parse_location_id(d.pop("location_id"))

        start = datetime.date.fromisoformat(d.pop("start"))

        totals = SalesTotals.from_dict(d.pop("totals"))

        def _parse_worst_day(data: object) -> DayFigure | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                worst_day_type_0 = DayFigure.from_dict(data)

                return worst_day_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DayFigure | None, data)

        worst_day = _parse_worst_day(d.pop("worst_day"))

        currency = d.pop("currency", UNSET)

        sales_summary = cls(
            best_day=best_day,
            by_location=by_location,
            end=end,
            location_id=location_id,
            start=start,
            totals=totals,
            worst_day=worst_day,
            currency=currency,
        )

        return sales_summary
