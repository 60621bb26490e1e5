"""The morning briefing's schedule: subscriptions, due times in the chat's time zone, and
the scheduler that turns each due briefing into exactly one job.

A subscription stores its local time and IANA zone, and the next moment it is due (UTC).
Any number of workers tick the scheduler: one transaction takes the due subscriptions with
`FOR UPDATE SKIP LOCKED`, records the briefing of that local day (unique per chat, topic
and day) with its job, and moves the subscription to its next due time. So a briefing is
made once per chat and day however many replicas tick, and a tick that finds a briefing
overdue (everything was down) sends it marked late, or skips it when it is too old.

Due times follow the zone's rules on the day itself: 08:00 Europe/Berlin is 07:00 UTC in
winter and 06:00 UTC in summer. A time that does not exist on a spring-forward day (02:30)
is taken as the same moment an hour later on the wall clock (03:30); a time that happens
twice on a fall-back day is taken the first time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg

from gateway.intake import QUEUE
from meshkit import spans
from meshkit.db import Executor

log = logging.getLogger(__name__)

_TIME = re.compile(r"^(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})$")
_ZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}$")

USAGE = (
    "Use /briefing to see it now, /briefing on 08:00 Europe/Lisbon to get it every "
    "morning (a 24-hour time and an IANA time zone), or /briefing off to stop it."
)


class ScheduleError(ValueError):
    """A subscription the user asked for that cannot be kept; the message says why."""


@dataclass(frozen=True, slots=True)
class Show:
    """`/briefing`: the briefing now."""


@dataclass(frozen=True, slots=True)
class Subscribe:
    at: time
    zone: ZoneInfo


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    """`/briefing off`."""


@dataclass(frozen=True, slots=True)
class Status:
    """`/briefing status`: when the next one comes."""


Command = Show | Subscribe | Unsubscribe | Status


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if match is None:
        raise ScheduleError(f"“{text[:20]}” is not a time: write it as HH:MM, e.g. 08:00.")
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ScheduleError(f"“{text[:20]}” is not a time of day: use 00:00 to 23:59.")
    return time(hour, minute)


def parse_zone(text: str) -> ZoneInfo:
    name = text.strip()
    # The pattern keeps file paths and other oddities away from the zone database.
    if not _ZONE.match(name) or ".." in name:
        raise ScheduleError(
            f"“{name[:40]}” is not a time zone: use an IANA name such as Europe/Lisbon."
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"I don't know the time zone “{name[:40]}”: use an IANA name such as "
            "Europe/Lisbon or America/New_York."
        ) from None


def parse_command(arguments: str, default_zone: ZoneInfo) -> Command:
    """The words after `/briefing`. Raises `ScheduleError` with a message for the user."""
    words = arguments.split()
    if not words:
        return Show()
    head = words[0].lower()
    if head in ("now", "show") and len(words) == 1:
        return Show()
    if head in ("off", "stop") and len(words) == 1:
        return Unsubscribe()
    if head == "status" and len(words) == 1:
        return Status()
    if head == "on" and 2 <= len(words) <= 3:
        at = parse_time(words[1])
        zone = parse_zone(words[2]) if len(words) == 3 else default_zone
        return Subscribe(at, zone)
    raise ScheduleError(f"I didn't understand “/briefing {arguments.strip()[:60]}”. {USAGE}")


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` on `day` in `zone`, as an aware UTC datetime, under the DST rules above."""
    # fold=0 (PEP 495) reads a wall time with the offset in force before a transition:
    # in a spring-forward gap that lands as far past the gap as the time was into it, and
    # of a time that happens twice it picks the first.
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def next_due(at: time, zone: ZoneInfo, after: datetime) -> datetime:
    """The first moment strictly after `after` at which the briefing is due."""
    day = after.astimezone(zone).date() - timedelta(days=1)
    while True:
        due = local_moment(day, at, zone)
        if due > after:
            return due
        day += timedelta(days=1)


def latest_due(at: time, zone: ZoneInfo, now: datetime) -> datetime:
    """The last moment at or before `now` at which the briefing was due."""
    day = now.astimezone(zone).date() + timedelta(days=1)
    while True:
        due = local_moment(day, at, zone)
        if due <= now:
            return due
        day -= timedelta(days=1)


# Subscriptions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    thread_id: int | None
    at: time
    zone: ZoneInfo
    next_due_at: datetime


def _subscription(row: asyncpg.Record) -> Subscription:
    return Subscription(
        chat_id=row["chat_id"],
        thread_id=row["thread_id"] or None,
        at=row["local_time"],
        zone=ZoneInfo(row["time_zone"]),
        next_due_at=row["next_due_at"],
    )


async def subscribe(
    db: Executor, chat_id: int, thread_id: int | None, at: time, zone: ZoneInfo, now: datetime
) -> Subscription:
    """Start (or move) the chat's daily briefing; the first is the next `at` after `now`."""
    row = await db.fetchrow(
        """
        INSERT INTO briefing_subscriptions (chat_id, thread_id, local_time, time_zone,
                                            next_due_at)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (chat_id, thread_id) DO UPDATE
        SET local_time = excluded.local_time, time_zone = excluded.time_zone,
            next_due_at = excluded.next_due_at, updated_at = now()
        RETURNING *
        """,
        chat_id,
        thread_id or 0,
        at,
        zone.key,
        next_due(at, zone, now),
    )
    assert row is not None
    return _subscription(row)


async def unsubscribe(db: Executor, chat_id: int, thread_id: int | None) -> bool:
    deleted = await db.fetchval(
        "DELETE FROM briefing_subscriptions WHERE chat_id = $1 AND thread_id = $2 RETURNING true",
        chat_id,
        thread_id or 0,
    )
    return bool(deleted)


