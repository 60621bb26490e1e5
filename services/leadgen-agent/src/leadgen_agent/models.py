from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: Deliberately strict: one `@`, a dot-separated domain of DNS labels, no spaces or quotes.
EMAIL_PATTERN = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
PHONE_PATTERN = r"^\+?[0-9][0-9 ().-]{5,24}$"

MAX_BUDGET_CENTS = 100_000_000  # one million euros: larger figures are typos


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocationId(StrEnum):
    """The chain's restaurants, by the ids sales-agent uses."""

    RIVERSIDE = "riverside"
    OLD_TOWN = "old-town"
    HARBOUR_FRONT = "harbour-front"
    UNIVERSITY = "university"
    AIRPORT = "airport"
    MIDTOWN = "midtown"


class LeadKind(StrEnum):
    """`catering`: a one-off delivered order; `corporate_account`: recurring office lunches;
    `private_event`: a party or dinner hosted at a restaurant."""

    CATERING = "catering"
    CORPORATE_ACCOUNT = "corporate_account"
    PRIVATE_EVENT = "private_event"


class LeadSource(StrEnum):
    WEBSITE_FORM = "website_form"
    REFERRAL = "referral"
    EVENT = "event"
    COLD_OUTREACH = "cold_outreach"
    TELEGRAM = "telegram"


class LeadStage(StrEnum):
    """Pipeline stages in order; `won` and `lost` close a lead."""

    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    WON = "won"
    LOST = "lost"


OPEN_STAGES = frozenset(
    {LeadStage.NEW, LeadStage.CONTACTED, LeadStage.QUALIFIED, LeadStage.PROPOSAL}
)


class ScoreFactorName(StrEnum):
    HEADCOUNT = "headcount"
    BUDGET_PER_HEAD = "budget_per_head"
    LEAD_TIME = "lead_time"
    KIND = "kind"
    SOURCE = "source"
    LOCATION_CAPACITY = "location_capacity"


Company = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(description="The client company's name.", examples=["Tejo Analytics, Lda."]),
]
ContactName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    Field(description="The person to talk to.", examples=["Marta Figueiredo"]),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=EMAIL_PATTERN),
    Field(description="The contact's e-mail address.", examples=["marta@tejo-analytics.pt"]),
]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=32, pattern=PHONE_PATTERN),
    Field(description="The contact's phone number.", examples=["+351 912 345 678"]),
]
Note = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    Field(description="Why the stage changed, in a sentence.", examples=["Called Marta."]),
]
LostReason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    Field(description="Why the lead was lost.", examples=["Chose a cheaper caterer."]),
]


class LeadCreate(Model):
    """A new lead as captured from a form, a call or a chat."""

    company: Company
    contact_name: ContactName
    email: Email
    phone: Phone | None = None
    kind: LeadKind = Field(description="What the client wants.")
    headcount: int = Field(
        ge=1,
        le=5000,
        description="People to feed (per lunch for a corporate account).",
        examples=[40],
    )
    budget_cents: int | None = Field(
        default=None,
        ge=0,
        le=MAX_BUDGET_CENTS,
        description="The client's budget in euro cents, VAT included, if they gave one: for "
        "the whole order or event, or per lunch for a corporate account.",
        examples=[90000],
    )
    event_date: date | None = Field(
        default=None,
        description="Day of the event or first delivery (local); today or later.",
        examples=["2026-12-10"],
    )
    preferred_location_id: LocationId = Field(
        description="The restaurant that would serve the lead.", examples=["midtown"]
    )
    source: LeadSource = Field(description="Where the lead came from.")
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = Field(
        default="",
        description="Anything else the client said: dietary needs, delivery details.",
        examples=["Two vegan options; delivery to the 4th floor by 12:30."],
    )


class LeadStageUpdate(Model):
    """Move a lead to another pipeline stage."""

    stage: LeadStage = Field(description="The stage to move the lead to.")
    note: Note | None = None
    lost_reason: LostReason | None = Field(
        default=None, description="Why the lead was lost; required when `stage` is `lost`."
    )

    @model_validator(mode="after")
    def _lost_reason_only_when_lost(self) -> Self:
        if self.stage is LeadStage.LOST and self.lost_reason is None:
            raise ValueError("lost_reason is required when stage is lost")
        if self.stage is not LeadStage.LOST and self.lost_reason is not None:
            raise ValueError("lost_reason is only allowed when stage is lost")
        return self


