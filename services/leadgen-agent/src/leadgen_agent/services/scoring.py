"""Lead scoring: explicit factors adding up to 0..100, one of them fed by sales-agent.

The score is a sum of six factors, each with a fixed maximum, so a reader can see exactly
why a lead scored what it did. The location's catering capacity and the chain's spend per
guest come from sales-agent; when it cannot answer, those factors are reported as
unavailable, earn nothing, and the score is flagged partial instead of failing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import httpx
from sales_agent_client import AuthenticatedClient
from sales_agent_client.api.sales import get_sales_summary, list_top_items
from sales_agent_client.models.category import Category
from sales_agent_client.models.sales_summary import SalesSummary
from sales_agent_client.models.top_item_list import TopItemList
from sales_agent_client.types import Response

from leadgen_agent.models import LeadKind, LeadSource, LocationId, ScoreFactor, ScoreFactorName

log = logging.getLogger(__name__)

#: How far back sales-agent is asked about catering and spend, ending yesterday.
SALES_WINDOW_DAYS = 90

LOCATION_NAMES = {
    LocationId.RIVERSIDE: "Riverside",
    LocationId.OLD_TOWN: "Old Town",
    LocationId.HARBOUR_FRONT: "Harbour Front",
    LocationId.UNIVERSITY: "University",
    LocationId.AIRPORT: "Airport",
    LocationId.MIDTOWN: "Midtown",
}

MAX_POINTS = {
    ScoreFactorName.HEADCOUNT: 20,
    ScoreFactorName.BUDGET_PER_HEAD: 25,
    ScoreFactorName.LEAD_TIME: 15,
    ScoreFactorName.KIND: 15,
    ScoreFactorName.SOURCE: 10,
    ScoreFactorName.LOCATION_CAPACITY: 15,
}

_KIND_POINTS = {
    LeadKind.CORPORATE_ACCOUNT: (15, "A corporate account brings recurring lunches."),
    LeadKind.CATERING: (11, "A catering order: one delivery, often repeated."),
    LeadKind.PRIVATE_EVENT: (8, "A private event: one evening, a full room."),
}

_SOURCE_POINTS = {
    LeadSource.REFERRAL: (10, "Referred by someone who knows us: the warmest source."),
    LeadSource.EVENT: (8, "Met in person at an event."),
    LeadSource.WEBSITE_FORM: (7, "Asked us through the website form."),
    LeadSource.TELEGRAM: (6, "Reached out on Telegram."),
    LeadSource.COLD_OUTREACH: (3, "Came from cold outreach: least committed so far."),
}


@dataclass(frozen=True, slots=True)
class SalesSignals:
    """What sales-agent said about the last 90 days; None where it could not say."""

    location_catering_cents: int | None
    chain_catering_cents: int | None
    spend_per_cover_cents: int | None


@dataclass(frozen=True, slots=True)
class Scored:
    score: int
    partial: bool
    rationale: list[ScoreFactor]


def _euros(cents: float) -> str:
    return f"€{cents / 100:,.2f}"


def _factor(name: ScoreFactorName, points: int, explanation: str) -> ScoreFactor:
    return ScoreFactor(
        factor=name,
        points=points,
        max_points=MAX_POINTS[name],
        available=True,
        explanation=explanation,
    )


def _unavailable(name: ScoreFactorName, explanation: str) -> ScoreFactor:
    return ScoreFactor(
        factor=name,
        points=0,
        max_points=MAX_POINTS[name],
        available=False,
        explanation=f"Unavailable: {explanation}",
    )


def _headcount(headcount: int) -> ScoreFactor:
    name = ScoreFactorName.HEADCOUNT
    if headcount >= 100:
        return _factor(name, 20, f"{headcount} people: a large order.")
    if headcount >= 25:
        return _factor(name, 16, f"{headcount} people: a solid, mid-sized order.")
    if headcount >= 10:
        return _factor(name, 10, f"{headcount} people: a small group.")
    return _factor(name, 4, f"{headcount} people: barely more than a table booking.")


def _budget(
    budget_cents: int | None, headcount: int, spend_per_cover_cents: int | None
) -> ScoreFactor:
    name = ScoreFactorName.BUDGET_PER_HEAD
    if budget_cents is None:
        return _factor(name, 0, "No budget given yet; ask for one.")
    if not spend_per_cover_cents:
        return _unavailable(name, "sales-agent did not report the chain's spend per guest.")
    per_head = budget_cents / headcount
    ratio = per_head / spend_per_cover_cents
    compared = (
        f"{_euros(per_head)} a head against the chain's average spend of "
        f"{_euros(spend_per_cover_cents)} per guest ({ratio:.2f}x)"
    )
    if ratio >= 1.25:
        return _factor(name, 25, f"{compared}: a generous budget.")
    if ratio >= 0.9:
        return _factor(name, 19, f"{compared}: in line with what guests spend.")
    if ratio >= 0.6:
        return _factor(name, 12, f"{compared}: workable with a set menu.")
    if ratio >= 0.4:
        return _factor(name, 6, f"{compared}: tight; lunch boxes at most.")
    return _factor(name, 2, f"{compared}: too low for our menu.")


def _lead_time(kind: LeadKind, event_date: date | None, today: date) -> ScoreFactor:
    name = ScoreFactorName.LEAD_TIME
    if event_date is None:
        if kind is LeadKind.CORPORATE_ACCOUNT:
            return _factor(name, 12, "Recurring lunches: no single date to hit.")
        return _factor(name, 5, "No date yet: the client may still be browsing.")
    days = (event_date - today).days
    if days < 0:
        return _factor(name, 0, f"The date ({event_date.isoformat()}) has passed.")
    if days < 3:
        return _factor(name, 2, f"{days} days' notice: very hard to staff and source.")
    if days < 7:
        return _factor(name, 8, f"{days} days' notice: short but doable.")
    if days <= 90:
        return _factor(name, 15, f"{days} days ahead: comfortable to plan.")
    if days <= 180:
        return _factor(name, 10, f"{days} days ahead: early; plans may shift.")
    return _factor(name, 5, f"{days} days ahead: far off; plans may change.")


def _capacity(location_id: LocationId, signals: SalesSignals) -> ScoreFactor:
    name = ScoreFactorName.LOCATION_CAPACITY
    where = LOCATION_NAMES[location_id]
    at_location, chain = signals.location_catering_cents, signals.chain_catering_cents
    if at_location is None or chain is None:
        return _unavailable(name, f"sales-agent did not report catering sales at {where}.")
    even_share = chain / len(LocationId)
    ratio = at_location / even_share if even_share else 0.0
    sold = (
        f"{where} sold {_euros(at_location)} of catering in the last {SALES_WINDOW_DAYS} days, "
        f"{ratio:.1f}x an even share of the chain's {_euros(chain)}"
    )
    if ratio >= 2:
        return _factor(name, 15, f"{sold}: its kitchen turns out catering every day.")
    if ratio >= 1:
        return _factor(name, 11, f"{sold}: an established catering kitchen.")
    if ratio >= 0.4:
        return _factor(name, 6, f"{sold}: some catering routine.")
    if at_location > 0:
        return _factor(name, 2, f"{sold}: catering is rare there.")
    return _factor(name, 0, f"{where} sold no catering in {SALES_WINDOW_DAYS} days.")


def score_lead(
    *,
    kind: LeadKind,
    headcount: int,
    budget_cents: int | None,
    event_date: date | None,
    source: LeadSource,
    location_id: LocationId,
    today: date,
    signals: SalesSignals,
) -> Scored:
    """The lead's score and rationale; pure, so the seed and tests use it directly."""
    kind_points, kind_text = _KIND_POINTS[kind]
    source_points, source_text = _SOURCE_POINTS[source]
    rationale = [
        _headcount(headcount),
        _budget(budget_cents, headcount, signals.spend_per_cover_cents),
        _lead_time(kind, event_date, today),
        _factor(ScoreFactorName.KIND, kind_points, kind_text),
        _factor(ScoreFactorName.SOURCE, source_points, source_text),
        _capacity(location_id, signals),
    ]
    return Scored(
        score=sum(f.points for f in rationale),
        partial=not all(f.available for f in rationale),
        rationale=rationale,
    )


