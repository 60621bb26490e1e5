"""The pool `meshkit.db.create_pool` opens: cheap to give a connection back, and clean."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from meshdev.testing import TestDatabases
from meshkit.db import create_pool, end_session


@pytest.fixture
async def dsn(test_databases: TestDatabases) -> AsyncIterator[str]:
    url = await test_databases.empty()
    yield url
    await test_databases.drop(url)


@pytest.fixture
async def pool(dsn: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(dsn, schema="public", application_name="t", min_size=1, max_size=1)
    yield pool
    await pool.close()


async def _last_statement(dsn: str, pid: int) -> str:
    other = await asyncpg.connect(dsn)
    try:
        return str(await other.fetchval("SELECT query FROM pg_stat_activity WHERE pid = $1", pid))
    finally:
        await other.close()


async def test_giving_a_connection_back_costs_no_round_trip(dsn: str, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        pid = conn.get_server_pid()
        await conn.fetchval("SELECT 41 + 1")
    # asyncpg's default would have run RESET ALL, UNLISTEN * and friends by now.
    assert await _last_statement(dsn, pid) == "SELECT 41 + 1"


async def test_a_transaction_left_open_is_rolled_back(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("CREATE TABLE t (x int)")
        await conn.execute("BEGIN")
        await conn.execute("INSERT INTO t VALUES (1)")
    async with pool.acquire() as conn:
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT count(*) FROM t") == 0


async def test_end_session_clears_listens_locks_and_settings(dsn: str, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        pid = conn.get_server_pid()
        await conn.add_listener("channel", lambda *_: None)
        assert await conn.fetchval("SELECT pg_try_advisory_lock(7)")
        await conn.execute("SET statement_timeout = '5s'")
        await end_session(conn)
    async with pool.acquire() as conn:
        assert conn.get_server_pid() == pid  # the same session, clean again
        assert await conn.fetch("SELECT pg_listening_channels()") == []
        assert await conn.fetchval("SHOW statement_timeout") == "0"
    other = await asyncpg.connect(dsn)
    try:
        held = await other.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = $1", pid
        )
        assert held == 0
        # ...so another session takes the lock at once.
        assert await other.fetchval("SELECT pg_try_advisory_lock(7)")
    finally:
        await other.close()


@pytest.mark.parametrize("noticed", [False, True], ids=["at-once", "once-asyncpg-noticed"])
async def test_a_connection_that_cannot_be_reset_is_closed(
    dsn: str, pool: asyncpg.Pool, noticed: bool
) -> None:
    async with pool.acquire() as conn:
        pid = conn.get_server_pid()
        assert await conn.fetchval("SELECT pg_try_advisory_lock(7)")
        other = await asyncpg.connect(dsn)
        try:  # the session ends under the connection (a restart, an administrator)
            assert await other.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await other.close()
        if noticed:  # asyncpg has seen the socket close and taken the connection back
            await asyncio.sleep(0.2)
        await end_session(conn)
    async with pool.acquire() as conn:  # the pool opens a fresh one
        assert conn.get_server_pid() != pid
        assert await conn.fetchval("SELECT pg_try_advisory_lock(7)")
