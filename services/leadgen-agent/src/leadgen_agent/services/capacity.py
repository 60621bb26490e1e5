"""Catering capacity: what sales-agent says a restaurant already sells to businesses."""

from __future__ import annotations

from datetime import date, timedelta

from sales_agent_client import AuthenticatedClient

from leadgen_agent.models import CateringCapacity, LocationId
from leadgen_agent.services import scoring
from meshkit.errors import UpstreamUnavailable


async def get_catering_capacity(
    sales: AuthenticatedClient, location_id: LocationId, *, today: date, timeout_s: float
) -> CateringCapacity:
    signals = await scoring.fetch_sales_signals(sales, location_id, today, timeout_s)
    at_location, chain = signals.location_catering_cents, signals.chain_catering_cents
    if at_location is None or chain is None:
        raise UpstreamUnavailable(
            "sales-agent did not report catering sales; try again shortly.",
            upstream="sales-agent",
        )
    end = today - timedelta(days=1)
    return CateringCapacity(
        location_id=location_id,
        start=end - timedelta(days=scoring.SALES_WINDOW_DAYS - 1),
        end=end,
        location_catering_cents=at_location,
        chain_catering_cents=chain,
        share_of_chain=round(at_location / chain, 4) if chain else 0.0,
        even_share=round(1 / len(LocationId), 4),
        spend_per_cover_cents=signals.spend_per_cover_cents,
    )
