from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Location")


@_attrs_define
class Location:
    """One restaurant of the chain.

    Attributes:
        address (str):
        city (str):
        id (str): A location's slug, such as `riverside`.
        name (str):
        opened_on (datetime.date):
        seats (int): Seats in the dining room.
        timezone (str): IANA time zone of the restaurant.
    """

    address: str
    city: str
    id: str
    name: str
    opened_on: datetime.date
    seats: int
    timezone: str

    def to_dict(self) -> dict[str, Any]:
        address = self.address

        city = self.city

        id = self.id

        name = self.name

        opened_on = self.opened_on.isoformat()

        seats = self.seats

        timezone = self.timezone

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "address": address,
                "city": city,
                "id": id,
                "name": name,
                "opened_on": opened_on,
                "seats": seats,
                "timezone": timezone,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        address = d.pop("address")

        city = d.pop("city")

        id = d.pop("id")

        name = d.pop("name")

        opened_on = datetime.date.fromisoformat(d.pop("opened_on"))

        seats = d.pop("seats")

        timezone = d.pop("timezone")

        location = cls(
            address=address,
            city=city,
            id=id,
            name=name,
            opened_on=opened_on,
            seats=seats,
            timezone=timezone,
        )

        return location
