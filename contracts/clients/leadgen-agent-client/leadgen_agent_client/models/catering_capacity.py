from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.location_id import LocationId

T = TypeVar("T", bound="CateringCapacity")


@_attrs_define
class CateringCapacity:
    """How much catering one restaurant has been selling, from sales-agent's figures.

    Attributes:
        chain_catering_cents (int): Catering sold by the whole chain.
        end (datetime.date): Last day of that window.
        even_share (float): The share each restaurant would have if all sold alike.
        location_catering_cents (int): Catering sold at this restaurant.
        location_id (LocationId): The chain's restaurants, by the ids sales-agent uses.
        share_of_chain (float): This restaurant's share of chain catering, 0..1.
        spend_per_cover_cents (int | None): The chain's revenue per guest in the window, for judging budgets.
        start (datetime.date): First day of the window sales-agent reported on.
    """

    chain_catering_cents: int
    end: datetime.date
    even_share: float
    location_catering_cents: int
    location_id: LocationId
    share_of_chain: float
    spend_per_cover_cents: int | None
    start: datetime.date

    def to_dict(self) -> dict[str, Any]:
        chain_catering_cents = self.chain_catering_cents

        end = self.end.isoformat()

        even_share = self.even_share

        location_catering_cents = self.location_catering_cents

        location_id = self.location_id.value

        share_of_chain = self.share_of_chain

        spend_per_cover_cents: int | None
        spend_per_cover_cents = self.spend_per_cover_cents

        start = self.start.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "chain_catering_cents": chain_catering_cents,
                "end": end,
                "even_share": even_share,
                "location_catering_cents": location_catering_cents,
                "location_id": location_id,
                "share_of_chain": share_of_chain,
                "spend_per_cover_cents": spend_per_cover_cents,
                "start": start,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        chain_catering_cents = d.pop("chain_catering_cents")

        end = datetime.date.fromisoformat(d.pop("end"))

        even_share = d.pop("even_share")

        location_catering_cents = d.pop("location_catering_cents")

        location_id = LocationId(d.pop("location_id"))

        share_of_chain = d.pop("share_of_chain")

        def _parse_spend_per_cover_cents(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        spend_per_cover_cents = _parse_spend_per_cover_cents(
            d.pop("spend_per_cover_cents")
        )

        start = datetime.date.fromisoformat(d.pop("start"))

        catering_capacity = cls(
            chain_catering_cents=chain_catering_cents,
            end=end,
            even_share=even_share,
            location_catering_cents=location_catering_cents,
            location_id=location_id,
            share_of_chain=share_of_chain,
            spend_per_cover_cents=spend_per_cover_cents,
            start=start,
        )

        return catering_capacity