class ScoreFactor(Model):
    """One reason behind a score."""

    factor: ScoreFactorName
    points: int = Field(description="Points this factor earned (0 when unavailable).")
    max_points: int = Field(description="The most this factor can earn.")
    available: bool = Field(
        description="False when the data behind the factor could not be fetched."
    )
    explanation: str = Field(examples=["40 people: a mid-sized order."])


class LeadScore(Model):
    """How promising a lead is, 0..100, with the factors that add up to it."""

    score: int = Field(ge=0, le=100, description="The sum of the factors' points.")
    partial: bool = Field(
        description="True when some factor was unavailable (sales-agent did not answer); "
        "qualify again later for a complete score."
    )
    rationale: list[ScoreFactor]
    scored_at: datetime


class Lead(Model):
    """A B2B lead: who it is, what they want, where it stands in the pipeline, its score."""

    id: UUID
    company: str
    contact_name: str
    email: str
    phone: str | None
    kind: LeadKind
    headcount: int
    budget_cents: int | None = Field(
        description="Budget in euro cents, VAT included (per lunch for a corporate account)."
    )
    event_date: date | None
    preferred_location_id: LocationId
    source: LeadSource
    notes: str
    stage: LeadStage
    stage_changed_at: datetime
    days_in_stage: int = Field(description="Whole days since the last stage change.")
    stale: bool = Field(description="Open and without a stage change for more than 14 days.")
    lost_reason: str | None
    score: LeadScore | None = Field(
        description="The latest qualification, or null if never scored."
    )
    created_at: datetime
    updated_at: datetime


class LeadStageEvent(Model):
    """One move in a lead's history; the first has no `from_stage` (the lead was captured)."""

    from_stage: LeadStage | None
    to_stage: LeadStage
    at: datetime
    note: str | None


class LeadDetail(Lead):
    """A lead with its full stage history, oldest first."""

    history: list[LeadStageEvent]


class LeadPage(Model):
    """One page of leads, newest first."""

    items: list[Lead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class StageSummary(Model):
    stage: LeadStage
    leads: int = Field(description="Leads currently in this stage.")
    budget_cents: int = Field(description="Sum of their budgets in euro cents (unknown counts 0).")
    average_days_in_stage: float | None = Field(
        description="Average days leads spent in this stage before moving on, over completed "
        "stays; null when no lead has left it yet."
    )


class StaleLead(Model):
    id: UUID
    company: str
    stage: LeadStage
    preferred_location_id: LocationId
    days_since_change: int


class PeriodActivity(Model):
    """Pipeline movement over a date range (local days, inclusive)."""

    start: date
    end: date
    created: int = Field(description="Leads captured in the range.")
    won: int = Field(description="Leads won in the range.")
    lost: int = Field(description="Leads lost in the range.")


class PipelineSummary(Model):
    """Where the pipeline stands: stages, conversion, stale leads and recent activity."""

    as_of: datetime
    location_id: LocationId | None = Field(
        description="The location the summary is limited to, or null for the whole chain."
    )
    stages: list[StageSummary] = Field(description="Every stage, in pipeline order.")
    open_leads: int
    open_budget_cents: int = Field(description="Budget of the open leads in euro cents.")
    conversion_rate: float | None = Field(
        description="Won leads over closed (won + lost) leads, 0..1; null when none are closed."
    )
    stale_after_days: int
    stale_count: int = Field(description="Open leads without a stage change for too long.")
    stale_leads: list[StaleLead] = Field(
        description="The stalest open leads, longest untouched first (at most 25)."
    )
    period: PeriodActivity | None = Field(
        description="Activity in the requested date range, or null when none was given."
    )


class CateringCapacity(Model):
    """How much catering one restaurant has been selling, from sales-agent's figures."""

    location_id: LocationId
    start: date = Field(description="First day of the window sales-agent reported on.")
    end: date = Field(description="Last day of that window.")
    location_catering_cents: int = Field(description="Catering sold at this restaurant.")
    chain_catering_cents: int = Field(description="Catering sold by the whole chain.")
    share_of_chain: float = Field(description="This restaurant's share of chain catering, 0..1.")
    even_share: float = Field(description="The share each restaurant would have if all sold alike.")
    spend_per_cover_cents: int | None = Field(
        description="The chain's revenue per guest in the window, for judging budgets."
    )
