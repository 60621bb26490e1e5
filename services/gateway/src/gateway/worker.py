"""Workers: claim jobs, run them with a renewed lease, retry with backoff, dead-letter.

Runs inside the gateway process by default (GATEWAY_ROLE=all) or alone (worker), as many
processes and replicas as wanted: the queue keeps them from stepping on each other.

Polling and lease renewals make no spans; each job runs in a `process gateway_jobs` span
that continues the trace of its update.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable

import asyncpg

from gateway import queue
from gateway.intake import QUEUE
from gateway.queue import Job
from meshkit import spans
from meshkit.db import end_session

log = logging.getLogger(__name__)

Handler = Callable[[Job], Awaitable[None]]
DeadHandler = Callable[[Job, str], Awaitable[None]]


class Worker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        handler: Handler,
        on_dead: DeadHandler,
        *,
        concurrency: int,
        lease_s: float,
        max_attempts: int,
        poll_s: float = 1.0,
        bulk_concurrency: int | None = None,
    ) -> None:
        self.pool = pool
        self.handler = handler
        self.on_dead = on_dead
        self.concurrency = concurrency
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self.poll_s = poll_s
        self.name = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        #: Of `concurrency`, how many may be bulk jobs (briefings) at once.
        self.bulk_concurrency = min(concurrency, bulk_concurrency or concurrency)
        self._wake = asyncio.Event()
        self._active: set[asyncio.Task[None]] = set()
        self._bulk: set[asyncio.Task[None]] = set()
        #: The jobs whose leases the heartbeat renews.
        self._leased: set[int] = set()

    async def run(self, stop: asyncio.Event) -> None:
        # Claims, renewals and the listener make no traces; each job opens its own span.
        with spans.untraced():
            await self._serve(stop)

    async def _serve(self, stop: asyncio.Event) -> None:
        listener = await self.pool.acquire()
        await listener.add_listener("gateway_jobs", self._notified)
        heartbeat = asyncio.create_task(self._heartbeat(), name="lease-heartbeat")
        try:
            while not stop.is_set():
                free = self.concurrency - len(self._active)
                claimed: list[Job] = []
                if free > 0:
                    try:
                        claimed = await self._claim(free)
                    except (OSError, asyncpg.PostgresError):
                        log.exception("claiming jobs failed")
                for job in claimed:
                    task = asyncio.create_task(self._run(job), name=f"job-{job.id}")
                    self._active.add(task)
                    if job.kind in queue.BULK_KINDS:
                        self._bulk.add(task)
                    task.add_done_callback(self._finished)
                if claimed and len(claimed) == free:
                    # Full: wait for a slot rather than for the database.
                    await asyncio.wait(self._active, return_when=asyncio.FIRST_COMPLETED)
                    continue
                if claimed:
                    continue
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_s):
                        stop_wait = asyncio.create_task(stop.wait())
                        wake_wait = asyncio.create_task(self._wake.wait())
                        try:
                            await asyncio.wait(
                                {stop_wait, wake_wait}, return_when=asyncio.FIRST_COMPLETED
                            )
                        finally:
                            stop_wait.cancel()
                            wake_wait.cancel()
        finally:
            await end_session(listener)
            await self.pool.release(listener)
            await self._drain()
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)

    async def _claim(self, free: int) -> list[Job]:
        """Jobs people wait for first; bulk jobs only into the slots kept for them."""
        bulk_free = min(free, self.bulk_concurrency - len(self._bulk))
        if bulk_free >= free:
            return await queue.claim(self.pool, self.name, free, self.lease_s)
        claimed = await queue.claim(self.pool, self.name, free, self.lease_s, bulk=False)
        bulk_free = min(free - len(claimed), bulk_free)
        if bulk_free > 0:
            claimed += await queue.claim(self.pool, self.name, bulk_free, self.lease_s, bulk=True)
        return claimed

    def _notified(self, *_: object) -> None:
        self._wake.set()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._active.discard(task)
        self._bulk.discard(task)
        self._wake.set()

    async def _drain(self, grace_s: float = 10.0) -> None:
        """Give running jobs a moment; the rest are cancelled and their leases run out, so
        another worker takes them over."""
        if not self._active:
            return
        _, pending = await asyncio.wait(self._active, timeout=grace_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _run(self, job: Job) -> None:
        self._leased.add(job.id)
        try:
            await self._handle(job)
        finally:
            self._leased.discard(job.id)

    async def _handle(self, job: Job) -> None:
        attributes = {
            "telegram.update.id": job.update_id,
            "gateway.job.id": job.id,
            "gateway.job.attempt": job.attempts,
        }
        message_id = str(job.update_id) if job.update_id is not None else None
        with spans.process(QUEUE, job.trace_context, message_id=message_id, attributes=attributes):
            try:
                await self.handler(job)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._leased.discard(job.id)
                spans.record_error(exc)
                log.exception("job failed", extra={"job_id": job.id, "attempt": job.attempts})
                error = f"{type(exc).__name__}: {exc}"
                dead = await queue.fail(
                    self.pool,
                    job,
                    self.name,
                    error,
                    max_attempts=self.max_attempts,
                    backoff_s=queue.backoff(job.attempts),
                )
                if dead:
                    try:
                        await self.on_dead(job, error)
                    except Exception:
                        log.exception("dead-letter notice failed", extra={"job_id": job.id})
                return
            self._leased.discard(job.id)
            await queue.complete(self.pool, job.id, self.name)

    async def _heartbeat(self) -> None:
        """Renew every running job's lease, a third of a lease apart, in one statement: one
        renewal per job would send hundreds of updates at once when a burst of jobs was
        claimed together, and hold every pool connection while they ran."""
        while True:
            await asyncio.sleep(self.lease_s / 3)
            leased = list(self._leased)
            if not leased:
                continue
            try:
                renewed = await queue.renew(self.pool, leased, self.name, self.lease_s)
            except (OSError, asyncpg.PostgresError):
                log.exception("lease renewal failed", extra={"jobs": len(leased)})
                continue
            for job_id in set(leased) - renewed:
                # Finished meanwhile, or taken over after a stall: stop renewing it.
                if job_id in self._leased:
                    log.warning("lease lost", extra={"job_id": job_id})
                    self._leased.discard(job_id)
