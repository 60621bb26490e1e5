"""`python -m meshkit.migrate`: the deployment step that only migrates."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator

import asyncpg
import pytest

from meshdev.testing import TEST_SECRET, TestDatabases
from meshkit.migrate import migrate_service, settings_class


@pytest.fixture
async def dsn(test_databases: TestDatabases) -> AsyncIterator[str]:
    url = await test_databases.empty()
    yield url
    await test_databases.drop(url)


def _env(dsn: str, **extra: str) -> dict[str, str]:
    # Only what a migration Job gets; nothing from the developer's shell decides the outcome.
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "SSL_CERT_FILE")}
    return {
        **keep,
        "DATABASE_URL": dsn,
        "MESH_SERVICE_SECRET": TEST_SECRET,
        "MESH_ENV": "production",
        "LOG_FORMAT": "json",
        **extra,
    }


async def _run(*args: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "meshkit.migrate",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def _tables(dsn: str, schema: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        versions = await conn.fetch(f"SELECT version FROM {schema}.schema_migrations")
        locations = await conn.fetchval(f"SELECT count(*) FROM {schema}.locations")
    finally:
        await conn.close()
    return {"migrations": len(versions), "locations": locations}


async def test_the_command_applies_a_services_migrations_and_seeds_nothing(dsn: str) -> None:
    code, output = await _run("sales-agent", env=_env(dsn, SEED_DEMO_DATA="true"))
    assert code == 0, output
    assert '"msg": "migrations up to date"' in output
    assert '"schema": "sales_agent"' in output
    assert await _tables(dsn, "sales_agent") == {"migrations": 1, "locations": 0}


async def test_running_it_again_applies_nothing(dsn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in _env(dsn).items():
        monkeypatch.setenv(key, value)
    settings = settings_class("sales_agent")()
    first = await migrate_service("sales_agent", settings)
    assert first
    assert await migrate_service("sales_agent", settings) == []


async def test_jobs_for_several_services_share_one_database(dsn: str) -> None:
    results = await asyncio.gather(
        _run("sales_agent", env=_env(dsn)),
        _run("review_agent", env=_env(dsn)),
        _run("sales_agent", env=_env(dsn)),
    )
    assert [code for code, _ in results] == [0, 0, 0], results
    assert (await _tables(dsn, "sales_agent"))["migrations"] == 1


async def test_an_unknown_package_is_a_usage_error(dsn: str) -> None:
    code, output = await _run("no_such_service", env=_env(dsn))
    assert code == 2
    assert "'no_such_service' is not an installed service package" in output


async def test_an_incomplete_production_environment_names_the_missing_variable(
    dsn: str,
) -> None:
    env = _env(dsn)
    del env["MESH_SERVICE_SECRET"]
    code, output = await _run("sales_agent", env=env)
    assert code == 1
    assert "MESH_SERVICE_SECRET must be set when MESH_ENV=production" in output


async def test_an_unreachable_database_fails_the_step_with_one_log_line() -> None:
    code, output = await _run(
        "sales_agent", env=_env("postgresql://mesh:wrong@127.0.0.1:9/mesh", LOG_LEVEL="INFO")
    )
    assert code == 1
    assert '"msg": "migration failed"' in output
    assert "Traceback" not in output
    assert "wrong" not in output
