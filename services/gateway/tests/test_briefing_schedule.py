"""The briefing's schedule against real PostgreSQL and a controlled clock: exactly one
briefing per chat and day, however many workers tick, across restarts and DST changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from gateway import queue, schedule
from gateway.schedule import ScheduleError, Show, Status, Subscribe, Unsubscribe

BERLIN = ZoneInfo("Europe/Berlin")
LISBON = ZoneInfo("Europe/Lisbon")
HOUR = 3600.0


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


async def tick(pool: asyncpg.Pool, now: datetime) -> list[schedule.Scheduled]:
    return await schedule.schedule_due(pool, now, max_late_s=4 * HOUR, late_after_s=300)


async def briefing_jobs(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await pool.fetch(
        "SELECT j.id, j.ordering_key, j.payload, b.local_day, b.late, b.status "
        "FROM jobs j JOIN briefings b ON b.job_id = j.id WHERE j.kind = 'briefing' ORDER BY j.id"
    )
    return rows


# Commands ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("", Show()),
        ("now", Show()),
        ("off", Unsubscribe()),
        ("status", Status()),
        ("on 08:00 Europe/Berlin", Subscribe(time(8, 0), BERLIN)),
        ("on 7:30", Subscribe(time(7, 30), LISBON)),
        ("ON 23:59 America/New_York", Subscribe(time(23, 59), ZoneInfo("America/New_York"))),
    ],
)
def test_briefing_commands_are_understood(arguments: str, expected: schedule.Command) -> None:
    assert schedule.parse_command(arguments, LISBON) == expected


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ("on 25:00 Europe/Berlin", "00:00 to 23:59"),
        ("on 08:60", "00:00 to 23:59"),
        ("on 8am Europe/Berlin", "HH:MM"),
        ("on tomorrow", "HH:MM"),
        ("on 08:00 Mars/Olympus_Mons", "don't know the time zone"),
        ("on 08:00 CEST+2", "don't know the time zone"),
        ("on 08:00 ../../etc/passwd", "not a time zone"),
        ("on 08:00 /etc/localtime", "not a time zone"),
        ("on", "didn't understand"),
        ("sometimes", "didn't understand"),
        ("on 08:00 Europe/Berlin extra", "didn't understand"),
    ],
)
def test_bad_times_and_zones_are_refused_with_a_clear_message(arguments: str, says: str) -> None:
    with pytest.raises(ScheduleError) as refused:
        schedule.parse_command(arguments, LISBON)
    assert says in str(refused.value)


# Due times ------------------------------------------------------------------------------


def test_the_due_time_follows_the_zones_offset_across_a_spring_forward() -> None:
    at = time(8, 0)
    # Europe/Berlin moves from CET (+1) to CEST (+2) at 01:00 UTC on 28 March 2027.
    saturday = schedule.next_due(at, BERLIN, utc(2027, 3, 27, 0, 0))
    sunday = schedule.next_due(at, BERLIN, saturday)
    monday = schedule.next_due(at, BERLIN, sunday)
    assert saturday == utc(2027, 3, 27, 7, 0)
    assert sunday == utc(2027, 3, 28, 6, 0)
    assert monday == utc(2027, 3, 29, 6, 0)
    assert sunday - saturday == timedelta(hours=23)


def test_a_time_skipped_by_the_clock_change_is_kept_an_hour_later() -> None:
    # 02:30 does not exist in Berlin on 28 March 2027: the clocks jump from 02:00 to 03:00.
    due = schedule.local_moment(date(2027, 3, 28), time(2, 30), BERLIN)
    assert due == utc(2027, 3, 28, 1, 30)
    assert due.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"


def test_a_time_that_happens_twice_is_taken_the_first_time() -> None:
    # 02:30 happens twice in Berlin on 31 October 2027 (CEST, then CET).
    due = schedule.local_moment(date(2027, 10, 31), time(2, 30), BERLIN)
    assert due == utc(2027, 10, 31, 0, 30)
    following = schedule.next_due(time(2, 30), BERLIN, due)
    assert following == utc(2027, 11, 1, 1, 30)


def test_latest_due_is_the_last_occurrence_at_or_before_now() -> None:
    at = time(8, 0)
    assert schedule.latest_due(at, LISBON, utc(2026, 12, 8, 8, 0)) == utc(2026, 12, 8, 8, 0)
    assert schedule.latest_due(at, LISBON, utc(2026, 12, 8, 7, 59)) == utc(2026, 12, 7, 8, 0)


# The scheduler ----------------------------------------------------------------------------


async def test_crossing_the_due_time_makes_exactly_one_briefing(pool: asyncpg.Pool) -> None:
    now = utc(2026, 12, 7, 20, 0)
    subscription = await schedule.subscribe(pool, 501, None, time(8, 0), LISBON, now)
    assert subscription.next_due_at == utc(2026, 12, 8, 8, 0)

    assert await tick(pool, utc(2026, 12, 8, 7, 59, 59)) == []
    (made,) = await tick(pool, utc(2026, 12, 8, 8, 0, 5))
    assert (made.chat_id, made.local_day, made.late) == (501, date(2026, 12, 8), False)
    assert await tick(pool, utc(2026, 12, 8, 8, 0, 20)) == []
    assert await tick(pool, utc(2026, 12, 8, 12, 0)) == []

    (job,) = await briefing_jobs(pool)
    assert job["ordering_key"] == "tg:501:0"
    assert job["payload"] == {"briefing_id": made.briefing_id}
    # The job is claimable like any other, and carries no update.
    (claimed,) = await queue.claim(pool, "w", 10, 30)
    assert (claimed.kind, claimed.update_id) == ("briefing", None)
    again = await schedule.subscription_for(pool, 501, None)
    assert again is not None
    assert again.next_due_at == utc(2026, 12, 9, 8, 0)

    (tomorrow,) = await tick(pool, utc(2026, 12, 9, 8, 1))
    assert tomorrow.local_day == date(2026, 12, 9)


async def test_workers_racing_on_the_due_time_still_make_one_briefing(
    pool: asyncpg.Pool,
) -> None:
    start = utc(2026, 12, 7, 20, 0)
    for chat in range(600, 620):
        await schedule.subscribe(pool, chat, None, time(8, 0), LISBON, start)
    due = utc(2026, 12, 8, 8, 0, 1)
    results = await asyncio.gather(*(tick(pool, due) for _ in range(8)))
    made = [item for result in results for item in result]
    assert sorted(item.chat_id for item in made) == list(range(600, 620))
    jobs = await briefing_jobs(pool)
    assert len(jobs) == 20
    assert len({job["ordering_key"] for job in jobs}) == 20


async def test_a_briefing_missed_while_down_is_sent_late_once(pool: asyncpg.Pool) -> None:
    await schedule.subscribe(pool, 701, None, time(8, 0), LISBON, utc(2026, 12, 7, 20, 0))
    # Nothing ticked from 07:00 to 10:30: the mesh was down across the due time.
    (made,) = await tick(pool, utc(2026, 12, 8, 10, 30))
    assert (made.local_day, made.late) == (date(2026, 12, 8), True)
    assert made.job_id is not None
    # Other workers coming back, and a second restart, change nothing.
    assert await tick(pool, utc(2026, 12, 8, 10, 31)) == []
    (job,) = await briefing_jobs(pool)
    assert (job["late"], job["status"]) == (True, "queued")


async def test_a_briefing_too_old_when_the_mesh_comes_back_is_skipped(
    pool: asyncpg.Pool,
) -> None:
    await schedule.subscribe(pool, 702, None, time(8, 0), LISBON, utc(2026, 12, 7, 20, 0))
    # Down for two days: only the latest due briefing counts, and it is 5 hours old.
    (made,) = await tick(pool, utc(2026, 12, 10, 13, 0))
    assert (made.local_day, made.job_id) == (date(2026, 12, 10), None)
    assert await briefing_jobs(pool) == []
    status = await pool.fetchval("SELECT status FROM briefings WHERE id = $1", made.briefing_id)
    assert status == "skipped"
    subscription = await schedule.subscription_for(pool, 702, None)
    assert subscription is not None
    assert subscription.next_due_at == utc(2026, 12, 11, 8, 0)


async def test_on_the_dst_change_day_the_briefing_comes_at_local_eight(
    pool: asyncpg.Pool,
) -> None:
    await schedule.subscribe(pool, 801, None, time(8, 0), BERLIN, utc(2027, 3, 27, 12, 0))
    # 08:00 CEST on 28 March is 06:00 UTC, an hour earlier in UTC than the day before.
    assert await tick(pool, utc(2027, 3, 28, 5, 59, 59)) == []
    (made,) = await tick(pool, utc(2027, 3, 28, 6, 0, 1))
    assert (made.local_day, made.late) == (date(2027, 3, 28), False)
    subscription = await schedule.subscription_for(pool, 801, None)
    assert subscription is not None
    assert subscription.next_due_at == utc(2027, 3, 29, 6, 0)


async def test_moving_the_time_the_same_day_does_not_send_a_second_briefing(
    pool: asyncpg.Pool,
) -> None:
    await schedule.subscribe(pool, 901, None, time(8, 0), LISBON, utc(2026, 12, 7, 20, 0))
    (first,) = await tick(pool, utc(2026, 12, 8, 8, 0, 1))
    # The user moves it to 09:00 after the 08:00 one went out: tomorrow is the next.
    await schedule.subscribe(pool, 901, None, time(9, 0), LISBON, utc(2026, 12, 8, 8, 30))
    assert await tick(pool, utc(2026, 12, 8, 9, 0, 1)) == []
    assert len(await briefing_jobs(pool)) == 1
    (second,) = await tick(pool, utc(2026, 12, 9, 9, 0, 1))
    assert second.local_day == first.local_day + timedelta(days=1)


async def test_unsubscribing_stops_the_briefings(pool: asyncpg.Pool) -> None:
    await schedule.subscribe(pool, 902, 7, time(8, 0), LISBON, utc(2026, 12, 7, 20, 0))
    assert await schedule.unsubscribe(pool, 902, 7) is True
    assert await schedule.unsubscribe(pool, 902, 7) is False
    assert await tick(pool, utc(2026, 12, 8, 8, 0, 1)) == []


async def test_the_scheduler_loop_ticks_on_its_clock_and_stops(pool: asyncpg.Pool) -> None:
    await schedule.subscribe(pool, 903, None, time(8, 0), LISBON, utc(2026, 12, 7, 20, 0))
    stop = asyncio.Event()
    clock = iter([utc(2026, 12, 8, 7, 0), utc(2026, 12, 8, 8, 0, 1)])
    last = utc(2026, 12, 8, 8, 0, 2)

    def now() -> datetime:
        return next(clock, last)

    loop = asyncio.create_task(
        schedule.run_scheduler(
            pool, stop, tick_s=0.05, max_late_s=4 * HOUR, late_after_s=300, clock=now
        )
    )
    for _ in range(100):
        if await briefing_jobs(pool):
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(loop, timeout=2)
    assert len(await briefing_jobs(pool)) == 1
