"""ISO weeks (Monday to Sunday) clipped to a date range: the buckets of every trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Week:
    monday: date
    start: date
    end: date

    @property
    def label(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks_between(start: date, end: date) -> list[Week]:
    """Every ISO week touching `start`..`end`, oldest first, each clipped to the range."""
    weeks = []
    monday = monday_of(start)
    while monday <= end:
        weeks.append(Week(monday, max(monday, start), min(monday + timedelta(days=6), end)))
        monday += timedelta(days=7)
    return weeks
