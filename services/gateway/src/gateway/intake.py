"""Accepting an update, from the webhook or long polling: store it (with its job) once.

Storing is the producer side of the queue hop: a `send gateway_jobs` span whose trace
context is stored with the update, so the worker that handles it continues the same trace.

Updates are written in groups (group commit). An update that arrives while `max_writes`
writes are in flight waits for the next one, which takes everything waiting, up to
`max_batch`, in one statement and one commit. Every caller still returns only after its own
update is committed, so a 200 to Telegram always means stored. An idle gateway writes each
update alone as soon as it arrives; under a flood, one commit (one WAL flush, one pool
round trip) carries dozens of updates, which is what lets one process take in updates at
close to the speed of a bare endpoint.
"""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass
from typing import Any

import asyncpg

from gateway import queue
from gateway.inbound import HANDLED, UnusableUpdate, parse_update, parse_update_json
from gateway.queue import NewUpdate
from meshkit import spans

#: The queue's name in traces (`messaging.destination.name`): the jobs' NOTIFY channel.
QUEUE = "gateway_jobs"


@dataclass(frozen=True, slots=True)
class _Waiting:
    update: NewUpdate
    #: Stored (or a duplicate), and how many updates the write carried.
    future: asyncio.Future[tuple[bool, int]]
    #: The caller's context: a group is written inside its first caller's `send` span.
    context: contextvars.Context


class Intake:
    """Stores updates in groups; see the module's description."""

    def __init__(self, pool: asyncpg.Pool, *, max_batch: int = 256, max_writes: int = 1) -> None:
        self.pool = pool
        self.max_batch = max_batch
        self.max_writes = max_writes
        self._waiting: list[_Waiting] = []
        self._writers: set[asyncio.Task[None]] = set()
        #: Writes in flight; counted down in the same step that finds nothing left to write,
        #: so an update that arrives just then always starts a write of its own.
        self._active = 0

    async def accept(self, payload: dict[str, Any] | str) -> bool:
        """Store the update (a dictionary, or its JSON text as received, stored as it is)
        and, for the kinds the gateway acts on, its job. False for a duplicate delivery.
        Raises `ValueError` for text that is not JSON, `UnusableUpdate` for a body that is
        not an update or one PostgreSQL cannot store (a NUL character in a text, NaN)."""
        update = parse_update_json(payload) if isinstance(payload, str) else parse_update(payload)
        attributes: spans.Attributes = {
            "telegram.update.id": update.update_id,
            "telegram.update.kind": update.kind,
            "telegram.chat.id": update.chat_id,
        }
        with spans.send(QUEUE, message_id=str(update.update_id), attributes=attributes) as context:
            try:
                stored, group = await self.store(
                    NewUpdate(
                        update_id=update.update_id,
                        kind=update.kind,
                        chat_id=update.chat_id,
                        payload=payload,
                        ordering_key=update.ordering_key,
                        make_job=update.kind in HANDLED,
                        trace_context=context,
                    )
                )
            except asyncpg.DataError as exc:
                raise UnusableUpdate(f"PostgreSQL cannot store this update: {exc}.") from None
            spans.set_attributes(
                {"gateway.duplicate": not stored, "messaging.batch.message_count": group}
            )
            return stored

    async def store(self, update: NewUpdate) -> tuple[bool, int]:
        """Store one update with the next group write: whether it was stored (False for a
        duplicate), and how many updates that write carried."""
        future: asyncio.Future[tuple[bool, int]] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(update, future, contextvars.copy_context()))
        if self._active < self.max_writes:
            self._active += 1
            # Writes run in tasks of their own: a caller that goes away (the client hung up)
            # does not take the others' write with it.
            writer = asyncio.create_task(
                self._write(), name="intake-write", context=contextvars.Context()
            )
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        return await asyncio.shield(future)

    async def close(self) -> None:
        """Wait for the writes in flight."""
        while self._writers:
            await asyncio.gather(*self._writers, return_exceptions=True)

    async def _write(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self.max_batch]
                del self._waiting[: self.max_batch]
                try:
                    await asyncio.create_task(self._store(batch), context=batch[0].context)
                except Exception as exc:  # every caller in the group gets the failure
                    for waiting in batch:
                        if not waiting.future.done():
                            waiting.future.set_exception(exc)
        finally:
            self._active -= 1

    async def _store(self, batch: list[_Waiting]) -> None:
        size = len(batch)
        # A delivery repeated within one group is a duplicate of the first.
        first: dict[int, _Waiting] = {}
        for waiting in batch:
            if waiting.update.update_id in first:
                waiting.future.set_result((False, size))
            else:
                first[waiting.update.update_id] = waiting
        unique = list(first.values())
        try:
            results = await queue.accept_updates(self.pool, [w.update for w in unique])
        except asyncpg.DataError:
            if len(unique) == 1:
                raise
            # One update PostgreSQL refuses must not fail the others: store them one by one.
            for waiting in unique:
                try:
                    stored = await queue.accept_update(self.pool, waiting.update)
                    waiting.future.set_result((stored, 1))
                except asyncpg.DataError as exc:
                    waiting.future.set_exception(exc)
            return
        for waiting, stored in zip(unique, results, strict=True):
            waiting.future.set_result((stored, size))
