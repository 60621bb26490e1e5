from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

LocationId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^[a-z0-9-]+$",
        description="A location's slug, such as `riverside`.",
        examples=["riverside"],
    ),
]
Rating = Annotated[int, Field(ge=1, le=5, description="Stars, 1 (worst) to 5 (best).")]
AverageRating = Annotated[
    float | None,
    Field(description="Mean stars, rounded to two decimals; null when there are no reviews."),
]

TITLE_MAX = 120
BODY_MAX = 4000
AUTHOR_MAX = 60
REPLY_MAX = 900


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReviewSource(StrEnum):
    GOOGLE = "google"
    TRIPADVISOR = "tripadvisor"
    THEFORK = "thefork"
    IN_APP = "in_app"


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class Theme(StrEnum):
    SERVICE_SPEED = "service_speed"
    WAITING_TIME = "waiting_time"
    FOOD_QUALITY = "food_quality"
    FOOD_TEMPERATURE = "food_temperature"
    STAFF_FRIENDLINESS = "staff_friendliness"
    CLEANLINESS = "cleanliness"
    PRICE_VALUE = "price_value"
    AMBIENCE_VIEWS = "ambience_views"
    MANAGEMENT = "management"


THEME_LABELS: dict[Theme, str] = {
    Theme.SERVICE_SPEED: "Service speed",
    Theme.WAITING_TIME: "Waiting time",
    Theme.FOOD_QUALITY: "Food quality",
    Theme.FOOD_TEMPERATURE: "Food temperature",
    Theme.STAFF_FRIENDLINESS: "Staff friendliness",
    Theme.CLEANLINESS: "Cleanliness",
    Theme.PRICE_VALUE: "Price and value",
    Theme.AMBIENCE_VIEWS: "Ambience and views",
    Theme.MANAGEMENT: "Management",
}


class ReplyStatus(StrEnum):
    NONE = "none"
    DRAFT = "draft"
    POSTED = "posted"


class ReplyTone(StrEnum):
    APOLOGETIC = "apologetic"
    BALANCED = "balanced"
    APPRECIATIVE = "appreciative"


class Period(Model):
    """A date range of local restaurant days."""

    start: date = Field(description="First day of the period (inclusive).", examples=["2026-10-01"])
    end: date = Field(description="Last day of the period (inclusive).", examples=["2026-11-22"])


class RatingPeriod(Period):
    """A date range, for the whole chain or one location."""

    location_id: LocationId | None = Field(
        default=None, description="Limit to one location; omit for the whole chain."
    )


class ReviewFilter(Model):
    """Which reviews to list; every filter is optional and they combine."""

    location_id: LocationId | None = Field(default=None, description="Only this location.")
    min_rating: int | None = Field(
        default=None, ge=1, le=5, description="Only reviews with at least this many stars."
    )
    max_rating: int | None = Field(
        default=None, ge=1, le=5, description="Only reviews with at most this many stars."
    )
    start: date | None = Field(
        default=None, description="Only reviews published on or after this day."
    )
    end: date | None = Field(
        default=None, description="Only reviews published on or before this day."
    )
    source: ReviewSource | None = Field(
        default=None, description="Only reviews from this platform."
    )
    sentiment: Sentiment | None = Field(default=None, description="Only reviews of this sentiment.")
    theme: Theme | None = Field(default=None, description="Only reviews mentioning this theme.")
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Only reviews whose title or text contains this, ignoring case; `%` and "
        "`_` are matched literally.",
        examples=["cold"],
    )
    needs_reply: bool | None = Field(
        default=None,
        description="`true` for reviews nobody has answered publicly yet, `false` for "
        "answered ones.",
    )
    limit: int = Field(default=20, ge=1, le=100, description="Reviews per page.")
    cursor: str | None = Field(
        default=None, max_length=300, description="`next_cursor` of the previous page."
    )


