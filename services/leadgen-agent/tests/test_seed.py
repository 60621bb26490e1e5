from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from itertools import pairwise

import asyncpg
import pytest

from leadgen_agent import seed
from leadgen_agent.models import OPEN_STAGES, LeadKind, LeadStage, LocationId
from leadgen_agent.services.leads import TRANSITIONS

Counts = Callable[[], Awaitable[tuple[int, int]]]


@pytest.fixture(scope="module")
def leads(end_day: date) -> list[seed.SeedLead]:
    return seed.generate(end_day)


@pytest.fixture(scope="module")
def database_url(shared_database_url: str) -> str:
    return shared_database_url


def test_seed_is_a_pure_function_of_the_end_day(leads: list[seed.SeedLead], end_day: date) -> None:
    assert seed.generate(end_day) == leads
    assert seed.generate(end_day + timedelta(days=1)) != leads


def test_leads_span_the_half_year_before_the_end_day(
    leads: list[seed.SeedLead], end_day: date
) -> None:
    assert len(leads) == seed.LEAD_COUNT
    first = end_day - timedelta(days=seed.HISTORY_DAYS - 1)
    assert all(first <= lead.created_at.date() <= end_day for lead in leads)
    assert len({lead.id for lead in leads}) == len(leads)
    assert len({lead.email for lead in leads}) > 0.9 * len(leads)


def test_every_stage_kind_and_location_is_represented(leads: list[seed.SeedLead]) -> None:
    stages = Counter(lead.stage for lead in leads)
    assert all(stages[stage] >= 3 for stage in LeadStage), stages
    assert all(any(lead.kind is kind for lead in leads) for kind in LeadKind)
    assert {lead.location_id for lead in leads} == set(LocationId)


def test_catering_and_office_lunches_gather_at_midtown_and_university(
    leads: list[seed.SeedLead],
) -> None:
    business = [lead for lead in leads if lead.kind is not LeadKind.PRIVATE_EVENT]
    near_offices = [
        lead for lead in business if lead.location_id in (LocationId.MIDTOWN, LocationId.UNIVERSITY)
    ]
    assert len(near_offices) > 0.55 * len(business)


def test_histories_follow_the_pipeline_rules(leads: list[seed.SeedLead]) -> None:
    for lead in leads:
        events = lead.events
        assert events[0].from_stage is None
        assert events[0].to_stage is LeadStage.NEW
        assert events[0].at == lead.created_at
        for previous, event in pairwise(events):
            assert event.from_stage is previous.to_stage
            assert event.to_stage in TRANSITIONS[previous.to_stage]
            assert event.at > previous.at
            assert event.note
        assert (lead.stage is LeadStage.LOST) == (lead.lost_reason is not None)


def test_some_open_leads_are_stale_some_lost_ones_were_reopened(
    now: datetime, leads: list[seed.SeedLead]
) -> None:
    stale = [
        lead
        for lead in leads
        if lead.stage in OPEN_STAGES and now - lead.stage_changed_at > timedelta(days=14)
    ]
    assert len(stale) >= 5
    reopened = [lead for lead in leads if any(e.from_stage is LeadStage.LOST for e in lead.events)]
    assert len(reopened) >= 3


def test_qualified_leads_carry_a_score_some_of_them_partial(leads: list[seed.SeedLead]) -> None:
    scored = [lead for lead in leads if lead.score is not None]
    assert len(scored) >= 20
    assert any(lead.score_partial for lead in scored)
    for lead in leads:
        if any(e.to_stage is LeadStage.QUALIFIED for e in lead.events):
            assert lead.score is not None
        if lead.score is not None:
            assert lead.score_rationale is not None
            assert lead.scored_at is not None
            assert lead.score == sum(int(str(f["points"])) for f in lead.score_rationale)


async def test_database_holds_the_generated_leads_consistently(
    db: asyncpg.Connection, counts: Counts, leads: list[seed.SeedLead], end_day: date
) -> None:
    assert await counts() == (len(leads), sum(len(lead.events) for lead in leads))
    assert await db.fetchval("SELECT end_day FROM seed_state") == end_day
    # The lead's stage is its last event's, and it changed when that event happened.
    mismatched = await db.fetchval(
        """
        SELECT count(*) FROM leads l
        JOIN LATERAL (
            SELECT to_stage, at FROM lead_stage_events e
            WHERE e.lead_id = l.id ORDER BY at DESC, id DESC LIMIT 1
        ) last ON true
        WHERE last.to_stage <> l.stage OR last.at <> l.stage_changed_at
        """
    )
    assert mismatched == 0


async def test_seeding_again_writes_nothing(
    db: asyncpg.Connection, counts: Counts, end_day: date
) -> None:
    before = await counts()
    async with db.transaction():
        assert await seed.seed(db, end_day) is False
        assert await seed.seed(db, date(2027, 1, 1)) is False
    assert await counts() == before
