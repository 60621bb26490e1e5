"""Date phrases ("last week", "since 1 October", "in March") turned into date ranges.

Weeks run Monday to Sunday. The demo data ends yesterday, so periods that are still running
("this week", "this month", "last 7 days") end yesterday, and a bare month or weekday means
the most recent one that has data.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

Unit = Literal["day", "week", "weekend", "month", "quarter", "year", "days", "span"]

MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
MONTHS["sept"] = 9
WEEKDAYS = {calendar.day_name[number].lower(): number for number in range(7)}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
}

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_AMBIGUOUS_MONTHS = {"may", "march", "mar", "jun", "dec", "jan"}
DASH = "\u2013"
_WEEKDAY = "|".join(WEEKDAYS)
_NUMBER = r"\d{1,3}|" + "|".join(NUMBER_WORDS)
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?\b"
_ISO = r"(\d{4}-\d{2}-\d{2})"
# A day and month in either order, optionally with a year, e.g. "1 Oct", "October 1st 2026".
_DAY_MONTH = (
    rf"(?:{_ORDINAL}\s+(?:of\s+)?({_MONTH})\.?(?:,?\s+(\d{{4}}))?"
    rf"|({_MONTH})\.?\s+{_ORDINAL}(?:,?\s+(\d{{4}}))?)"
)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date
    unit: Unit
    #: Still running: it ends at the latest day with data, not at its natural end.
    to_date: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, days: int) -> Period:
        return replace(
            self, start=self.start + timedelta(days=days), end=self.end + timedelta(days=days)
        )


@dataclass(frozen=True, slots=True)
class Mention:
    period: Period
    start: int
    end: int
    #: Words just before the phrase ("than", "since", ...), for reading comparisons.
    lead: str


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def years_back(day: date, years: int = 1) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=6), "week")


class _Parser:
    def __init__(self, text: str, today: date, *, ahead: bool = False) -> None:
        self.text = text.lower()
        self.today = today
        #: Dates without a year or week are the next ones, not the last ("an event on
        #: 10 December", "delivery on Friday").
        self.ahead = ahead
        self.latest = today - timedelta(days=1)
        self.found: list[Mention] = []
        self.taken: list[tuple[int, int]] = []

    # -- helpers -------------------------------------------------------------------------

    def running(self, start: date, unit: Unit) -> Period:
        """A period from `start` to the latest day with data (at least one day)."""
        return Period(start, max(start, self.latest), unit, to_date=True)

    def month(self, year: int, month: int) -> Period:
        first = date(year, month, 1)
        if (year, month) == (self.today.year, self.today.month):
            return self.running(first, "month")
        return Period(first, month_end(year, month), "month")

    def recent_month(self, month: int) -> Period:
        if self.ahead:
            year = self.today.year if month >= self.today.month else self.today.year + 1
        else:
            year = self.today.year if month <= self.today.month else self.today.year - 1
        return self.month(year, month)

    def day_month(self, day: int, month: int, year: int | None) -> date | None:
        try:
            if year is not None:
                return date(year, month, day)
            candidate = date(self.today.year, month, day)
            if self.ahead:
                return candidate if candidate >= self.today else years_back(candidate, -1)
            return candidate if candidate <= self.today else years_back(candidate)
        except ValueError:
            return None

    def recent_weekday(self, weekday: int) -> date:
        if self.ahead:
            return self.today + timedelta(days=(weekday - self.today.weekday()) % 7)
        back = (self.latest.weekday() - weekday) % 7
        return self.latest - timedelta(days=back)

    def day(self, day: date) -> Period:
        return Period(day, day, "day")

    def quarter(self, year: int, number: int) -> Period:
        first = date(year, 3 * (number - 1) + 1, 1)
        last = month_end(year, 3 * number)
        if first <= self.today <= last:
            return self.running(first, "quarter")
        return Period(first, last, "quarter")

    def count(self, token: str) -> int:
        return int(token) if token.isdigit() else NUMBER_WORDS.get(token, 1)

    def add(self, period: Period | None, match: re.Match[str]) -> None:
        if period is None:
            return
        start, end = match.span()
        if any(start < t_end and t_start < end for t_start, t_end in self.taken):
            return
        self.taken.append((start, end))
        lead = self.text[max(0, start - 24) : start]
        self.found.append(Mention(period, start, end, lead))

    def scan(self, pattern: str, build: Callable[[re.Match[str]], Period | None]) -> None:
        for match in re.finditer(pattern, self.text):
            self.add(build(match), match)

    def fixed(self, pattern: str, period: Period) -> None:
        """A phrase that always means the same period ("yesterday", "last week")."""
        for match in re.finditer(pattern, self.text):
            self.add(period, match)

    def parse_day(self, match: re.Match[str], offset: int = 0) -> date | None:
        groups = match.groups()[offset : offset + 7]
        iso, day1, month1, year1, month2, day2, year2 = groups
        if iso:
            try:
                return date.fromisoformat(iso)
            except ValueError:
                return None
        if day1:
            return self.day_month(int(day1), MONTHS[month1], int(year1) if year1 else None)
        if month2:
            return self.day_month(int(day2), MONTHS[month2], int(year2) if year2 else None)
        return None

    # -- phrases, most specific first: a phrase claims its words before shorter ones --

    def explicit(self) -> None:
        day_expr = rf"(?:{_ISO}|{_DAY_MONTH})"

        def between(m: re.Match[str]) -> Period | None:
            first, second = self.parse_day(m), self.parse_day(m, 7)
            if first is None or second is None:
                return None
            return Period(min(first, second), max(first, second), "span")

        joiner = rf"\s*(?:to|and|until|till|through|-|{DASH}|\.\.)\s*"
        self.scan(rf"(?:from|between)?\s*{day_expr}{joiner}{day_expr}", between)

        def since(m: re.Match[str]) -> Period | None:
            start = self.parse_day(m)
            return self.running(start, "span") if start else None

        self.scan(rf"\b(?:since|from)\s+{day_expr}", since)
        self.scan(
            rf"\b({_MONTH})\s+(?:of\s+)?(?:last|the\s+previous|previous)\s+year\b",
            lambda m: self.month(self.today.year - 1, MONTHS[m.group(1)]),
        )
        self.scan(
            rf"\bsince\s+(?:last\s+)?({_WEEKDAY})\b",
            lambda m: self.running(self.recent_weekday(WEEKDAYS[m.group(1)]), "span"),
        )

        def since_month(m: re.Match[str]) -> Period:
            month = MONTHS[m.group(1)]
            start = (
                date(int(m.group(2)), month, 1) if m.group(2) else self.recent_month(month).start
            )
            return self.running(start, "span")

        self.scan(
            rf"\bsince\s+(?:the\s+(?:start|beginning)\s+of\s+)?({_MONTH})\b(?:\s+(\d{{4}}))?",
            since_month,
        )

    def rolling(self) -> None:
        latest = self.latest

        def last_n(m: re.Match[str]) -> Period:
            n = max(1, min(self.count(m.group(1)), 3660))
            unit = m.group(2)
            if unit.startswith("week"):
                start = latest - timedelta(days=7 * n - 1)
            elif unit.startswith("month"):
                start = add_months(latest, -n) + timedelta(days=1)
            elif unit.startswith("year"):
                start = years_back(latest, n) + timedelta(days=1)
            else:
                start = latest - timedelta(days=n - 1)
            return Period(start, latest, "days", to_date=True)

        units = r"(days?|weeks?|months?|years?)"
        self.scan(rf"\b(?:last|past|previous|recent)\s+({_NUMBER})\s+{units}\b", last_n)
        self.fixed(
            r"\b(?:last|past)\s+fortnight\b",
            Period(latest - timedelta(days=13), latest, "days", to_date=True),
        )

        def the_past(m: re.Match[str]) -> Period:
            unit = m.group(1)
            if unit == "week":
                start = latest - timedelta(days=6)
            elif unit == "month":
                start = add_months(latest, -1) + timedelta(days=1)
            else:
                start = years_back(latest) + timedelta(days=1)
            return Period(start, latest, "days", to_date=True)

        self.scan(r"\b(?:the\s+)?past\s+(week|month|year)\b", the_past)

        def ago(m: re.Match[str]) -> Period:
            n = self.count(m.group(1))
            unit = m.group(2)
            if unit.startswith("week"):
                return week_of(self.today - timedelta(days=7 * n))
            if unit.startswith("month"):
                first = add_months(self.today.replace(day=1), -n)
                return self.month(first.year, first.month)
            if unit.startswith("year"):
                year = self.today.year - n
                return Period(date(year, 1, 1), date(year, 12, 31), "year")
            day = self.today - timedelta(days=n)
            return Period(day, day, "day")

        self.scan(rf"\b({_NUMBER})\s+{units}\s+ago\b", ago)

    def calendar_periods(self) -> None:
        today, latest = self.today, self.latest
        two_days_ago = today - timedelta(days=2)
        self.fixed(r"\bthe\s+day\s+before\s+yesterday\b", Period(two_days_ago, two_days_ago, "day"))
        self.fixed(r"\btoday\b", Period(today, today, "day"))
        tomorrow = today + timedelta(days=1)
        self.fixed(r"\btomorrow\b", Period(tomorrow, tomorrow, "day"))
        self.fixed(r"\byesterday\b", Period(latest, latest, "day"))

        monday = today - timedelta(days=today.weekday())
        self.fixed(
            r"\b(?:this|current)\s+week\b|\bweek\s+to\s+date\b|\bwtd\b",
            self.running(monday, "week"),
        )
        self.fixed(
            r"\bthe\s+week\s+before\s+last\b|\btwo\s+weeks\s+ago\b",
            week_of(today - timedelta(days=14)),
        )
        self.fixed(r"\bnext\s+week\b", week_of(today + timedelta(days=7)))
        next_month = add_months(today.replace(day=1), 1)
        self.fixed(
            r"\bnext\s+month\b",
            Period(next_month, month_end(next_month.year, next_month.month), "month"),
        )
        self.scan(
            rf"\bnext\s+({_WEEKDAY})\b",
            lambda m: self.day(
                today + timedelta(days=(WEEKDAYS[m.group(1)] - today.weekday() - 1) % 7 + 1)
            ),
        )
        # "the same day last week" qualifies another period; comparisons read it.
        self.fixed(
            r"(?<!same day )\b(?:last|previous|prior)\s+week\b", week_of(today - timedelta(days=7))
        )

        def weekend(m: re.Match[str]) -> Period:
            saturday = self.recent_weekday(5)
            if m.group(1) == "last" and saturday + timedelta(days=1) > latest:
                saturday -= timedelta(days=7)
            sunday = min(saturday + timedelta(days=1), max(saturday, latest))
            return Period(saturday, sunday, "weekend")

        self.scan(r"\b(this|last|the)\s+weekend\b", weekend)

        self.fixed(
            r"\b(?:this|current)\s+month\b|\bmonth\s+to\s+date\b|\bmtd\b",
            self.running(today.replace(day=1), "month"),
        )
        first_of_last = add_months(today.replace(day=1), -1)
        self.fixed(
            r"\b(?:last|previous|prior)\s+month\b",
            Period(first_of_last, month_end(first_of_last.year, first_of_last.month), "month"),
        )

        quarter = (today.month - 1) // 3 + 1
        self.fixed(
            r"\b(?:this|current)\s+quarter\b|\bquarter\s+to\s+date\b|\bqtd\b",
            self.quarter(today.year, quarter),
        )
        self.fixed(
            r"\b(?:last|previous|prior)\s+quarter\b",
            self.quarter(today.year, quarter - 1)
            if quarter > 1
            else self.quarter(today.year - 1, 4),
        )

        def named_quarter(m: re.Match[str]) -> Period:
            number = int(m.group(1))
            if m.group(2):
                return self.quarter(int(m.group(2)), number)
            return self.quarter(today.year if number <= quarter else today.year - 1, number)

        self.scan(r"\bq([1-4])(?:\s+(\d{4}))?\b", named_quarter)

        self.fixed(
            r"\b(?:this|current)\s+year\b|\byear\s+to\s+date\b|\bytd\b",
            self.running(date(today.year, 1, 1), "year"),
        )
        # "the same month last year" qualifies another period; comparisons read it.
        self.fixed(
            r"(?<!same )(?<!same day )(?<!same week )(?<!same month )(?<!same period )"
            r"(?<!same time )\b(?:last|previous|prior)\s+year\b",
            Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), "year"),
        )

        def year(m: re.Match[str]) -> Period | None:
            number = int(m.group(1))
            if not re.search(r"(in|during|for|of)\s+$", self.text[: m.start(1)]):
                return None
            if 2000 <= number < today.year:
                return Period(date(number, 1, 1), date(number, 12, 31), "year")
            if number == today.year:
                return self.running(date(number, 1, 1), "year")
            return None

        self.scan(r"\b(\d{4})\b(?!-)", year)

    def days_and_months(self) -> None:
        def single_day(m: re.Match[str]) -> Period | None:
            day = self.parse_day(m)
            return Period(day, day, "day") if day else None

        self.scan(rf"(?:{_ISO}|{_DAY_MONTH})", single_day)
        self.scan(
            rf"\b({_MONTH})\.?\s+(\d{{4}})\b",
            lambda m: self.month(int(m.group(2)), MONTHS[m.group(1)]),
        )

        def bare_month(m: re.Match[str]) -> Period | None:
            name = m.group(2)
            # "may" and "march" are words too: they are months after "in", "during" and the
            # like, or when compared ("March vs March last year").
            if name in _AMBIGUOUS_MONTHS and not m.group(1):
                following = self.text[m.end() :]
                if not re.match(r"\s+(?:vs\.?|versus|against|compared|and|or|to)\b", following):
                    return None
            return self.recent_month(MONTHS[name])

        self.scan(rf"\b(in\s+|during\s+|for\s+|of\s+|over\s+)?({_MONTH})\b", bare_month)

        def weekday(m: re.Match[str]) -> Period:
            day = self.recent_weekday(WEEKDAYS[m.group(1)])
            return Period(day, day, "day")

        self.scan(rf"\b(?:last\s+|on\s+|this\s+|past\s+)?({_WEEKDAY})\b", weekday)

    def run(self) -> list[Mention]:
        self.explicit()
        self.rolling()
        self.calendar_periods()
        self.days_and_months()
        self.found.sort(key=lambda mention: mention.start)
        return self.found


def find_periods(text: str, today: date, *, ahead: bool = False) -> list[Mention]:
    """Every date phrase in `text`, in reading order; `ahead` reads dates without a year
    or week as the next ones."""
    return _Parser(text, today, ahead=ahead).run()


def default_period(today: date, days: int = 7) -> Period:
    latest = today - timedelta(days=1)
    return Period(latest - timedelta(days=days - 1), latest, "days", to_date=True)


_PREVIOUS_MARKERS = re.compile(
    r"(than|vs\.?|versus|against|compared\s+(?:to|with)|with|to|(?:up|down)\s+on)\s+(the\s+)?$"
)
_YEAR_AGO = re.compile(
    r"same\s+(?:day|week|month|period|time|quarter)\s+(?:last|a|the\s+previous|previous)\s+year"
    r"|year[\s-]+on[\s-]+year|year[\s-]+over[\s-]+year|\byoy\b|a\s+year\s+(?:ago|earlier|before)"
    r"|vs\.?\s+last\s+year|than\s+last\s+year|(?:to|with|against)\s+last\s+year"
)
_WEEK_AGO = re.compile(
    r"week[\s-]+on[\s-]+week|week[\s-]+over[\s-]+week|\bwow\b|same\s+day\s+last\s+week"
)
_MONTH_AGO = re.compile(r"month[\s-]+on[\s-]+month|month[\s-]+over[\s-]+month|\bmom\b")


def previous_of(current: Period) -> Period:
    """The period a manager compares `current` with: the one before it, like for like."""
    if current.unit in ("week", "weekend"):
        return current.shifted(-7)
    if current.unit == "day":
        return current.shifted(-7)  # the same weekday a week earlier
    if current.unit == "month":
        start = add_months(current.start, -1)
        if current.to_date:
            return Period(start, add_months(current.end, -1), "month")
        return Period(start, month_end(start.year, start.month), "month")
    if current.unit == "quarter":
        start = add_months(current.start, -3)
        end = (
            add_months(current.end, -3)
            if current.to_date
            else month_end(add_months(current.end, -3).year, add_months(current.end, -3).month)
        )
        return Period(start, end, "quarter")
    if current.unit == "year":
        return Period(years_back(current.start), years_back(current.end), "year")
    return current.shifted(-current.days)


def year_before(current: Period) -> Period:
    return Period(years_back(current.start), years_back(current.end), current.unit)


def _like_for_like(current: Period, previous: Period) -> Period:
    """Trim the full previous period to the days the running one has had so far, so a
    Wednesday's "this week against last week" compares Monday-Tuesday with Monday-Tuesday."""
    if current.to_date and previous.start < current.start and previous.days > current.days:
        return Period(
            previous.start, previous.start + timedelta(days=current.days - 1), previous.unit
        )
    return previous