T = TypeVar("T")


async def _ask(
    what: str, call: Awaitable[Response[Any]], expected: type[T], timeout_s: float
) -> T | None:
    """The parsed answer, or None when sales-agent fails, refuses or is too slow."""
    try:
        async with asyncio.timeout(timeout_s):
            response = await call
    except (TimeoutError, httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        # ValueError/KeyError/TypeError: a body the generated client cannot parse.
        log.warning("sales-agent unavailable", extra={"request": what, "error": type(exc).__name__})
        return None
    parsed = response.parsed
    if response.status_code != 200 or not isinstance(parsed, expected):
        log.warning(
            "sales-agent refused", extra={"request": what, "status": int(response.status_code)}
        )
        return None
    return parsed


async def fetch_sales_signals(
    sales: AuthenticatedClient, location_id: LocationId, today: date, timeout_s: float
) -> SalesSignals:
    """Ask sales-agent, concurrently, for catering sales at the location and chain-wide and
    for the chain's takings, over the last 90 complete days."""
    end = today - timedelta(days=1)
    start = end - timedelta(days=SALES_WINDOW_DAYS - 1)
    at_location, chain, summary = await asyncio.gather(
        _ask(
            "catering at location",
            list_top_items.asyncio_detailed(
                client=sales,
                start=start,
                end=end,
                location_id=location_id.value,
                category=Category.CATERING,
                limit=50,
            ),
            TopItemList,
            timeout_s,
        ),
        _ask(
            "catering chain-wide",
            list_top_items.asyncio_detailed(
                client=sales, start=start, end=end, category=Category.CATERING, limit=50
            ),
            TopItemList,
            timeout_s,
        ),
        _ask(
            "chain takings",
            get_sales_summary.asyncio_detailed(client=sales, start=start, end=end),
            SalesSummary,
            timeout_s,
        ),
    )
    spend: int | None = None
    if summary is not None and summary.totals.covers > 0:
        spend = round(summary.totals.revenue_cents / summary.totals.covers)
    return SalesSignals(
        location_catering_cents=(
            sum(item.revenue_cents for item in at_location.items)
            if at_location is not None
            else None
        ),
        chain_catering_cents=(
            sum(item.revenue_cents for item in chain.items) if chain is not None else None
        ),
        spend_per_cover_cents=spend,
    )