class Review(Model):
    """A customer's review of one restaurant, with what the service derived from it."""

    id: UUID
    location_id: LocationId
    location_name: str = Field(examples=["Riverside"])
    source: ReviewSource = Field(description="Where the review was published.")
    rating: Rating
    title: str = Field(description="The review's headline; may be empty.")
    body: str = Field(description="The review's text, as the customer wrote it.")
    author: str = Field(description="The name the customer published under.", examples=["Ana M."])
    created_at: datetime = Field(description="When the review was published (UTC).")
    sentiment: Sentiment = Field(description="Derived from the stars and the wording.")
    themes: list[Theme] = Field(description="Topics the review talks about, derived from its text.")
    reply_status: ReplyStatus = Field(
        description="`posted` once the restaurant has answered publicly, `draft` while a reply "
        "is only drafted, `none` otherwise."
    )
    reply_text: str | None = Field(
        description="The posted reply, or else the latest draft; null when there is neither."
    )
    replied_at: datetime | None = Field(description="When the reply was posted, if it was.")


class ReviewPage(Model):
    """One page of reviews, newest first."""

    items: list[Review]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


# Control characters other than tab and line breaks never belong in review text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>")


def _clean_text(value: str, *, multiline: bool) -> str:
    if _CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value)):
        raise ValueError("must not contain control characters")
    if _MARKUP.search(value):
        raise ValueError("must be plain text, not HTML")
    return value


class ReviewCreate(Model):
    """A review to record, for example one a guest left with staff or sent by email."""

    location_id: LocationId
    rating: Rating
    title: str = Field(
        default="",
        max_length=TITLE_MAX,
        description="A short headline; optional.",
        examples=["Lovely lunch by the river"],
    )
    body: str = Field(
        min_length=1,
        max_length=BODY_MAX,
        description="The review's text, plain text.",
        examples=["The grilled sea bass was perfectly cooked and our waiter was very friendly."],
    )
    author: str = Field(
        min_length=1,
        max_length=AUTHOR_MAX,
        description="The customer's name as they want it shown.",
        examples=["Ana M."],
    )
    source: ReviewSource = Field(default=ReviewSource.IN_APP)
    created_at: AwareDatetime | None = Field(
        default=None,
        description="When the review was written, with a time zone; now when omitted. "
        "Must not be in the future.",
    )

    @field_validator("title", "author", mode="after")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return _clean_text(value.strip(), multiline=False)

    @field_validator("body", mode="after")
    @classmethod
    def _paragraphs(cls, value: str) -> str:
        return _clean_text(value.strip(), multiline=True)

    @field_validator("author", "body", mode="after")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("created_at")
    @classmethod
    def _not_in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value > datetime.now(UTC):
            raise ValueError("must not be in the future")
        if value < datetime(2000, 1, 1, tzinfo=UTC):
            raise ValueError("must not be before 2000")
        return value


class ReviewReply(Model):
    """A reply to a review: a draft for a manager to check, or the reply that was posted."""

    id: UUID
    review_id: UUID
    status: ReplyStatus = Field(description="`draft` or `posted`.")
    tone: ReplyTone = Field(
        description="`apologetic` for unhappy guests, `appreciative` for happy ones, "
        "`balanced` for mixed reviews."
    )
    text: str = Field(description="The reply, plain text, under 900 characters.")
    themes: list[Theme] = Field(description="The review's themes the reply addresses.")
    created_at: datetime
    posted_at: datetime | None


