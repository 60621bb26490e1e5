"""Date phrases as demo mode reads them, on a fixed Wednesday (data ends the day before)."""

from __future__ import annotations

from datetime import date

import pytest

from meshdev.offline_model.demo.dates import comparison, find_periods

TODAY = date(2026, 11, 25)


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("sales today", "2026-11-25", "2026-11-25"),
        ("yesterday", "2026-11-24", "2026-11-24"),
        ("this week", "2026-11-23", "2026-11-24"),
        ("how were sales last week?", "2026-11-16", "2026-11-22"),
        ("this month", "2026-11-01", "2026-11-24"),
        ("last month", "2026-10-01", "2026-10-31"),
        ("the last 7 days", "2026-11-18", "2026-11-24"),
        ("past 30 days", "2026-10-26", "2026-11-24"),
        ("last 90 days", "2026-08-27", "2026-11-24"),
        ("last two weeks", "2026-11-11", "2026-11-24"),
        ("last Tuesday", "2026-11-24", "2026-11-24"),
        ("on Monday", "2026-11-23", "2026-11-23"),
        ("in March", "2026-03-01", "2026-03-31"),
        ("in December", "2025-12-01", "2025-12-31"),
        ("since 1 October", "2026-10-01", "2026-11-24"),
        ("October 2026", "2026-10-01", "2026-10-31"),
        ("on 3 October 2026", "2026-10-03", "2026-10-03"),
        ("from 2026-10-01 to 2026-10-15", "2026-10-01", "2026-10-15"),
        ("between 1 Oct and 15 Oct", "2026-10-01", "2026-10-15"),
        ("last weekend", "2026-11-21", "2026-11-22"),
        ("last quarter", "2026-07-01", "2026-09-30"),
        ("last year", "2025-01-01", "2025-12-31"),
        ("3 weeks ago", "2026-11-02", "2026-11-08"),
    ],
)
def test_a_date_phrase_becomes_its_range(phrase: str, start: str, end: str) -> None:
    (mention,) = find_periods(phrase, TODAY)

    assert (mention.period.start, mention.period.end) == (d(start), d(end))


@pytest.mark.parametrize("phrase", ["may I see the sales", "march on", "the pipeline"])
def test_words_that_only_look_like_dates_are_not_dates(phrase: str) -> None:
    assert find_periods(phrase, TODAY) == []


@pytest.mark.parametrize(
    ("question", "current", "previous"),
    [
        (
            "Compare this week with last week",
            ("2026-11-23", "2026-11-24"),
            ("2026-11-16", "2026-11-17"),
        ),
        (
            "Is Riverside doing worse than last week?",
            ("2026-11-23", "2026-11-24"),
            ("2026-11-16", "2026-11-17"),
        ),
        ("compare last month", ("2026-10-01", "2026-10-31"), ("2026-09-01", "2026-09-30")),
        (
            "October against the same month last year",
            ("2026-10-01", "2026-10-31"),
            ("2025-10-01", "2025-10-31"),
        ),
        ("March vs March last year", ("2026-03-01", "2026-03-31"), ("2025-03-01", "2025-03-31")),
        (
            "yesterday against the same day last week",
            ("2026-11-24", "2026-11-24"),
            ("2026-11-17", "2026-11-17"),
        ),
        (
            "compare last week with the week before",
            ("2026-11-16", "2026-11-22"),
            ("2026-11-09", "2026-11-15"),
        ),
        ("has revenue dropped?", ("2026-11-18", "2026-11-24"), ("2026-11-11", "2026-11-17")),
        ("are we down on last year?", ("2026-01-01", "2026-11-24"), ("2025-01-01", "2025-11-24")),
    ],
)
def test_a_comparison_derives_the_period_to_compare_with(
    question: str, current: tuple[str, str], previous: tuple[str, str]
) -> None:
    now, before = comparison(question, TODAY)

    assert (now.start, now.end) == (d(current[0]), d(current[1]))
    assert (before.start, before.end) == (d(previous[0]), d(previous[1]))
