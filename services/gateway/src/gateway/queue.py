"""The durable job queue in PostgreSQL.

Claiming takes the oldest runnable job that is first in line for its ordering key (no
earlier unfinished job with the same key), with `FOR UPDATE SKIP LOCKED`, so any number
of workers in any number of processes share the queue without double work, one chat's
updates run strictly in order, and different chats run concurrently. A claim is a lease:
the worker renews it while it works; if the worker dies the lease runs out and the job is
claimable again (its attempt counted). Failures back off exponentially; a job out of
attempts is `dead` and stays visible.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from meshkit.db import Executor


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    ordering_key: str
    update_id: int | None
    payload: dict[str, Any]
    attempts: int
    #: The trace context the update was stored with (W3C traceparent), for the consumer span.
    trace_context: dict[str, str] = field(default_factory=dict)


_CLAIM = """
WITH candidates AS (
    SELECT j.id
    FROM jobs j
    WHERE j.status IN ('queued', 'running')
      AND j.run_after <= now()
      AND (j.status = 'queued' OR j.locked_until < now())
      AND ($4::text[] IS NULL OR j.kind = ANY($4))
      AND NOT EXISTS (
          SELECT 1 FROM jobs earlier
          WHERE earlier.ordering_key = j.ordering_key
            AND earlier.id < j.id
            AND earlier.status IN ('queued', 'running')
      )
    ORDER BY j.id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE jobs
SET status = 'running',
    attempts = jobs.attempts + 1,
    locked_by = $1,
    locked_until = now() + make_interval(secs => $3)
FROM candidates
WHERE jobs.id = candidates.id
RETURNING jobs.id, jobs.kind, jobs.ordering_key, jobs.update_id, jobs.payload, jobs.attempts,
    coalesce(
        jobs.trace_context,
        (SELECT u.trace_context FROM telegram_updates u WHERE u.update_id = jobs.update_id)
    ) AS trace_context
"""


#: Work nobody is waiting for: a worker runs only a few of these at a time, so a morning of
#: briefings never takes the slots a person's question needs.
BULK_KINDS = ("briefing",)
INTERACTIVE_KINDS = ("update", "approval")


async def claim(
    db: Executor,
    worker: str,
    limit: int,
    lease_s: float,
    *,
    bulk: bool | None = None,
) -> list[Job]:
    """Up to `limit` jobs: of any kind (`bulk` None), only bulk ones (True) or none (False)."""
    kinds = None if bulk is None else list(BULK_KINDS if bulk else INTERACTIVE_KINDS)
    rows = await db.fetch(_CLAIM, worker, limit, lease_s, kinds)
    return [
        Job(
            id=row["id"],
            kind=row["kind"],
            ordering_key=row["ordering_key"],
            update_id=row["update_id"],
            payload=row["payload"] if isinstance(row["payload"], dict) else {},
            attempts=row["attempts"],
            trace_context=row["trace_context"] if isinstance(row["trace_context"], dict) else {},
        )
        for row in sorted(rows, key=lambda r: r["id"])
    ]


async def renew(db: Executor, job_ids: Sequence[int], worker: str, lease_s: float) -> set[int]:
    """Extend the leases of a worker's running jobs in one statement; the ids renewed (one
    missing is no longer ours: taken over after a stall)."""
    rows = await db.fetch(
        "UPDATE jobs SET locked_until = now() + make_interval(secs => $3) "
        "WHERE id = ANY($1) AND locked_by = $2 AND status = 'running' RETURNING id",
        list(job_ids),
        worker,
        lease_s,
    )
    return {row["id"] for row in rows}


async def complete(db: Executor, job_id: int, worker: str) -> None:
    await db.execute(
        "UPDATE jobs SET status = 'done', finished_at = now(), locked_until = NULL "
        "WHERE id = $1 AND locked_by = $2",
        job_id,
        worker,
    )


async def fail(
    db: Executor, job: Job, worker: str, error: str, *, max_attempts: int, backoff_s: float
) -> bool:
    """Record a failure: retry later, or dead when out of attempts. Returns True if dead."""
    dead = job.attempts >= max_attempts
    await db.execute(
        """
        UPDATE jobs
        SET status = CASE WHEN $4 THEN 'dead' ELSE 'queued' END,
            last_error = $3,
            run_after = now() + make_interval(secs => $5),
            locked_by = NULL,
            locked_until = NULL,
            finished_at = CASE WHEN $4 THEN now() END
        WHERE id = $1 AND locked_by = $2
        """,
        job.id,
        worker,
        error[:2000],
        dead,
        backoff_s,
    )
    return dead


async def enqueue(db: Executor, kind: str, ordering_key: str, payload: dict[str, Any]) -> int:
    job_id: int = await db.fetchval(
        "INSERT INTO jobs (kind, ordering_key, payload) VALUES ($1, $2, $3) RETURNING id",
        kind,
        ordering_key,
        payload,
    )
    return job_id


@dataclass(frozen=True, slots=True)
class NewUpdate:
    """An update as it is stored, with whether it gets a job."""

    update_id: int
    kind: str
    chat_id: int | None
    #: The update, or its JSON text as received (PostgreSQL parses that faster than Python
    #: encodes it again).
    payload: dict[str, Any] | str
    ordering_key: str
    make_job: bool
    trace_context: dict[str, str] = field(default_factory=dict)


_ACCEPT = """
WITH input AS (
    SELECT *
    FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                $7::boolean[])
         WITH ORDINALITY
         AS i(update_id, kind, chat_id, payload, trace_context, ordering_key, make_job, position)
), stored AS (
    INSERT INTO telegram_updates (update_id, kind, chat_id, payload, trace_context)
    SELECT update_id, kind, chat_id, payload::jsonb, trace_context::jsonb
    FROM input
    ORDER BY position
    ON CONFLICT (update_id) DO NOTHING
    RETURNING update_id
), queued AS (
    -- Jobs numbered in arrival order: a chat's updates are answered in that order.
    INSERT INTO jobs (kind, ordering_key, update_id)
    SELECT 'update', input.ordering_key, input.update_id
    FROM input JOIN stored USING (update_id)
    WHERE input.make_job
    ORDER BY input.position
)
SELECT update_id FROM stored
"""


async def accept_updates(db: Executor, updates: Sequence[NewUpdate]) -> list[bool]:
    """Store updates and their jobs in one statement (one commit): for each, True if it was
    stored, False for a duplicate delivery. Update ids must be distinct within the call."""
    stored = {
        row["update_id"]
        for row in await db.fetch(
            _ACCEPT,
            [u.update_id for u in updates],
            [u.kind for u in updates],
            [u.chat_id for u in updates],
            [u.payload if isinstance(u.payload, str) else json.dumps(u.payload) for u in updates],
            [json.dumps(u.trace_context) for u in updates],
            [u.ordering_key for u in updates],
            [u.make_job for u in updates],
        )
    }
    return [u.update_id in stored for u in updates]


async def accept_update(db: Executor, update: NewUpdate) -> bool:
    """Store one update and its job. False for a duplicate delivery."""
    (stored,) = await accept_updates(db, [update])
    return stored


async def load_update(db: Executor, update_id: int) -> dict[str, Any]:
    payload: dict[str, Any] = await db.fetchval(
        "SELECT payload FROM telegram_updates WHERE update_id = $1", update_id
    )
    return payload


def backoff(attempts: int, *, base_s: float = 2.0, cap_s: float = 300.0) -> float:
    return float(min(cap_s, base_s * 2 ** max(0, attempts - 1)))
