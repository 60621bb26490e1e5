from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.lead_kind import LeadKind
from ..models.lead_source import LeadSource
from ..models.location_id import LocationId
from ..types import UNSET, Unset

T = TypeVar("T", bound="LeadCreate")


@_attrs_define
class LeadCreate:
    """A new lead as captured from a form, a call or a chat.

    Attributes:
        company (str): The client company's name.
        contact_name (str): The person to talk to.
        email (str): The contact's e-mail address.
        headcount (int): People to feed (per lunch for a corporate account).
        kind (LeadKind): `catering`: a one-off delivered order; `corporate_account`: recurring office lunches;
            `private_event`: a party or dinner hosted at a restaurant.
        preferred_location_id (LocationId): The chain's restaurants, by the ids sales-agent uses.
        source (LeadSource):
        budget_cents (int | None | Unset): The client's budget in euro cents, VAT included, if they gave one: for the
            whole order or event, or per lunch for a corporate account.
        event_date (datetime.date | None | Unset): Day of the event or first delivery (local); today or later.
        notes (str | Unset): Anything else the client said: dietary needs, delivery details. Default: ''.
        phone (None | str | Unset):
    """

    company: str
    contact_name: str
    email: str
    headcount: int
    kind: LeadKind
    preferred_location_id: LocationId
    source: LeadSource
    budget_cents: int | None | Unset = UNSET
    event_date: datetime.date | None | Unset = UNSET
    notes: str | Unset = ""
    phone: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        company = self.company

        contact_name = self.contact_name

        email = self.email

        headcount = self.headcount

        kind = self.kind.value

        preferred_location_id = self.preferred_location_id.value

        source = self.source.value

        budget_cents: int | None | Unset
        if isinstance(self.budget_cents, Unset):
            budget_cents = UNSET
        else:
            budget_cents = self.budget_cents

        event_date: None | str | Unset
        if isinstance(self.event_date, Unset):
            event_date = UNSET
        elif isinstance(self.event_date, datetime.date):
            event_date = self.event_date.isoformat()
        else:
            event_date = self.event_date

        notes = self.notes

        phone: None | str | Unset
        if isinstance(self.phone, Unset):
            phone = UNSET
        else:
            phone = self.phone

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "company": company,
                "contact_name": contact_name,
                "email": email,
                "headcount": headcount,
                "kind": kind,
                "preferred_location_id": preferred_location_id,
                "source": source,
            }
        )
        if budget_cents is not UNSET:
            field_dict["budget_cents"] = budget_cents
        if event_date is not UNSET:
            field_dict["event_date"] = event_date
        if notes is not UNSET:
            field_dict["notes"] = notes
        if phone is not UNSET:
            field_dict["phone"] = phone

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        company = d.pop("company")

        contact_name = d.pop("contact_name")

        email = d.pop("email")

        headcount = d.pop("headcount")

        kind = LeadKind(d.pop("kind"))

        preferred_location_id = LocationId(d.pop("preferred_location_id"))

        source = LeadSource(d.pop("source"))

        def _parse_budget_cents(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        budget_cents = _parse_budget_cents(d.pop("budget_cents", UNSET))

        def _parse_event_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                event_date_type_0 = datetime.date.fromisoformat(data)

                return event_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        event_date = _parse_event_date(d.pop("event_date", UNSET))

        notes = d.pop("notes", UNSET)

        def _parse_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone = _parse_phone(d.pop("phone", UNSET))

        lead_create = cls(
            company=company,
            contact_name=contact_name,
            email=email,
            headcount=headcount,
            kind=kind,
            preferred_location_id=preferred_location_id,
            source=source,
            budget_cents=budget_cents,
            event_date=event_date,
            notes=notes,
            phone=phone,
        )

        return lead_create
