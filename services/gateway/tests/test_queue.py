"""The job queue against real PostgreSQL: order per chat, concurrency across chats, leases,
retries and the dead-letter state."""

from __future__ import annotations

import asyncio

import asyncpg

from gateway import queue
from gateway.worker import Worker


async def _update(pool: asyncpg.Pool, update_id: int, chat: int) -> bool:
    payload = {"update_id": update_id, "message": {"message_id": update_id, "chat": {"id": chat}}}
    return await queue.accept_update(
        pool, queue.NewUpdate(update_id, "message", chat, payload, f"tg:{chat}:0", make_job=True)
    )


async def test_duplicate_delivery_stores_one_update_and_one_job(pool: asyncpg.Pool) -> None:
    assert await _update(pool, 1, 10) is True
    assert await _update(pool, 1, 10) is False
    assert await pool.fetchval("SELECT count(*) FROM telegram_updates") == 1
    assert await pool.fetchval("SELECT count(*) FROM jobs") == 1


async def test_one_chat_is_served_in_order_and_one_at_a_time(pool: asyncpg.Pool) -> None:
    for update_id in (1, 2, 3):
        await _update(pool, update_id, 10)
    first = await queue.claim(pool, "w1", 10, 30)
    assert [job.update_id for job in first] == [1]
    assert await queue.claim(pool, "w2", 10, 30) == []
    await queue.complete(pool, first[0].id, "w1")
    second = await queue.claim(pool, "w2", 10, 30)
    assert [job.update_id for job in second] == [2]


async def test_different_chats_are_claimed_together(pool: asyncpg.Pool) -> None:
    for update_id, chat in ((1, 10), (2, 11), (3, 10), (4, 12)):
        await _update(pool, update_id, chat)
    claimed = await queue.claim(pool, "w1", 10, 30)
    assert [job.update_id for job in claimed] == [1, 2, 4]


async def test_racing_workers_never_claim_the_same_job(pool: asyncpg.Pool) -> None:
    for update_id in range(1, 41):
        await _update(pool, update_id, 1000 + update_id)
    batches = await asyncio.gather(*(queue.claim(pool, f"w{i}", 10, 30) for i in range(8)))
    ids = [job.id for batch in batches for job in batch]
    assert len(ids) == len(set(ids)) == 40


async def test_an_expired_lease_is_taken_over_and_counts_an_attempt(pool: asyncpg.Pool) -> None:
    await _update(pool, 1, 10)
    (job,) = await queue.claim(pool, "crashed", 1, 30)
    await pool.execute("UPDATE jobs SET locked_until = now() - interval '1 second'")
    (again,) = await queue.claim(pool, "rescuer", 1, 30)
    assert again.id == job.id
    assert again.attempts == 2
    # The crashed worker can no longer renew or complete what it lost.
    assert await queue.renew(pool, [job.id], "crashed", 30) == set()
    await queue.complete(pool, job.id, "crashed")
    assert await pool.fetchval("SELECT status FROM jobs WHERE id = $1", job.id) == "running"


async def test_failures_back_off_then_end_dead(pool: asyncpg.Pool) -> None:
    await _update(pool, 1, 10)
    for attempt in (1, 2, 3):
        (job,) = await queue.claim(pool, "w", 1, 30)
        assert job.attempts == attempt
        dead = await queue.fail(pool, job, "w", "boom", max_attempts=3, backoff_s=0)
        assert dead is (attempt == 3)
    row = await pool.fetchrow("SELECT status, last_error, attempts FROM jobs")
    assert row is not None
    assert (row["status"], row["last_error"], row["attempts"]) == ("dead", "boom", 3)
    assert await queue.claim(pool, "w", 1, 30) == []


async def test_a_backed_off_job_waits_and_holds_its_chat(pool: asyncpg.Pool) -> None:
    await _update(pool, 1, 10)
    await _update(pool, 2, 10)
    (job,) = await queue.claim(pool, "w", 1, 30)
    await queue.fail(pool, job, "w", "boom", max_attempts=5, backoff_s=60)
    assert await queue.claim(pool, "w", 10, 30) == []


