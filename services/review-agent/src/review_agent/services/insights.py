"""Ratings next to takings: review-agent's data joined with sales-agent's, week by week."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus

import httpx
from sales_agent_client import AuthenticatedClient
from sales_agent_client.api.sales import get_daily_sales
from sales_agent_client.models import DailySalesSeries

from meshkit.dates import check_range
from meshkit.db import Executor
from meshkit.errors import UpstreamUnavailable
from review_agent import repository
from review_agent.errors import LocationNotFound
from review_agent.models import (
    Period,
    RatingDrop,
    RatingSalesFinding,
    RatingVsSales,
    WeeklyRatingSales,
)
from review_agent.weeks import monday_of, weeks_between

log = logging.getLogger(__name__)

MAX_RANGE_DAYS = 184
#: Fewest reviews on each side of a split before a rating drop counts as one.
MIN_REVIEWS_PER_SIDE = 5
#: Smallest fall in stars worth calling a drop.
MIN_DROP = 0.3
#: How far (in standard errors) the fall must stand out from review-to-review noise. High,
#: because every week of the range is tried as the split.
MIN_T = 3.5


@dataclass(frozen=True, slots=True)
class _WeekFigures:
    week: WeeklyRatingSales
    stars: int
    stars_squared: int


@dataclass(frozen=True, slots=True)
class _Side:
    reviews: int
    mean: float
    variance: float
    covers_per_day: float

    @classmethod
    def of(cls, weeks: list[_WeekFigures]) -> _Side:
        n = sum(w.week.review_count for w in weeks)
        stars = sum(w.stars for w in weeks)
        squares = sum(w.stars_squared for w in weeks)
        days = sum(w.week.days for w in weeks)
        mean = stars / n if n else 0.0
        return cls(
            reviews=n,
            mean=mean,
            variance=(squares - n * mean * mean) / (n - 1) if n > 1 else 0.0,
            covers_per_day=sum(w.week.covers for w in weeks) / days if days else 0.0,
        )


async def fetch_daily_sales(
    sales: AuthenticatedClient, start: date, end: date, location_id: str
) -> DailySalesSeries:
    """sales-agent's daily series through its generated client; any failure is a 502."""
    try:
        response = await get_daily_sales.asyncio_detailed(
            client=sales, start=start, end=end, location_id=location_id
        )
    # ValueError covers bodies that are not JSON and statuses outside HTTPStatus;
    # KeyError/TypeError a 200 whose body is not the documented shape.
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        log.warning(
            "sales-agent call failed",
            extra={
                "upstream": "sales-agent",
                "operation": "get_daily_sales",
                "error": type(exc).__name__,
            },
        )
        raise UpstreamUnavailable(
            "sales-agent did not answer the request for daily sales.", upstream="sales-agent"
        ) from None
    if response.status_code != HTTPStatus.OK or not isinstance(response.parsed, DailySalesSeries):
        status = int(response.status_code)
        log.warning(
            "sales-agent refused a call",
            extra={"upstream": "sales-agent", "operation": "get_daily_sales", "status": status},
        )
        raise UpstreamUnavailable(
            f"sales-agent answered the request for daily sales with status {status}.",
            upstream="sales-agent",
            upstream_status=status,
        )
    return response.parsed


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r, or None with fewer than three points or no variation."""
    if len(xs) < 3:
        return None
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if var_x == 0 or var_y == 0:
        return None
    return cov / math.sqrt(var_x * var_y)


def find_drop(weeks: list[_WeekFigures]) -> RatingDrop | None:
    """The week from which the rating stepped down, if it did.

    Every week is tried as the split between before and after; the split whose fall in
    average stars stands out most from the noise (Welch's t) wins, and it counts only when
    the fall is at least `MIN_DROP` stars and `MIN_T` standard errors. A step change, so one
    bad week, or a short tail of them, cannot pass for it.
    """
    best: tuple[float, int, _Side, _Side] | None = None
    for i in range(1, len(weeks)):
        before, after = _Side.of(weeks[:i]), _Side.of(weeks[i:])
        if min(before.reviews, after.reviews) < MIN_REVIEWS_PER_SIDE:
            continue
        error = math.sqrt(before.variance / before.reviews + after.variance / after.reviews)
        if error == 0:
            continue
        t = (after.mean - before.mean) / error
        if best is None or t < best[0]:
            best = (t, i, before, after)
    if best is None:
        return None
    t, i, before, after = best
    change = after.mean - before.mean
    if t > -MIN_T or change > -MIN_DROP:
        return None
    return RatingDrop(
        week=weeks[i].week.week,
        week_start=weeks[i].week.week_start,
        rating_before=round(before.mean, 2),
        rating_after=round(after.mean, 2),
        change=round(change, 2),
        covers_per_day_before=round(before.covers_per_day, 1),
        covers_per_day_after=round(after.covers_per_day, 1),
        covers_change_pct=(
            round((after.covers_per_day - before.covers_per_day) / before.covers_per_day * 100, 1)
            if before.covers_per_day
            else None
        ),
    )


def _strength(r: float) -> str:
    size = abs(r)
    if size < 0.2:
        return "showed no clear link"
    kind = "strongly" if size >= 0.7 else "moderately" if size >= 0.4 else "weakly"
    direction = "moved together" if r > 0 else "moved in opposite directions"
    return f"{kind} {direction}"


def _summary(correlation: float | None, weeks_compared: int, drop: RatingDrop | None) -> str:
    if correlation is None:
        text = "Too few weeks with reviews to relate the rating to covers."
    else:
        text = (
            f"Over {weeks_compared} weeks with reviews, the weekly average rating and covers "
            f"per day {_strength(correlation)} (r = {correlation:.2f})."
        )
    if drop is None:
        return text + " The rating shows no clear drop in this period."
    text += (
        f" From the week of {drop.week_start:%d %b %Y} ({drop.week}) the average rating fell "
        f"from {drop.rating_before:.2f} to {drop.rating_after:.2f} stars, while covers per day "
        f"went from {drop.covers_per_day_before:.0f} to {drop.covers_per_day_after:.0f}"
    )
    if drop.covers_change_pct is not None:
        text += f" ({drop.covers_change_pct:+.1f}%)"
    return text + "."


async def get_rating_vs_sales(
    db: Executor, sales: AuthenticatedClient, location_id: str, period: Period
) -> RatingVsSales:
    start, end = period.start, period.end
    check_range(start, end, max_days=MAX_RANGE_DAYS)
    name = await repository.location_name(db, location_id)
    if name is None:
        raise LocationNotFound(location_id)
    ratings = {
        row["week_start"]: (int(row["reviews"]), int(row["stars"]), int(row["stars_squared"]))
        for row in await repository.weekly_ratings(db, start, end, location_id)
    }
    series = await fetch_daily_sales(sales, start, end, location_id)
    takings: dict[date, list[int]] = {}
    for point in series.points:
        if start <= point.day <= end:
            bucket = takings.setdefault(monday_of(point.day), [0, 0])
            bucket[0] += point.revenue_cents
            bucket[1] += point.covers

    figures = []
    for week in weeks_between(start, end):
        reviews, stars, stars_squared = ratings.get(week.monday, (0, 0, 0))
        revenue, covers = takings.get(week.monday, [0, 0])
        figures.append(
            _WeekFigures(
                week=WeeklyRatingSales(
                    week=week.label,
                    week_start=week.start,
                    week_end=week.end,
                    days=week.days,
                    review_count=reviews,
                    average_rating=round(stars / reviews, 2) if reviews else None,
                    revenue_cents=revenue,
                    covers=covers,
                    covers_per_day=round(covers / week.days, 1),
                ),
                stars=stars,
                stars_squared=stars_squared,
            )
        )
    reviewed = [f for f in figures if f.week.review_count]
    correlation = pearson(
        [f.stars / f.week.review_count for f in reviewed],
        [f.week.covers / f.week.days for f in reviewed],
    )
    correlation = round(correlation, 3) if correlation is not None else None
    drop = find_drop(figures)
    return RatingVsSales(
        location_id=location_id,
        location_name=name,
        start=start,
        end=end,
        weeks=[f.week for f in figures],
        finding=RatingSalesFinding(
            correlation=correlation,
            weeks_compared=len(reviewed),
            rating_drop=drop,
            summary=_summary(correlation, len(reviewed), drop),
        ),
    )
