from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from uuid import UUID

from meshkit.errors import Conflict, InvalidInput, NotFound


class LeadNotFound(NotFound):
    slug = "lead-not-found"
    title = "Lead not found"

    def __init__(self, lead_id: UUID) -> None:
        super().__init__(f"There is no lead {lead_id}.", lead_id=str(lead_id))


class InvalidStageTransition(Conflict):
    slug = "invalid-stage-transition"
    title = "Invalid stage transition"

    def __init__(
        self, lead_id: UUID, from_stage: str, to_stage: str, allowed: Iterable[str]
    ) -> None:
        allowed = sorted(allowed)
        options = ", ".join(allowed) if allowed else "none, the lead is closed"
        super().__init__(
            f"A lead in stage {from_stage!r} cannot move to {to_stage!r}; allowed: {options}.",
            lead_id=str(lead_id),
            from_stage=from_stage,
            to_stage=to_stage,
            allowed=allowed,
        )


class InvalidEventDate(InvalidInput):
    slug = "invalid-event-date"
    title = "Invalid event date"

    def __init__(self, detail: str, event_date: date, today: date) -> None:
        super().__init__(detail, event_date=event_date, today=today)