async def test_worker_runs_chats_concurrently_but_each_chat_in_order(pool: asyncpg.Pool) -> None:
    seen: list[tuple[int, int]] = []
    running: dict[str, int] = {}
    peak = 0

    async def handler(job: queue.Job) -> None:
        nonlocal peak
        running[job.ordering_key] = running.get(job.ordering_key, 0) + 1
        assert running[job.ordering_key] == 1, "two jobs of one chat at once"
        peak = max(peak, sum(running.values()))
        await asyncio.sleep(0.05)
        assert job.update_id is not None
        seen.append((int(job.ordering_key.split(":")[1]), job.update_id))
        running[job.ordering_key] -= 1

    async def on_dead(job: queue.Job, error: str) -> None:
        raise AssertionError(error)

    update_id = 0
    for _ in range(5):
        for chat in range(10):
            update_id += 1
            await _update(pool, update_id, chat)
    stop = asyncio.Event()
    worker = Worker(pool, handler, on_dead, concurrency=16, lease_s=30, max_attempts=3, poll_s=0.05)
    task = asyncio.create_task(worker.run(stop))
    for _ in range(200):
        if len(seen) == 50:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await task
    assert len(seen) == 50
    for chat in range(10):
        ids = [u for c, u in seen if c == chat]
        assert ids == sorted(ids)
    assert peak >= 5


async def test_worker_retries_a_failing_job_and_reports_it_dead(pool: asyncpg.Pool) -> None:
    await _update(pool, 1, 10)
    dead: list[str] = []

    async def handler(job: queue.Job) -> None:
        raise RuntimeError("agent exploded")

    async def on_dead(job: queue.Job, error: str) -> None:
        dead.append(error)

    await pool.execute("UPDATE jobs SET attempts = 2")
    stop = asyncio.Event()
    worker = Worker(pool, handler, on_dead, concurrency=2, lease_s=30, max_attempts=3, poll_s=0.05)
    task = asyncio.create_task(worker.run(stop))
    for _ in range(100):
        if dead:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await task
    assert dead == ["RuntimeError: agent exploded"]
    assert await pool.fetchval("SELECT status FROM jobs") == "dead"


async def test_briefings_never_take_the_slots_a_question_needs(pool: asyncpg.Pool) -> None:
    for chat in range(20):
        await pool.execute(
            "INSERT INTO jobs (kind, ordering_key, payload) VALUES ('briefing', $1, '{}')",
            f"tg:{5000 + chat}:0",
        )
    release = asyncio.Event()
    running: set[int] = set()
    peak = 0
    answered: list[int] = []

    async def handler(job: queue.Job) -> None:
        nonlocal peak
        if job.kind != "briefing":
            answered.append(job.id)
            return
        running.add(job.id)
        peak = max(peak, len(running))
        await release.wait()
        running.discard(job.id)

    async def on_dead(job: queue.Job, error: str) -> None:
        raise AssertionError(error)

    stop = asyncio.Event()
    worker = Worker(
        pool,
        handler,
        on_dead,
        concurrency=4,
        lease_s=30,
        max_attempts=3,
        poll_s=0.05,
        bulk_concurrency=3,
    )
    task = asyncio.create_task(worker.run(stop))
    for _ in range(100):
        if len(running) == 3:
            break
        await asyncio.sleep(0.02)
    # Every bulk slot is busy and 17 briefings wait: a question still goes straight through.
    await _update(pool, 1, 10)
    for _ in range(100):
        if answered:
            break
        await asyncio.sleep(0.02)
    assert len(answered) == 1
    assert peak == 3
    release.set()
    for _ in range(200):
        if await pool.fetchval("SELECT count(*) FROM jobs WHERE status = 'done'") == 21:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await task
    assert peak == 3
    assert await pool.fetchval("SELECT count(*) FROM jobs WHERE status = 'done'") == 21


async def test_the_heartbeat_keeps_every_running_jobs_lease(pool: asyncpg.Pool) -> None:
    """Jobs outliving their lease are renewed together, so no other worker takes them."""
    for update_id in range(1, 6):
        await _update(pool, update_id, update_id)
    release = asyncio.Event()
    started: list[int] = []

    async def handler(job: queue.Job) -> None:
        started.append(job.id)
        await release.wait()

    async def on_dead(job: queue.Job, error: str) -> None:
        raise AssertionError(error)

    stop = asyncio.Event()
    worker = Worker(pool, handler, on_dead, concurrency=8, lease_s=2, max_attempts=3, poll_s=0.05)
    task = asyncio.create_task(worker.run(stop))
    # Three leases' worth of time: without renewals every job would be claimable again.
    await asyncio.sleep(6)
    assert len(started) == 5
    assert await queue.claim(pool, "other", 10, 30) == []
    expiry = await pool.fetchval("SELECT min(locked_until) - now() FROM jobs")
    assert expiry.total_seconds() > 0.5
    release.set()
    stop.set()
    await task
    assert await pool.fetchval("SELECT count(*) FROM jobs WHERE status = 'done'") == 5
