from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.lead_kind import LeadKind
from ..models.lead_source import LeadSource
from ..models.lead_stage import LeadStage
from ..models.location_id import LocationId

if TYPE_CHECKING:
    from ..models.lead_score import LeadScore


T = TypeVar("T", bound="Lead")


@_attrs_define
class Lead:
    """A B2B lead: who it is, what they want, where it stands in the pipeline, its score.

    Attributes:
        budget_cents (int | None): Budget in euro cents, VAT included (per lunch for a corporate account).
        company (str):
        contact_name (str):
        created_at (datetime.datetime):
        days_in_stage (int): Whole days since the last stage change.
        email (str):
        event_date (datetime.date | None):
        headcount (int):
        id (UUID):
        kind (LeadKind): `catering`: a one-off delivered order; `corporate_account`: recurring office lunches;
            `private_event`: a party or dinner hosted at a restaurant.
        lost_reason (None | str):
        notes (str):
        phone (None | str):
        preferred_location_id (LocationId): The chain's restaurants, by the ids sales-agent uses.
        score (LeadScore | None): The latest qualification, or null if never scored.
        source (LeadSource):
        stage (LeadStage): Pipeline stages in order; `won` and `lost` close a lead.
        stage_changed_at (datetime.datetime):
        stale (bool): Open and without a stage change for more than 14 days.
        updated_at (datetime.datetime):
    """

    budget_cents: int | None
    company: str
    contact_name: str
    created_at: datetime.datetime
    days_in_stage: int
    email: str
    event_date: datetime.date | None
    headcount: int
    id: UUID
    kind: LeadKind
    lost_reason: None | str
    notes: str
    phone: None | str
    preferred_location_id: LocationId
    score: LeadScore | None
    source: LeadSource
    stage: LeadStage
    stage_changed_at: datetime.datetime
    stale: bool
    updated_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        from ..models.lead_score import LeadScore

        budget_cents: int | None
        budget_cents = self.budget_cents

        company = self.company

        contact_name = self.contact_name

        created_at = self.created_at.isoformat()

        days_in_stage = self.days_in_stage

        email = self.email

        event_date: None | str
        if isinstance(self.event_date, datetime.date):
            event_date = self.event_date.isoformat()
        else:
            event_date = self.event_date

        headcount = self.headcount

        id = str(self.id)

        kind = self.kind.value

        lost_reason: None | str
        lost_reason = self.lost_reason

        notes = self.notes

        phone: None | str
        phone = self.phone

        preferred_location_id = self.preferred_location_id.value

        score: dict[str, Any] | None
        if isinstance(self.score, LeadScore):
            score = self.score.to_dict()
        else:
            score = self.score

        source = self.source.value

        stage = self.stage.value

        stage_changed_at = self.stage_changed_at.isoformat()

        stale = self.stale

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "budget_cents": budget_cents,
                "company": company,
                "contact_name": contact_name,
                "created_at": created_at,
                "days_in_stage": days_in_stage,
                "email": email,
                "event_date": event_date,
                "headcount": headcount,
                "id": id,
                "kind": kind,
                "lost_reason": lost_reason,
                "notes": notes,
                "phone": phone,
                "preferred_location_id": preferred_location_id,
                "score": score,
                "source": source,
                "stage": stage,
                "stage_changed_at": stage_changed_at,
                "stale": stale,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.lead_score import LeadScore

        d = dict(src_dict)

        def _parse_budget_cents(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        budget_cents = _parse_budget_cents(d.pop("budget_cents"))

        company = d.pop("company")

        contact_name = d.pop("contact_name")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        days_in_stage = d.pop("days_in_stage")

        email = d.pop("email")

        def _parse_event_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                event_date_type_0 = datetime.date.fromisoformat(data)

                return event_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        event_date = _parse_event_date(d.pop("event_date"))

        headcount = d.pop("headcount")

        id = UUID(d.pop("id"))

        kind = LeadKind(d.pop("kind"))

        def _parse_lost_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        lost_reason = _parse_lost_reason(d.pop("lost_reason"))

        notes = d.pop("notes")

        def _parse_phone(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        phone = _parse_phone(d.pop("phone"))

        preferred_location_id = LocationId(d.pop("preferred_location_id"))

        def _parse_score(data: object) -> LeadScore | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                score_type_0 = LeadScore.from_dict(data)

                return score_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LeadScore | None, data)

        score = _parse_score(d.pop("score"))

        source = LeadSource(d.pop("source"))

        stage = LeadStage(d.pop("stage"))

        stage_changed_at = datetime.datetime.fromisoformat(d.pop("stage_changed_at"))

        stale = d.pop("stale")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        lead = cls(
            budget_cents=budget_cents,
            company=company,
            contact_name=contact_name,
            created_at=created_at,
            days_in_stage=days_in_stage,
            email=email,
            event_date=event_date,
            headcount=headcount,
            id=id,
            kind=kind,
            lost_reason=lost_reason,
            notes=notes,
            phone=phone,
            preferred_location_id=preferred_location_id,
            score=score,
            source=source,
            stage=stage,
            stage_changed_at=stage_changed_at,
            stale=stale,
            updated_at=updated_at,
        )

        return lead
