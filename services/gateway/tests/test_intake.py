"""Group commit: updates arriving together share a write, each caller learns its own fate,
and a chat's jobs keep the order the updates arrived in."""

from __future__ import annotations

import asyncio

import asyncpg

from gateway.intake import Intake
from gateway.queue import NewUpdate


def update(update_id: int, chat: int) -> NewUpdate:
    payload = {"update_id": update_id, "message": {"message_id": update_id, "chat": {"id": chat}}}
    return NewUpdate(update_id, "message", chat, payload, f"tg:{chat}:0", make_job=True)


async def test_updates_arriving_together_share_a_write(pool: asyncpg.Pool) -> None:
    intake = Intake(pool, max_writes=1)
    results = await asyncio.gather(*(intake.store(update(n, n % 3)) for n in range(1, 101)))
    assert all(stored for stored, _ in results)
    groups = [size for _, size in results]
    # All hundred arrive before the first write starts: one statement carries them.
    assert groups == [100] * 100
    assert await pool.fetchval("SELECT count(*) FROM jobs") == 100


async def test_an_idle_intake_writes_each_update_alone(pool: asyncpg.Pool) -> None:
    intake = Intake(pool)
    for n in range(1, 4):
        assert await intake.store(update(n, 1)) == (True, 1)
    assert await intake.store(update(2, 1)) == (False, 1)


async def test_a_chats_jobs_keep_arrival_order_within_a_group(pool: asyncpg.Pool) -> None:
    intake = Intake(pool, max_writes=1)
    # Update ids deliberately out of order: arrival order is the order of the answers.
    ids = [50, 10, 40, 20, 30]
    await asyncio.gather(*(intake.store(update(n, 9)) for n in ids))
    rows = await pool.fetch("SELECT update_id FROM jobs ORDER BY id")
    assert [row["update_id"] for row in rows] == ids


async def test_a_failed_write_fails_every_caller_in_its_group(pool: asyncpg.Pool) -> None:
    intake = Intake(pool, max_writes=1)
    await pool.execute("ALTER TABLE jobs RENAME TO jobs_away")
    try:
        results = await asyncio.gather(
            *(intake.store(update(n, 1)) for n in range(1, 6)), return_exceptions=True
        )
    finally:
        await pool.execute("ALTER TABLE jobs_away RENAME TO jobs")
    assert all(isinstance(result, asyncpg.PostgresError) for result in results)
    assert await pool.fetchval("SELECT count(*) FROM telegram_updates") == 0
    # The intake is not stuck: the next delivery is stored.
    assert await intake.store(update(1, 1)) == (True, 1)
