"""Date-range checks shared by every operation that takes `start`/`end`."""

from __future__ import annotations

from datetime import date, timedelta

from meshkit.errors import InvalidInput

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


class InvalidDateRange(InvalidInput):
    slug = "invalid-date-range"
    title = "Invalid date range"


def check_range(start: date, end: date, *, max_days: int = 366, label: str = "") -> int:
    """Validate an inclusive range and return its length in days."""
    prefix = f"{label}: " if label else ""
    if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
        raise InvalidDateRange(
            f"{prefix}dates must lie between {EARLIEST.isoformat()} and {LATEST.isoformat()}.",
            start=start,
            end=end,
        )
    if end < start:
        raise InvalidDateRange(
            f"{prefix}end ({end.isoformat()}) is before start ({start.isoformat()}).",
            start=start,
            end=end,
        )
    days = (end - start).days + 1
    if days > max_days:
        raise InvalidDateRange(
            f"{prefix}the range spans {days} days; at most {max_days} are allowed.",
            start=start,
            end=end,
            max_days=max_days,
        )
    return days


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
