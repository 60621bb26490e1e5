"""pytest plugin: one real PostgreSQL per test session, shared by every service's tests.

`DATABASE_URL` (pointing at a role that may create databases) selects an existing server;
otherwise an embedded one runs from `.data/pg-test`, apart from the one `make run` uses.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from meshdev.testing import TestDatabases


@pytest.fixture(scope="session")
def pg_admin_dsn() -> str:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    from meshdev.localpg import server_dsn

    return server_dsn("postgres", name="pg-test")


@pytest.fixture(scope="session")
async def test_databases(pg_admin_dsn: str) -> AsyncIterator[TestDatabases]:
    databases = TestDatabases(pg_admin_dsn)
    try:
        yield databases
    finally:
        await databases.drop_all()
