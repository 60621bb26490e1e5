from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool
from review_agent.deps import PoolDep
from review_agent.models import (
    RatingPeriod,
    RatingSummary,
    Review,
    ReviewCreate,
    ReviewFilter,
    ReviewPage,
    ThemeList,
)
from review_agent.services import reviews

router = APIRouter(prefix="/reviews", tags=["reviews"])

_PROBLEMS = problem_responses(401, 403, 404, 422)


@router.get(
    "",
    summary="List and search reviews",
    openapi_extra=agent_tool("read", cache_ttl_s=30),
    responses=_PROBLEMS,
)
async def list_reviews(pool: PoolDep, query: Annotated[ReviewFilter, Query()]) -> ReviewPage:
    """Customer reviews, newest first, with their stars, text, sentiment, themes and reply
    status. Filter by location, stars, dates, platform, sentiment, theme or words in the
    text, or ask for `needs_reply=true` to find reviews still waiting for an answer. Pages
    hold up to `limit` reviews; pass `next_cursor` back as `cursor` for the next page."""
    return await reviews.list_reviews(pool, query)


@router.get(
    "/summary",
    summary="Rating summary for a period",
    openapi_extra=agent_tool("read", cache_ttl_s=300),
    responses=_PROBLEMS,
)
async def get_rating_summary(
    pool: PoolDep, query: Annotated[RatingPeriod, Query()]
) -> RatingSummary:
    """How guests rated the chain or one location over a date range (at most 366 days):
    review count, average stars, the 1-to-5 star distribution, positive/neutral/negative
    split, reviews still awaiting a reply, each location's average (lowest first) and a
    weekly trend. Use it for "how are our ratings?" and to spot when a rating fell."""
    return await reviews.get_rating_summary(pool, query)


@router.get(
    "/themes",
    summary="Recurring themes in reviews",
    openapi_extra=agent_tool("read", cache_ttl_s=300),
    responses=_PROBLEMS,
)
async def list_themes(pool: PoolDep, query: Annotated[RatingPeriod, Query()]) -> ThemeList:
    """What guests talk about over a date range (at most 366 days), for the chain or one
    location: service speed, waiting time, food quality, food temperature, staff
    friendliness, cleanliness, price and value, ambience and views, management. Each theme
    comes with how many reviews mention it, their share and average stars, how many are
    negative, and up to three recent quotes. Use it to answer "why are guests unhappy?"."""
    return await reviews.list_themes(pool, query)


@router.get(
    "/{review_id}",
    summary="Get one review",
    openapi_extra=agent_tool("read", cache_ttl_s=30),
    responses=problem_responses(401, 403, 404, 422),
)
async def get_review(
    pool: PoolDep,
    review_id: Annotated[UUID, Path(description="The review's id.")],
) -> Review:
    """One review by its id, with its sentiment, themes and the reply posted or drafted
    for it."""
    return await reviews.get_review(pool, review_id)


@router.post(
    "",
    status_code=201,
    summary="Record a review",
    openapi_extra=agent_tool("write", approval=True, idempotent=False),
    responses=problem_responses(401, 403, 413, 422),
)
async def create_review(pool: PoolDep, review: ReviewCreate) -> Review:
    """Record a review a guest left outside the review platforms, for example with staff,
    by email or on a comment card. Its sentiment and themes are read from the text on the
    way in. Calling it twice records two reviews."""
    return await reviews.create_review(pool, review)
