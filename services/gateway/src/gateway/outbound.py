"""One outbound path per bot token, across every replica.

Workers do not call the Bot API to send or edit; they queue the call in `outbound` and wait
for its result. One gateway process at a time (whichever holds a PostgreSQL advisory lock)
is the sender: it takes queued calls, interactive replies before bulk work and each chat's
in order, paces them with the flood limiter and records each result, which wakes the
waiting worker through NOTIFY. The limits belong to the token, so one sender is the
simplest way to keep every replica within them; the cost is one insert and one notify per
message (a few milliseconds). If the sender dies its lock goes with its connection and
another replica takes over within a second; calls it had in flight are sent again, since
Telegram offers no way to ask whether they arrived. Typing actions and callback answers do
not count towards the limits and go straight out.

Live previews of an answer (drafts, or edits of one message) are the lowest priority and
only take a chat's spare capacity: the sender keeps one message of the chat's allowance in
hand for the answer itself. Their caller can withdraw a preview that has not gone yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg

from gateway.limits import Limiter, Limits
from gateway.telegram.api import (
    BotApi,
    CantParseEntities,
    ChatBlocked,
    ChatMigrated,
    MessageNotModified,
    RetryAfter,
    TelegramError,
)
from gateway.telegram.format import html_to_plain
from meshkit.db import end_session

log = logging.getLogger(__name__)

INTERACTIVE = 0
BULK = 1
#: Live previews of an answer being written: after everything else, from spare capacity.
PREVIEW = 2
_LOCK = "gateway.outbound.sender"
_KINDS = {
    "sendMessage": "send",
    "editMessageText": "edit",
    "editMessageReplyMarkup": "edit",
    "sendMessageDraft": "draft",
    "deleteMessage": "edit",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    result: Any
    error: str | None
    #: How many 429s Telegram answered before the call went through.
    flood_waits: int = 0


class OutboundFailed(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class Outbound:
    """The queueing side, used by every process: submit a call, wait for its outcome."""

    def __init__(self, pool: asyncpg.Pool, *, poll_s: float = 0.5) -> None:
        self.pool = pool
        self.poll_s = poll_s
        self._changed = asyncio.Event()
        self._listener: asyncpg.pool.PoolConnectionProxy[asyncpg.Record] | None = None

    async def start(self) -> None:
        self._listener = await self.pool.acquire()
        await self._listener.add_listener("gateway_outbound_done", self._notified)

    async def stop(self) -> None:
        if self._listener is not None:
            await end_session(self._listener)
            await self.pool.release(self._listener)
            self._listener = None

    def _notified(self, *_: object) -> None:
        self._changed.set()

    async def submit(
        self,
        chat_id: int,
        method: str,
        params: dict[str, Any],
        *,
        job_id: int | None = None,
        seq: int | None = None,
        priority: int = INTERACTIVE,
    ) -> Outcome:
        row_id = await self.enqueue(
            chat_id, method, params, job_id=job_id, seq=seq, priority=priority
        )
        return await self.wait(row_id)

    async def enqueue(
        self,
        chat_id: int,
        method: str,
        params: dict[str, Any],
        *,
        job_id: int | None = None,
        seq: int | None = None,
        priority: int = INTERACTIVE,
    ) -> int:
        """Queue a call without waiting for it; `wait` for its outcome."""
        row_id: int = await self.pool.fetchval(
            """
            INSERT INTO outbound (job_id, seq, chat_id, priority, method, params)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (job_id, seq) DO UPDATE SET job_id = excluded.job_id
            RETURNING id
            """,
            job_id,
            seq,
            chat_id,
            priority,
            method,
            params,
        )
        return row_id

    async def wait(self, row_id: int) -> Outcome:
        while True:
            self._changed.clear()
            row = await self.pool.fetchrow(
                "SELECT status, result, error, flood_waits FROM outbound WHERE id = $1", row_id
            )
            assert row is not None
            if row["status"] in ("sent", "failed"):
                return Outcome(row["status"], row["result"], row["error"], row["flood_waits"])
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_s):
                    await self._changed.wait()

    async def withdraw(self, row_id: int) -> str:
        """Take back a queued call. Returns `withdrawn`, or the status of a call too far
        along to take back: `sending` (wait and ask again), `sent` or `failed`."""
        status: str | None = await self.pool.fetchval(
            """
            WITH taken AS (
                UPDATE outbound SET status = 'failed', error = 'withdrawn', sent_at = now()
                WHERE id = $1 AND status = 'queued'
                RETURNING id
            )
            SELECT CASE WHEN EXISTS (SELECT FROM taken) THEN 'withdrawn'
                        ELSE (SELECT status FROM outbound WHERE id = $1) END
            """,
            row_id,
        )
        if status is None:
            raise LookupError(f"no outbound call {row_id}")
        return status


class Sender:
    """Sends queued calls for the whole bot token, while this process holds the lock."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        api: BotApi,
        limits: Limits,
        *,
        max_in_flight: int = 30,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pool = pool
        self.api = api
        self.limiter = Limiter(limits)
        self.max_in_flight = max_in_flight
        self.clock = clock
        self.flood_waits = 0
        self._wake = asyncio.Event()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._busy_chats: set[int] = set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            conn = await self.pool.acquire()
            try:
                held = await conn.fetchval(
                    "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", _LOCK
                )
                if held:
                    log.info("outbound sender role taken")
                    try:
                        await conn.add_listener("gateway_outbound", self._notified)
                        await self._drain(conn, stop)
                    finally:
                        await end_session(conn)
            except (OSError, asyncpg.PostgresError):
                log.exception("outbound sender lost its connection")
            finally:
                await self.pool.release(conn)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
        for task in list(self._in_flight.values()):
            await asyncio.wait({task}, timeout=10)

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def _drain(
        self, conn: asyncpg.pool.PoolConnectionProxy[asyncpg.Record], stop: asyncio.Event
    ) -> None:
        # Calls a dead sender had in flight: send them again rather than lose them.
        await self.pool.execute("UPDATE outbound SET status = 'queued' WHERE status = 'sending'")
        last_check = self.clock()
        while not stop.is_set():
            if self.clock() - last_check > 5:
                await conn.fetchval("SELECT 1")  # still holding the lock's session?
                last_check = self.clock()
                self.limiter.forget_idle(last_check)
            self._wake.clear()
            wait_s = await self._dispatch_ready()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait_s):
                    await self._wake.wait()

    async def _dispatch_ready(self) -> float:
        """Start every call that may go now; return how long until the next could."""
        if len(self._in_flight) >= self.max_in_flight:
            return 1.0
        rows = await self.pool.fetch(
            """
            SELECT id, chat_id, priority,
                   extract(epoch FROM greatest(not_before - now(), interval '0')) AS hold_s
            FROM outbound
            WHERE status = 'queued'
            ORDER BY priority, id
            LIMIT 2000
            """
        )
        now = self.clock()
        heads: dict[int, asyncpg.Record] = {}
        for row in rows:
            if row["chat_id"] not in heads and row["chat_id"] not in self._busy_chats:
                heads[row["chat_id"]] = row
        next_wait = 1.0
        for row in sorted(heads.values(), key=lambda r: (r["priority"], r["id"])):
            if len(self._in_flight) >= self.max_in_flight:
                break
            reserve = 1 if row["priority"] >= PREVIEW else 0
            spare = 1 if row["priority"] >= BULK else 0
            ready = max(
                self.limiter.ready_at(row["chat_id"], now, reserve=reserve, spare=spare),
                now + float(row["hold_s"]),
            )
            if ready > now:
                # Rows are visited interactive first, so bulk work only ever gets the
                # capacity interactive replies leave.
                next_wait = min(next_wait, ready - now)
                continue
            self.limiter.take(row["chat_id"], now)
            self._busy_chats.add(row["chat_id"])
            task = asyncio.create_task(self._send(row))
            self._in_flight[row["id"]] = task
            task.add_done_callback(functools.partial(self._done, row))
        return max(0.005, next_wait)

    def _done(self, row: asyncpg.Record, _: asyncio.Task[None]) -> None:
        self._in_flight.pop(row["id"], None)
        self._busy_chats.discard(row["chat_id"])
        self._wake.set()

    async def _send(self, row: asyncpg.Record) -> None:
        # The call itself is read only now: the scan for what may go reads no message text.
        taken = await self.pool.fetchrow(
            "UPDATE outbound SET status = 'sending', attempts = attempts + 1 "
            "WHERE id = $1 AND status = 'queued' RETURNING method, params",
            row["id"],
        )
        if taken is None:
            return  # withdrawn by its caller since it was read
        method, params = taken["method"], dict(taken["params"])
        kind = _KINDS.get(method, "send")
        try:
            try:
                result = await self.api.call(method, params, kind=kind)  # type: ignore[arg-type]
            except CantParseEntities:
                params["text"] = html_to_plain(str(params.get("text", "")))
                params.pop("parse_mode", None)
                result = await self.api.call(method, params, kind=kind)  # type: ignore[arg-type]
        except RetryAfter as exc:
            self.flood_waits += 1
            until = self.clock() + exc.retry_after
            self.limiter.block_chat(row["chat_id"], until)
            log.warning(
                "telegram flood wait despite pacing",
                extra={"chat_id": row["chat_id"], "retry_after": exc.retry_after},
            )
            await self.pool.execute(
                "UPDATE outbound SET status = 'queued', flood_waits = flood_waits + 1, "
                "not_before = now() + $2::interval WHERE id = $1",
                row["id"],
                timedelta(seconds=exc.retry_after),
            )
            return
        except MessageNotModified:
            await self._finish(row["id"], "sent", None, None)
            return
        except ChatMigrated as exc:
            await self.pool.execute(
                "INSERT INTO chats (chat_id, migrated_to) VALUES ($1, $2) "
                "ON CONFLICT (chat_id) DO UPDATE SET migrated_to = $2, updated_at = now()",
                row["chat_id"],
                exc.migrate_to_chat_id,
            )
            await self.pool.execute(
                "UPDATE outbound SET status = 'queued', chat_id = $2, "
                "params = jsonb_set(params, '{chat_id}', to_jsonb($2::bigint)) WHERE id = $1",
                row["id"],
                exc.migrate_to_chat_id,
            )
            return
        except ChatBlocked as exc:
            await self.pool.execute(
                "INSERT INTO chats (chat_id, blocked_at) VALUES ($1, now()) "
                "ON CONFLICT (chat_id) DO UPDATE SET blocked_at = now(), updated_at = now()",
                row["chat_id"],
            )
            await self._finish(row["id"], "failed", None, f"blocked: {exc.description}")
            return
        except TelegramError as exc:
            await self._finish(row["id"], "failed", None, exc.description)
            return
        except Exception as exc:
            log.exception("outbound send failed", extra={"outbound_id": row["id"]})
            await self._finish(row["id"], "failed", None, type(exc).__name__)
            return
        await self._finish(row["id"], "sent", result, None)

    async def _finish(self, row_id: int, status: str, result: Any, error: str | None) -> None:
        await self.pool.execute(
            "UPDATE outbound SET status = $2, result = $3, error = $4, sent_at = now() "
            "WHERE id = $1",
            row_id,
            status,
            result,
            error,
        )
        await self.pool.execute("SELECT pg_notify('gateway_outbound_done', $1)", str(row_id))