async def subscription_for(
    db: Executor, chat_id: int, thread_id: int | None
) -> Subscription | None:
    row = await db.fetchrow(
        "SELECT * FROM briefing_subscriptions WHERE chat_id = $1 AND thread_id = $2",
        chat_id,
        thread_id or 0,
    )
    return _subscription(row) if row is not None else None


async def forget_chat(db: Executor, chat_id: int) -> None:
    """The chat blocked the bot or is gone: no more briefings for it."""
    await db.execute("DELETE FROM briefing_subscriptions WHERE chat_id = $1", chat_id)


# The scheduler ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scheduled:
    briefing_id: int
    chat_id: int
    local_day: date
    late: bool
    #: None when the briefing was skipped as too old.
    job_id: int | None


async def schedule_due(
    pool: asyncpg.Pool,
    now: datetime,
    *,
    max_late_s: float,
    late_after_s: float,
    batch: int = 100,
) -> list[Scheduled]:
    """Turn every subscription due at `now` into its briefing and job (or a skipped
    briefing, when it is more than `max_late_s` overdue). Safe to run from any number of
    workers at once."""
    made: list[Scheduled] = []
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT * FROM briefing_subscriptions WHERE next_due_at <= $1 "
            "ORDER BY next_due_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            now,
            batch,
        )
        for row in rows:
            subscription = _subscription(row)
            due = latest_due(subscription.at, subscription.zone, now)
            overdue = (now - due).total_seconds()
            made_now = await _record(
                conn,
                subscription,
                due,
                skip=overdue > max_late_s,
                late=overdue > late_after_s,
            )
            if made_now is not None:
                made.append(made_now)
            await conn.execute(
                "UPDATE briefing_subscriptions SET next_due_at = $3, updated_at = now() "
                "WHERE chat_id = $1 AND thread_id = $2",
                row["chat_id"],
                row["thread_id"],
                next_due(subscription.at, subscription.zone, now),
            )
    return made


async def _record(
    conn: Executor, subscription: Subscription, due: datetime, *, skip: bool, late: bool
) -> Scheduled | None:
    """The briefing of the day `due` falls on, with its job unless skipped; None when that
    day's briefing exists already (a second subscription change on one day, say)."""
    local_day = due.astimezone(subscription.zone).date()
    attributes: spans.Attributes = {
        "telegram.chat.id": subscription.chat_id,
        "gateway.briefing.day": local_day.isoformat(),
        "gateway.briefing.late": late,
    }
    # Each briefing is its own trace, started here and continued by the worker's job.
    with spans.new_trace(), spans.send(QUEUE, attributes=attributes) as context:
        briefing_id = await conn.fetchval(
            """
            INSERT INTO briefings (chat_id, thread_id, local_day, due_at, late, status)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (chat_id, thread_id, local_day) DO NOTHING
            RETURNING id
            """,
            subscription.chat_id,
            subscription.thread_id or 0,
            local_day,
            due,
            late,
            "skipped" if skip else "queued",
        )
        if briefing_id is None:
            return None
        job_id: int | None = None
        if not skip:
            payload: dict[str, Any] = {"briefing_id": briefing_id}
            job_id = await conn.fetchval(
                "INSERT INTO jobs (kind, ordering_key, payload, trace_context) "
                "VALUES ('briefing', $1, $2, $3) RETURNING id",
                f"tg:{subscription.chat_id}:{subscription.thread_id or 0}",
                payload,
                context,
            )
            await conn.execute(
                "UPDATE briefings SET job_id = $2 WHERE id = $1", briefing_id, job_id
            )
        spans.set_attributes({"gateway.briefing.id": briefing_id, "gateway.briefing.skipped": skip})
    return Scheduled(briefing_id, subscription.chat_id, local_day, late, job_id)


async def run_scheduler(
    pool: asyncpg.Pool,
    stop: asyncio.Event,
    *,
    tick_s: float,
    max_late_s: float,
    late_after_s: float,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Tick until `stop`: every worker process runs one; the queue's NOTIFY wakes the
    workers for each briefing made. Ticks make no traces (each briefing starts its own)."""
    with spans.untraced():
        while not stop.is_set():
            try:
                made = await schedule_due(
                    pool, clock(), max_late_s=max_late_s, late_after_s=late_after_s
                )
            except (OSError, asyncpg.PostgresError):
                log.exception("briefing scheduler tick failed")
                made = []
            for item in made:
                log.info(
                    "briefing skipped as too old" if item.job_id is None else "briefing due",
                    extra={
                        "chat_id": item.chat_id,
                        "briefing_id": item.briefing_id,
                        "local_day": item.local_day.isoformat(),
                        "late": item.late,
                    },
                )
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(tick_s):
                    await stop.wait()


@dataclass(frozen=True, slots=True)
class Briefing:
    id: int
    chat_id: int
    thread_id: int | None
    local_day: date
    due_at: datetime
    late: bool
    status: str


async def load_briefing(db: Executor, briefing_id: int) -> Briefing | None:
    row = await db.fetchrow("SELECT * FROM briefings WHERE id = $1", briefing_id)
    if row is None:
        return None
    return Briefing(
        id=row["id"],
        chat_id=row["chat_id"],
        thread_id=row["thread_id"] or None,
        local_day=row["local_day"],
        due_at=row["due_at"],
        late=row["late"],
        status=row["status"],
    )


async def finish(db: Executor, briefing_id: int, status: Literal["sent", "skipped"]) -> None:
    """The briefing went out, or was not sent (its chat blocked the bot, or is not allowed)."""
    await db.execute(
        "UPDATE briefings SET status = $2, "
        "sent_at = CASE WHEN $2 = 'sent' THEN coalesce(sent_at, now()) END WHERE id = $1",
        briefing_id,
        status,
    )