class ReplyPost(Model):
    """What to publish as the answer to a review."""

    text: str | None = Field(
        default=None,
        min_length=1,
        max_length=REPLY_MAX,
        description="The reply as it will appear, plain text; leave it out to post the "
        "latest draft unchanged.",
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("the reply must not be blank")
        return value.strip() if value is not None else None


class RatingCount(Model):
    rating: Rating
    count: int
    share: float = Field(description="Share of the period's reviews, 0..1.")


class SentimentSplit(Model):
    """How many reviews read positive, neutral and negative."""

    positive: int
    neutral: int
    negative: int


class LocationRating(Model):
    location_id: LocationId
    location_name: str
    count: int
    average_rating: AverageRating
    negative_share: float = Field(
        description="Share of this location's reviews that are negative, 0..1."
    )
    awaiting_reply: int = Field(description="Reviews without a posted reply.")


class WeeklyRating(Model):
    """One ISO week (Monday to Sunday), clipped to the requested range."""

    week: str = Field(description="ISO week, such as `2026-W47`.", examples=["2026-W47"])
    week_start: date = Field(description="First day of the week inside the range.")
    week_end: date = Field(description="Last day of the week inside the range.")
    count: int
    average_rating: AverageRating
    negative_share: float = Field(
        description="Share of the week's reviews that are negative, 0..1."
    )


class RatingSummary(Model):
    """Ratings over a date range, for the whole chain or one location."""

    start: date
    end: date
    location_id: LocationId | None = Field(
        description="The location the summary is limited to, or null for the whole chain."
    )
    count: int = Field(description="Reviews published in the range.")
    average_rating: AverageRating
    distribution: list[RatingCount] = Field(description="One entry per star rating, 1 to 5.")
    sentiment: SentimentSplit
    awaiting_reply: int = Field(description="Reviews in the range without a posted reply.")
    by_location: list[LocationRating] = Field(
        description="Sorted by average rating, lowest first; locations without reviews last."
    )
    weekly: list[WeeklyRating] = Field(
        description="The trend, one entry per ISO week, oldest first."
    )


class ThemeQuote(Model):
    """A sentence from a review that mentions the theme."""

    review_id: UUID
    location_id: LocationId
    rating: Rating
    created_at: datetime
    quote: str


class ThemeStat(Model):
    theme: Theme
    label: str = Field(examples=["Service speed"])
    count: int = Field(description="Reviews in the range that mention the theme.")
    share: float = Field(description="Share of the range's reviews that mention it, 0..1.")
    average_rating: AverageRating
    negative_share: float = Field(description="Share of those reviews that are negative, 0..1.")
    examples: list[ThemeQuote] = Field(
        description="Up to three recent quotes, in the tone most reviews of the theme take."
    )


class ThemeList(Model):
    """What reviews talk about over a date range, most mentioned first."""

    start: date
    end: date
    location_id: LocationId | None
    review_count: int = Field(description="Reviews in the range, with or without a theme.")
    items: list[ThemeStat]


class WeeklyRatingSales(Model):
    """One ISO week, clipped to the range: ratings from reviews, takings from sales-agent."""

    week: str = Field(examples=["2026-W42"])
    week_start: date
    week_end: date
    days: int = Field(description="Days of the week inside the range.")
    review_count: int
    average_rating: AverageRating
    revenue_cents: int = Field(description="Takings in euro cents, VAT included.")
    covers: int = Field(description="Guests served.")
    covers_per_day: float = Field(description="Covers divided by the days in the range.")


class RatingDrop(Model):
    """Where the average rating stepped down: the week that splits the range into the
    clearest fall from before to after, with covers per day on both sides."""

    week: str = Field(
        description="ISO week from which the lower rating holds.", examples=["2026-W42"]
    )
    week_start: date
    rating_before: float = Field(description="Average rating of the reviews before that week.")
    rating_after: float = Field(description="Average rating from that week on.")
    change: float = Field(description="Stars lost (negative) from before to after.")
    covers_per_day_before: float
    covers_per_day_after: float
    covers_change_pct: float | None = Field(
        description="Change in covers per day from before to after, in percent; null when "
        "there were no covers before."
    )


class RatingSalesFinding(Model):
    """What the weekly figures suggest, computed, not guessed."""

    correlation: float | None = Field(
        description="Pearson correlation of weekly average rating with weekly covers per day, "
        "-1..1; null with fewer than three weeks that have reviews or no variation."
    )
    weeks_compared: int = Field(description="Weeks with at least one review.")
    rating_drop: RatingDrop | None = Field(
        description="Null unless the rating stepped down by at least 0.3 stars, clearly "
        "beyond week-to-week noise."
    )
    summary: str = Field(description="The finding in one or two sentences.")


class RatingVsSales(Model):
    """Weekly ratings next to weekly takings for one location, and what they suggest."""

    location_id: LocationId
    location_name: str
    start: date
    end: date
    currency: str = Field(default="EUR")
    weeks: list[WeeklyRatingSales] = Field(description="Oldest first.")
    finding: RatingSalesFinding
