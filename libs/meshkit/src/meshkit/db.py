"""PostgreSQL: one asyncpg pool per service, versioned migrations, local fallback.

Each service owns one schema. Its migrations are plain SQL files named
`NNNN_description.sql` inside the service package; they are applied in order, each in its
own transaction, under a PostgreSQL advisory lock so that replicas starting together apply
them exactly once. An applied migration whose file later changes stops start-up: history is
append-only.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from typing import Any, TypeAlias

import asyncpg

from meshkit.idempotency import RETENTION
from meshkit.idempotency import TABLE_SQL as IDEMPOTENCY_TABLE_SQL
from meshkit.spans import untraced

log = logging.getLogger(__name__)

#: What repositories take: the pool, or a connection holding a transaction.
# A string: PoolConnectionProxy is generic only in the stubs.
Executor: TypeAlias = (
    "asyncpg.Pool | asyncpg.Connection | asyncpg.pool.PoolConnectionProxy[asyncpg.Record]"
)
Seeder = Callable[[asyncpg.Connection], Awaitable[None]]

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class DatabaseConfigError(RuntimeError):
    """No database is configured and no local one can be started."""


class MigrationError(RuntimeError):
    """The migration history on disk and in the database disagree."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(directory: Traversable) -> list[Migration]:
    """Read `NNNN_name.sql` files from a package directory, in version order."""
    migrations = []
    for entry in directory.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _MIGRATION_NAME.match(entry.name)
        if match is None:
            raise MigrationError(f"migration file {entry.name!r} is not named NNNN_name.sql")
        migrations.append(Migration(int(match[1]), match[2], entry.read_text("utf-8")))
    migrations.sort(key=lambda m: m.version)
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration versions in {directory}")
    return migrations


def _quote_schema(schema: str) -> str:
    if not _SCHEMA_NAME.match(schema):
        raise MigrationError(f"invalid schema name {schema!r}")
    return f'"{schema}"'


async def migrate(
    conn: asyncpg.Connection,
    schema: str,
    migrations: list[Migration],
    *,
    seed: Seeder | None = None,
    lock_timeout_s: float = 60.0,
) -> list[int]:
    """Apply pending migrations to `schema` (and then seed), once across all replicas.

    Returns the versions applied by this call.
    """
    quoted = _quote_schema(schema)
    # One lock per schema: replicas of one service serialise, different services do not.
    lock_key = f"meshkit.migrate.{schema}"
    await conn.execute(f"SET lock_timeout = '{int(lock_timeout_s * 1000)}ms'")
    await conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", lock_key)
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
        await conn.execute(
            f"""
            CREATE TABLE IF NOT EXISTS {quoted}.schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        rows = await conn.fetch(
            f"SELECT version, name, checksum FROM {quoted}.schema_migrations"  # noqa: S608
        )
        applied = {row["version"]: row for row in rows}
        known = {m.version for m in migrations}
        unknown = sorted(set(applied) - known)
        if unknown:
            raise MigrationError(
                f"schema {schema} has migrations {unknown} this code does not know: "
                "is an older release starting against a newer database?"
            )
        done: list[int] = []
        for migration in migrations:
            row = applied.get(migration.version)
            if row is not None:
                if row["checksum"] != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.version:04d}_{migration.name} of schema {schema} "
                        "changed after it was applied; add a new migration instead"
                    )
                continue
            async with conn.transaction():
                await conn.execute(f"SET LOCAL search_path TO {quoted}, public")
                await conn.execute(migration.sql)
                await conn.execute(
                    f"INSERT INTO {quoted}.schema_migrations (version, name, checksum) "  # noqa: S608
                    "VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
            log.info(
                "applied migration",
                extra={"schema": schema, "version": migration.version, "migration": migration.name},
            )
            done.append(migration.version)
        # meshkit's own table for Idempotency-Key records, in every service's schema.
        await conn.execute(f"SET search_path TO {quoted}, public")
        await conn.execute(IDEMPOTENCY_TABLE_SQL)
        await conn.execute(
            "DELETE FROM meshkit_idempotency WHERE created_at < now() - $1::interval", RETENTION
        )
        await conn.execute("RESET search_path")
        if seed is not None:
            async with conn.transaction():
                await conn.execute(f"SET LOCAL search_path TO {quoted}, public")
                await seed(conn)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", lock_key)
        await conn.execute("RESET lock_timeout")


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Connection housekeeping (here and in `_reset_connection`) is kept out of traces: it
    # would add the same spans to whichever request happens to open or return a connection.
    with untraced():
        for typename in ("json", "jsonb"):
            await conn.set_type_codec(
                typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
            )


async def _reset_connection(conn: asyncpg.Connection) -> None:
    """What the pool runs on every connection it takes back, after asyncpg itself has rolled
    back any transaction left open: nothing.

    asyncpg's default resets the whole session on every release (`RESET ALL`, `UNLISTEN *`,
    releasing advisory locks, closing cursors): a round trip per release, about a twentieth
    of the gateway's CPU in a burst of turns, for session state no pooled connection here
    ever has: settings are `SET LOCAL`, migrations take their advisory lock on a connection of
    their own (`prepare_database`), and the few pooled connections that LISTEN or hold a lock
    end that session state themselves (`end_session`) before they are released."""
    del conn


async def end_session(conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy[Any]) -> None:
    """Clear the session state a pooled connection was given (a LISTEN, a session advisory
    lock, a plain SET) before it goes back to the pool, whose reset leaves session state
    alone (`_reset_connection`). A connection that cannot be reset is closed instead, which
    ends its session and everything in it."""
    try:
        with untraced():
            await conn.reset()
    except Exception:
        log.warning("closing a pooled connection that could not be reset", exc_info=True)
        _terminate(conn)
    except BaseException:  # cancelled mid-reset: the state must not stay in the pool
        _terminate(conn)
        raise


def _terminate(conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy[Any]) -> None:
    # A connection the server closed may already be back in the pool (asyncpg returns it
    # as soon as it notices); then there is nothing left to close.
    with contextlib.suppress(asyncpg.InterfaceError):
        conn.terminate()


async def create_pool(
    dsn: str,
    *,
    schema: str,
    application_name: str,
    min_size: int = 1,
    max_size: int = 10,
    **kwargs: Any,
) -> asyncpg.Pool:
    """Open the service's pool; every connection works inside the service's own schema."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_reset_connection,
        server_settings={
            "search_path": f"{_quote_schema(schema)}, public",
            "application_name": application_name,
        },
        **kwargs,
    )
    assert pool is not None
    return pool


async def prepare_database(
    dsn: str, schema: str, migrations: list[Migration], *, seed: Seeder | None = None
) -> list[int]:
    """Migrate (and seed) on a dedicated connection before the pool opens."""
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn, schema, migrations, seed=seed)
    finally:
        await conn.close()


async def resolve_database_url(configured: str | None) -> str:
    """The configured `DATABASE_URL`, or the shared local PostgreSQL when developing.

    The local fallback lives in `meshdev`, which production images do not install.
    """
    if configured:
        return configured
    if importlib.util.find_spec("meshdev") is None:
        raise DatabaseConfigError(
            "DATABASE_URL is not set and the local PostgreSQL (meshdev) is not installed"
        )
    from meshdev.localpg import local_database_url

    return await local_database_url()