def comparison(text: str, today: date) -> tuple[Period, Period]:
    """The current period and the one to compare it with, as the question means them."""
    lowered = text.lower()
    mentions = find_periods(text, today)
    if len(mentions) >= 2:
        first, second = mentions[0].period, mentions[1].period
        current, previous = (first, second) if first.start >= second.start else (second, first)
        return current, _like_for_like(current, previous)
    if len(mentions) == 1:
        mention = mentions[0]
        period = mention.period
        if _PREVIOUS_MARKERS.search(mention.lead) and not period.to_date:
            # "worse than last week", "down on last year": the period said is the
            # baseline; the one running now is current.
            running = _running_counterpart(period, today)
            if running is not None:
                return running, _like_for_like(running, period)
        if _YEAR_AGO.search(lowered):
            return period, year_before(period)
        if _WEEK_AGO.search(lowered) and period.unit != "week":
            return period, period.shifted(-7)
        return period, previous_of(period)
    current = default_period(today)
    if _YEAR_AGO.search(lowered):
        return current, year_before(current)
    if _MONTH_AGO.search(lowered):
        start = today.replace(day=1)
        current = Period(start, max(start, today - timedelta(days=1)), "month", to_date=True)
        return current, previous_of(current)
    if _WEEK_AGO.search(lowered):
        monday = today - timedelta(days=today.weekday())
        current = Period(monday, max(monday, today - timedelta(days=1)), "week", to_date=True)
        return current, _like_for_like(current, current.shifted(-7))
    return current, previous_of(current)


def _running_counterpart(baseline: Period, today: date) -> Period | None:
    latest = today - timedelta(days=1)
    if baseline.unit == "week":
        monday = today - timedelta(days=today.weekday())
        return Period(monday, max(monday, latest), "week", to_date=True)
    if baseline.unit == "month":
        first = today.replace(day=1)
        return Period(first, max(first, latest), "month", to_date=True)
    if baseline.unit == "year":
        first = date(today.year, 1, 1)
        return Period(first, max(first, latest), "year", to_date=True)
    if baseline.unit == "day":
        return Period(latest, latest, "day")
    return None


def label(period: Period) -> str:
    """`16-22 Nov 2026` (with an en dash), `28 Oct - 3 Nov 2026`, `Tue 24 Nov 2026`."""
    start, end = period.start, period.end
    if start == end:
        return f"{start:%a} {start.day} {start:%b %Y}"
    if start.year == end.year and start.month == end.month:
        if start.day == 1 and end == month_end(end.year, end.month):
            return f"{start:%B %Y}"
        return f"{start.day}{DASH}{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} {DASH} {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} {DASH} {end.day} {end:%b %Y}"
