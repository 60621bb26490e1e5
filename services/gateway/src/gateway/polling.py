"""Long polling: getUpdates with a stored offset, for running without a public URL."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from gateway.intake import Intake
from gateway.telegram.api import BotApi, Conflict, TelegramError
from meshkit import spans

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ("message", "callback_query")


async def poll(
    api: BotApi, pool: asyncpg.Pool, intake: Intake, stop: asyncio.Event, timeout_s: int = 25
) -> None:
    # getUpdates and the stored offset make no traces: a poll is not a message.
    with spans.untraced():
        await _poll(api, pool, intake, stop, timeout_s)


async def _poll(
    api: BotApi, pool: asyncpg.Pool, intake: Intake, stop: asyncio.Event, timeout_s: int
) -> None:
    offset = await pool.fetchval("SELECT next_offset FROM polling_state")
    while not stop.is_set():
        try:
            updates = await api.get_updates(
                offset=offset, timeout=timeout_s, allowed_updates=ALLOWED_UPDATES
            )
        except Conflict as exc:
            # Another instance polls the same token, or a webhook is set: back off.
            log.warning("getUpdates conflict", extra={"error": exc.description})
            await _sleep_or_stop(stop, 5.0)
            continue
        except TelegramError as exc:
            log.warning("getUpdates failed", extra={"error": exc.description})
            await _sleep_or_stop(stop, 2.0)
            continue
        for payload in updates:
            # Each update the poll brings is a message, and a trace, of its own.
            with spans.new_trace():
                await intake.accept(payload)
            offset = int(payload["update_id"]) + 1
            # Stored after the update itself: a crash in between re-reads it, and the
            # update_id key makes that a no-op.
            await pool.execute(
                "INSERT INTO polling_state (singleton, next_offset) VALUES (true, $1) "
                "ON CONFLICT (singleton) DO UPDATE SET next_offset = excluded.next_offset",
                offset,
            )


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
