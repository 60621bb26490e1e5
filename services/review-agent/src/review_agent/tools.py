"""review-agent's own read operations as tools for its `ask` loop (service calls, not
HTTP to itself; `get_rating_vs_sales` crosses to sales-agent through its generated client)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from fastapi import FastAPI
from pydantic import Field
from sales_agent_client import AuthenticatedClient

from meshkit.agent import Tool
from meshkit.tools import local_tools
from review_agent.models import LocationId, Model, Period, RatingPeriod, ReviewFilter
from review_agent.services import insights, reviews

SYSTEM_PROMPT = """\
You are the guest-experience analyst of Copper Pot Kitchen, a chain of six restaurants in
Lisbon. Answer questions about customer reviews with the tools: ratings (1 to 5 stars),
sentiment, recurring themes and what guests quote, which reviews still need a reply, and
how ratings moved against sales (that tool asks sales-agent). Every figure you give must
come from a tool result; quote guests sparingly and exactly. Money in results is in euro
cents: present it in euros. Weeks run Monday to Sunday. Name locations by name. Be brief
and specific: lead with the answer, then the evidence."""


class ReviewRef(Model):
    review_id: UUID = Field(description="The review's id.")


class LocationPeriod(Period):
    location_id: LocationId


def review_tools(app: FastAPI, pool: asyncpg.Pool, sales: AuthenticatedClient) -> list[Tool[Any]]:
    return local_tools(
        app,
        {
            "list_reviews": (ReviewFilter, lambda q: reviews.list_reviews(pool, q)),
            "get_review": (ReviewRef, lambda q: reviews.get_review(pool, q.review_id)),
            "get_rating_summary": (RatingPeriod, lambda q: reviews.get_rating_summary(pool, q)),
            "list_themes": (RatingPeriod, lambda q: reviews.list_themes(pool, q)),
            "get_rating_vs_sales": (
                LocationPeriod,
                lambda q: insights.get_rating_vs_sales(
                    pool, sales, q.location_id, Period(start=q.start, end=q.end)
                ),
            ),
        },
    )
